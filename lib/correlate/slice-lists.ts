import type { LogHalf } from '../requests/halves';
import type { OpenRequest } from '../requests/merge-plan';
import type { Counters, LogSink } from '../telemetry/observations';
import { isoTime } from '../util/iso-time';
import { writeListOrRetry } from './batch-list-retry';
import { listMerged, type EndpointListingSink, type MergedRequest } from './endpoint-listing';
import type { LogMergeResult } from './log-merge';

// The lists a slice of data-log records writes after its merges: the sweeper's open list and the endpoint listing.

/** Where they go; either may be absent (nothing swept, nothing listed), as in ./process-logs.ts. */
interface SliceListSink {
  listOpen?(requests: readonly OpenRequest[]): Promise<void>;
  listByEndpoint?: EndpointListingSink['listByEndpoint'];
}

/** A request's merged half and the Kinesis records that carried it (./process-logs.ts groups them). */
interface Group {
  half: LogHalf;
  recordIds: readonly string[];
}

/**
 * One list of the requests this slice opened. If it cannot be written, their records are
 * retried: the redelivered lines merge as no-ops, which list the request again.
 *
 * A request's open time is clamped to its arrival: a list is swept once its latest open time
 * passes the cut-off, so one line stamped in the future (a container's clock, a forged time)
 * would otherwise hide every request on its list from the sweeper until that time.
 */
export async function listOpened(
  groups: readonly Group[],
  results: ReadonlyArray<LogMergeResult | undefined>,
  store: SliceListSink,
  counters: Counters,
  log: LogSink,
  failedIds: Set<string>,
  now: () => number,
): Promise<void> {
  if (!store.listOpen) return;
  const opened: OpenRequest[] = [];
  const openedGroups: Group[] = [];
  const arrival = isoTime(now());
  results.forEach((result, index) => {
    if (!result?.opened) return;
    opened.push(result.opened.openSince > arrival ? { ...result.opened, openSince: arrival } : result.opened);
    openedGroups.push(groups[index]!);
  });
  if (opened.length === 0) return;
  const listOpen = store.listOpen.bind(store);
  const written = await writeListOrRetry(
    () => listOpen(opened),
    openedGroups.flatMap((group) => group.recordIds),
    { counters, log, failedIds, message: 'open-request list not written; records will be retried', requests: opened.length },
  );
  if (written) counters.add('OpenRequestsListed', opened.length);
}

/**
 * The endpoint listing (./endpoint-listing.ts) of the requests whose record this slice's lines
 * began (the notification had not come), or whose lines it redelivered. A request whose
 * notification came first was listed by it; later lines of a listed request are not listed again.
 */
export function listSlice(groups: readonly Group[], results: ReadonlyArray<LogMergeResult | undefined>, store: SliceListSink, counters: Counters, log: LogSink, failedIds: Set<string>): Promise<void> {
  const merged: MergedRequest[] = [];
  results.forEach((result, index) => {
    if (!(result?.began || result?.redelivered) || result.requestTime === undefined) return;
    const { half, recordIds } = groups[index]!;
    merged.push({ listing: { inferenceId: half.inferenceId, endpointName: half.endpointName, requestTime: result.requestTime }, retry: recordIds });
  });
  return listMerged(store, merged, counters, log, failedIds);
}
