/**
 * Stand-ins for the edges of the data path, for the diagnostic ratio only (the figures that
 * count come from bench/real-path.ts): a document client that only counts commands (the
 * RequestStore still builds every UpdateItem input and maps every response), and a discarded
 * stdout for the EMF documents and logs Powertools writes.
 */
import { GetCommand, type QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../lib/config';
import { requestStoreFromConfig } from '../lib/store';
import type { DocumentSender, RequestStore } from '../lib/store/requests';

export interface CommandCounts {
  updates: number;
  gets: number;
  queries: number;
}

/**
 * Answers every command at once. An UpdateItem gets the item DynamoDB would return with
 * `ReturnValues: ALL_NEW` for a request seen for the first time, so the store maps a response
 * of realistic shape; nothing is kept between calls.
 */
export class CountingSender implements DocumentSender {
  readonly counts: CommandCounts = { updates: 0, gets: 0, queries: 0 };

  async send(command: UpdateCommand | GetCommand | QueryCommand): Promise<unknown> {
    if (command instanceof UpdateCommand) {
      this.counts.updates++;
      return { Attributes: allNew(command.input) };
    }
    if (command instanceof GetCommand) {
      this.counts.gets++;
      return {};
    }
    this.counts.queries++;
    return { Items: [] };
  }

  reset(): void {
    this.counts.updates = 0;
    this.counts.gets = 0;
    this.counts.queries = 0;
  }
}

function allNew(input: UpdateCommandInput): Record<string, unknown> {
  const values = input.ExpressionAttributeValues ?? {};
  const key = input.Key ?? {};
  // Built as literals: a spread followed by more properties is a slow path in V8, and the sink
  // should cost next to nothing.
  if (':n' in values) {
    return {
      inferenceId: key.inferenceId,
      endpointName: key.endpointName,
      status: 'InProgress',
      sources: values[':src'],
      variantName: values[':variant'],
      requestTime: values[':firstAt'],
      firstLogAt: values[':firstAt'],
      logLineCount: values[':n'],
      logErrorCount: values[':errs'] ?? 0,
      logLines: values[':lines'] ?? [],
      logCategory: values[':logCategory'],
      expiresAt: values[':exp'],
      updatedAt: values[':now'],
    };
  }
  return {
    inferenceId: key.inferenceId,
    endpointName: key.endpointName,
    status: values[':status'],
    sources: values[':src'],
    notificationCount: 1,
    notifiedAt: values[':now'],
    receivedAt: values[':receivedAt'],
    completedAt: values[':completedAt'],
    endToEndLatencyMs: values[':endToEndLatencyMs'],
    failureReason: values[':failureReason'],
    failureCategory: values[':failureCategory'],
    inputLocation: values[':inputLocation'],
    outputLocation: values[':outputLocation'],
    expiresAt: values[':exp'],
    updatedAt: values[':now'],
  };
}

/** The store as deployed (default configuration), over a sender that only counts. */
export function sinkStore(): { store: RequestStore; sender: CountingSender } {
  const sender = new CountingSender();
  return { store: requestStoreFromConfig(parseConfig({}), sender), sender };
}

/**
 * Runs `fn` with process.stdout swallowing what is written (Powertools' EMF documents and
 * logs go there through their own Console), counting the bytes so the work is not elided.
 */
export async function withDiscardedStdout<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  const original = process.stdout.write;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    bytes += chunk.length;
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), bytes };
  } finally {
    process.stdout.write = original;
  }
}
