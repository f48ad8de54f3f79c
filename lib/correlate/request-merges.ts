import type { LogHalf } from '../requests/halves';
import type { LogMergeStore, OpenRequest } from '../requests/merge-plan';
import type { EndpointListingSink } from './endpoint-listing';
import { LogMerger, type LogMergeResult } from './log-merge';
import { NotificationMerges, type NotificationMergeStore } from './notification-merges';

/** Where a batch's open requests are listed for the stuck sweeper. */
export interface OpenRequestLists {
  listOpen(requests: readonly OpenRequest[]): Promise<void>;
}

/**
 * Both halves' merges with their policies applied, over one store: what the processors, the
 * local run and the tests call. Keep one per process: the log merger remembers full records.
 */
export class RequestMerges extends NotificationMerges {
  private readonly logs: LogMerger;

  constructor(private readonly store: LogMergeStore & NotificationMergeStore & OpenRequestLists & EndpointListingSink) {
    super(store);
    this.logs = new LogMerger(store);
  }

  mergeLogHalf(half: LogHalf): Promise<LogMergeResult> {
    return this.logs.merge(half);
  }

  /** Lists the requests a batch of log merges opened (their results' `opened`). */
  listOpen(requests: readonly OpenRequest[]): Promise<void> {
    return this.store.listOpen(requests);
  }
}
