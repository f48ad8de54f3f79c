import { errorName } from '../aws/errors';
import type { EndpointListing } from '../requests/merge-plan';
import type { Counters, LogSink } from '../telemetry/observations';

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
 * Lists every request a batch merged, no-op merges of redeliveries included (the delivery that
 * merged them may have failed before listing them). If the listing cannot be written, the items
 * that merged its requests are retried, as for the open list: their merges are then no-ops, so
 * nothing is counted twice, and the retry lists them.
 */
export async function listMerged(store: EndpointListingSink, merged: readonly MergedRequest[], counters: Counters, log: LogSink, failedIds: Set<string>): Promise<void> {
  if (merged.length === 0) return;
  try {
    await store.listByEndpoint(merged.map((request) => request.listing));
  } catch (error) {
    counters.add('StoreWriteFailures');
    for (const request of merged) for (const id of request.retry) failedIds.add(id);
    log.warn('endpoint listing not written; its batch items will be retried', { requests: merged.length, error: errorName(error), errorMessage: (error as Error)?.message });
  }
}
