import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../aws/errors';
import { VersionConflictError } from './errors';

/**
 * The request-level detectors' state in the generic `state` table, one partition per endpoint
 * (`detect#<endpoint>`), so everything the detectors know about an endpoint comes back in one
 * Query:
 *
 * - `s#<slot start, minute precision>`: counts of the requests that finished in a five-minute
 *   slot of event time. Only ever added to (ADD): parallel writers never read and rewrite.
 * - `~i#<kind>`: the endpoint's incident of that kind (open or last closed), replaced whole
 *   under a version condition when it opens, escalates or closes (rare).
 *
 * `input#<name>` / `lag` holds how far behind each of sagewatch's inputs last was.
 */
export interface SlotCounts {
  /** Epoch ms at the start of the slot. */
  start: number;
  finished: number;
  failed: number;
  byCategory: Record<string, number>;
  /** Latency bucket (as a string) → completed requests. */
  latency: Record<string, number>;
}

export interface StoredIncident {
  kind: string;
  version: number;
  /** The incident as the policy shapes it; stored as a JSON string. */
  body: Record<string, unknown>;
}

export interface InputLag {
  input: string;
  /** Epoch ms of the batch that measured it. */
  at: number;
  lagMs: number;
  /** The newest notification event time the input has delivered, epoch ms (its own lag, whether or not batches flow). */
  newestEventAt?: number;
  /** The worst lag still able to hold messages back: a lag L is held L longer than `lagMs` is (lib/detect/watermark.ts). */
  backlogMs?: number;
}

export interface WindowSender {
  send(command: UpdateCommand | QueryCommand | PutCommand | GetCommand): Promise<unknown>;
}

/** Slots are kept two days: twelve hours of baseline and a margin for late data. */
const SLOT_RETENTION_SECONDS = 2 * 86_400;
const INCIDENT_RETENTION_SECONDS = 30 * 86_400;

export const detectorKey = (endpointName: string) => `detect#${endpointName}`;
const slotKey = (start: number) => `s#${new Date(start).toISOString().slice(0, 16)}`;
const incidentKey = (kind: string) => `~i#${kind}`;

export class WindowStore {
  constructor(
    private readonly client: WindowSender,
    private readonly tableName: string,
  ) {}

  /** Adds one slot's counts (one write per endpoint and slot of a batch). */
  async addSlot(endpointName: string, delta: SlotCounts): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':n': delta.finished,
      ':f': delta.failed,
      ':exp': Math.floor(delta.start / 1000) + SLOT_RETENTION_SECONDS,
    };
    const adds = ['n :n', 'f :f'];
    let i = 0;
    for (const [category, count] of Object.entries(delta.byCategory)) {
      names[`#c${i}`] = `c_${category}`;
      values[`:c${i}`] = count;
      adds.push(`#c${i} :c${i}`);
      i++;
    }
    let j = 0;
    for (const [bucket, count] of Object.entries(delta.latency)) {
      names[`#l${j}`] = `l_${bucket}`;
      values[`:l${j}`] = count;
      adds.push(`#l${j} :l${j}`);
      j++;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: detectorKey(endpointName), sk: slotKey(delta.start) },
        UpdateExpression: `SET expiresAt = :exp ADD ${adds.join(', ')}`,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** The endpoint's slots starting at or after `from`, and all its incidents: one Query (paged). */
  async read(endpointName: string, from: number): Promise<{ slots: SlotCounts[]; incidents: StoredIncident[] }> {
    const slots: SlotCounts[] = [];
    const incidents: StoredIncident[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': detectorKey(endpointName), ':from': slotKey(from), ':to': '~i#~' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith('s#')) slots.push(toSlot(item));
        else if (sk.startsWith('~i#') && typeof item.body === 'string') {
          try {
            incidents.push({ kind: sk.slice(3), version: Number(item.version ?? 0), body: JSON.parse(item.body) as Record<string, unknown> });
          } catch {
            // An unreadable incident is as good as none: the next one replaces it.
          }
        }
      }
      start = output.LastEvaluatedKey;
    } while (start);
    return { slots, incidents };
  }

  /**
   * Replaces an incident if it is still at `expectedVersion` (0: none yet); throws
   * VersionConflictError when another writer got there first.
   */
  async putIncident(endpointName: string, incident: StoredIncident, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: detectorKey(endpointName),
            sk: incidentKey(incident.kind),
            version: incident.version,
            body: JSON.stringify(incident.body),
            expiresAt: Math.floor(Date.now() / 1000) + INCIDENT_RETENTION_SECONDS,
          },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new VersionConflictError(`incident ${incident.kind} of ${endpointName} changed`);
      throw error;
    }
  }

  async putInputLag(lag: InputLag): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `input#${lag.input}`,
          sk: 'lag',
          at: lag.at,
          lagMs: lag.lagMs,
          ...(lag.newestEventAt !== undefined ? { newestEventAt: lag.newestEventAt } : {}),
          ...(lag.backlogMs !== undefined ? { backlogMs: lag.backlogMs } : {}),
          expiresAt: Math.floor(lag.at / 1000) + INCIDENT_RETENTION_SECONDS,
        },
      }),
    );
  }

  async inputLag(input: string): Promise<InputLag | undefined> {
    const output = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: `input#${input}`, sk: 'lag' } }))) as {
      Item?: Record<string, unknown>;
    };
    const item = output.Item;
    if (!item || typeof item.at !== 'number' || typeof item.lagMs !== 'number') return undefined;
    return {
      input,
      at: item.at,
      lagMs: item.lagMs,
      ...(typeof item.newestEventAt === 'number' ? { newestEventAt: item.newestEventAt } : {}),
      ...(typeof item.backlogMs === 'number' ? { backlogMs: item.backlogMs } : {}),
    };
  }
}

function toSlot(item: Record<string, unknown>): SlotCounts {
  const byCategory: Record<string, number> = {};
  const latency: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'number') continue;
    if (name.startsWith('c_')) byCategory[name.slice(2)] = value;
    else if (name.startsWith('l_')) latency[name.slice(2)] = value;
  }
  return {
    start: Date.parse(`${String(item.sk).slice(2)}:00.000Z`),
    finished: typeof item.n === 'number' ? item.n : 0,
    failed: typeof item.f === 'number' ? item.f : 0,
    byCategory,
    latency,
  };
}
