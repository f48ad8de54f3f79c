import type { EndpointListing } from '../requests/merge-plan';
import type { Counters, LogSink } from '../telemetry/observations';
import { writeListOrRetry } from './batch-list-retry';

/** Where a batch lists the requests it merged, by endpoint and time (what `sagewatch query --endpoint` reads). */
export interface EndpointListingSink {
  listByEndpoint(listings: readonly EndpointListing[]): Promise<void>;
}

/** A merged request to list, and the batch items to retry if its listing cannot be written. */
export interface MergedRequest {
  listing: EndpointListing;
  retry: readonly string[];
}

/**
 * Lists the requests a batch wrote first or redelivered (which ones: ./slice-lists.ts and
 * ./process-notifications.ts), or retries the batch items that merged them (./batch-list-retry.ts).
 * A store without a listing (a test double) lists nothing.
 */
export async function listMerged(store: Partial<EndpointListingSink>, merged: readonly MergedRequest[], counters: Counters, log: LogSink, failedIds: Set<string>): Promise<void> {
  if (!store.listByEndpoint || merged.length === 0) return;
  await writeListOrRetry(
    () => store.listByEndpoint!(merged.map((request) => request.listing)),
    merged.flatMap((request) => request.retry),
    { counters, log, failedIds, message: 'endpoint listing not written; its batch items will be retried', requests: merged.length },
  );
}
