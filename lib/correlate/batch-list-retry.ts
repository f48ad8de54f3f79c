import { errorName } from '../aws/errors';
import type { Counters, LogSink } from '../telemetry/observations';

/**
 * A list a batch owes after its merges (the sweeper's open list, the endpoint listing) is written
 * or the batch items whose merges it lists are retried: their merges are then no-ops, which list
 * the requests again, so nothing is counted twice and nothing is left unlisted. True when written.
 */
export async function writeListOrRetry(
  write: () => Promise<void>,
  retry: Iterable<string>,
  context: { counters: Counters; log: LogSink; failedIds: Set<string>; message: string; requests: number },
): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    context.counters.add('StoreWriteFailures');
    for (const id of retry) context.failedIds.add(id);
    context.log.warn(context.message, { requests: context.requests, error: errorName(error), errorMessage: (error as Error)?.message });
    return false;
  }
}
