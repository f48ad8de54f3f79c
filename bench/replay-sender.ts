/**
 * The DynamoDB answers a function got on the real path, played back without a client: the
 * bench runs the same handler on the same batches a second time over this sender, so the
 * difference in CPU between the two runs is what the client itself costs (marshalling,
 * signing, HTTP, parsing and unmarshalling the answers), and the replay's own CPU is the
 * handler's work without it.
 *
 * The metering proxy records every request of a label (bench/dynamo-meter.ts) with a match key:
 * operation, table and the item's key values. The replay answers each command with the next
 * answer recorded under the same match key, unmarshalled before the measured call (`prepare`),
 * so a failed condition, an item that already existed or a GetItem that found nothing take the
 * handler down the same path as on the real run. Commands without a key (Query, BatchGetItem)
 * are matched by operation and table, in order, and so is a command whose key differs from
 * every recorded one (the open lists' items have random keys): it gets the next answer not yet
 * given for its operation and table.
 */
import { BatchGetCommand, type DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parseBody, serviceErrorOf, unmarshallOutput, type DynamoDBServiceError, type Operation } from '../lib/aws/signed-dynamodb';
import type { DocumentSender } from '../lib/store/requests';

/** One request as the proxy saw it, with DynamoDB's answer (its raw JSON body). */
export interface RecordedCall {
  operation: string;
  match: string;
  status: number;
  body: string;
}

export interface Recording {
  /** Key attribute names by table, so the replay can build a command's match key. */
  keys: Record<string, string[]>;
  calls: RecordedCall[];
}

export interface ReplayStats {
  /** Commands the replay had no recorded answer for (answered `{}`): the run did not follow the real one. */
  misses: number;
  /** Commands answered by operation and table alone: their key was not among the recorded ones. */
  loose: number;
  /** Recorded answers no command asked for. */
  unused: number;
  answered: number;
}

/** The match key of a request: operation, table and its key values (strings or numbers). */
export function matchKey(operation: string, table: string, keyValues: readonly string[]): string {
  return `${operation}\u0000${table}\u0000${keyValues.join('\u0000')}`;
}

/** A key attribute's value as the match key holds it, from its DynamoDB JSON form (S or N). */
export function wireKeyValue(value: unknown): string {
  const attribute = value as { S?: string; N?: string } | undefined;
  return attribute?.S ?? attribute?.N ?? JSON.stringify(value ?? null);
}

type Answer = ({ output: Record<string, unknown> } | { error: DynamoDBServiceError }) & { given: boolean };

export class ReplaySender implements DocumentSender {
  private keys: Record<string, string[]> = {};
  private answers = new Map<string, Answer[]>();
  /** The same answers by operation and table, for commands whose key matches none. */
  private byOperation = new Map<string, Answer[]>();
  private stats: ReplayStats = { misses: 0, loose: 0, unused: 0, answered: 0 };

  /**
   * Loads the answers of the next call (outside the measured window) and returns how the last
   * one went.
   */
  prepare(recording: Recording): ReplayStats {
    const last = this.finish();
    this.keys = recording.keys;
    for (const call of recording.calls) {
      const answer = answerOf(call);
      for (const [map, key] of [
        [this.answers, call.match],
        [this.byOperation, operationKey(call.match)],
      ] as const) {
        const queue = map.get(key) ?? [];
        queue.push(answer);
        map.set(key, queue);
      }
    }
    return last;
  }

  /** How the replay since the last `prepare` went. */
  finish(): ReplayStats {
    let unused = 0;
    for (const queue of this.answers.values()) unused += queue.filter((answer) => !answer.given).length;
    const stats = { ...this.stats, unused };
    this.stats = { misses: 0, loose: 0, unused: 0, answered: 0 };
    this.answers = new Map();
    this.byOperation = new Map();
    return stats;
  }

  async send(command: UpdateCommand | GetCommand | QueryCommand | BatchGetCommand | PutCommand | DeleteCommand): Promise<unknown> {
    const match = this.matchOf(command);
    let answer = next(this.answers.get(match));
    if (!answer) {
      answer = next(this.byOperation.get(operationKey(match)));
      if (answer) this.stats.loose++;
    }
    if (!answer) {
      this.stats.misses++;
      return {};
    }
    answer.given = true;
    this.stats.answered++;
    if ('error' in answer) throw answer.error;
    return answer.output;
  }

  private matchOf(command: UpdateCommand | GetCommand | QueryCommand | BatchGetCommand | PutCommand | DeleteCommand): string {
    if (command instanceof BatchGetCommand) return matchKey('BatchGetItem', Object.keys(command.input.RequestItems ?? {}).join(','), []);
    const table = command.input.TableName ?? '';
    if (command instanceof QueryCommand) return matchKey('Query', table, []);
    const [operation, source] =
      command instanceof PutCommand
        ? ['PutItem', command.input.Item]
        : command instanceof UpdateCommand
          ? ['UpdateItem', command.input.Key]
          : command instanceof GetCommand
            ? ['GetItem', command.input.Key]
            : ['DeleteItem', (command as DeleteCommand).input.Key];
    const values = (this.keys[table] ?? []).map((name) => String((source as Record<string, unknown> | undefined)?.[name] ?? null));
    return matchKey(operation, table, values);
  }
}

/** A match key's operation and table, without the key values. */
export const operationKey = (match: string) => match.split('\u0000', 2).join('\u0000');

/** The first answer of `queue` not yet given (given ones are dropped from its head). */
function next(queue: Answer[] | undefined): Answer | undefined {
  if (!queue) return undefined;
  while (queue.length > 0 && queue[0]!.given) queue.shift();
  return queue.find((answer) => !answer.given);
}

/** What lib/aws/signed-dynamodb.ts would have returned or thrown for this answer (its own parsing, on the recorded body). */
function answerOf(call: RecordedCall): Answer {
  const body = parseBody(call.body);
  const metadata = { httpStatusCode: call.status, attempts: 1, totalRetryDelay: 0 };
  if (call.status >= 200 && call.status < 300) return { output: unmarshallOutput(call.operation as Operation, { ...body, $metadata: metadata }), given: false };
  return { error: serviceErrorOf(call.status, body, metadata), given: false };
}
