import type { LogHalf, NotificationHalf } from '../requests/halves';
import type { EndpointListing, LogMergeStore, NotificationCondition, OpenRequest } from '../requests/merge-plan';
import type { NotificationMergeResult } from '../store/requests';
import { notificationCondition } from './duplicates';
import type { EndpointListingSink } from './endpoint-listing';
import { LogMerger, type LogMergeResult } from './log-merge';

/** Where a batch's open requests are listed for the stuck sweeper. */
export interface OpenRequestLists {
  listOpen(requests: readonly OpenRequest[]): Promise<void>;
}

/** What the notification merge needs of the store. */
export interface NotificationMergeStore {
  mergeNotification(half: NotificationHalf, condition: NotificationCondition): Promise<NotificationMergeResult>;
}

/**
 * Both halves' merges with their policies applied, over one store: what the processors, the
 * local run and the tests call. Keep one per process: the log merger remembers full records.
 */
export class RequestMerges {
  private readonly logs: LogMerger;

  constructor(private readonly store: LogMergeStore & NotificationMergeStore & OpenRequestLists & EndpointListingSink) {
    this.logs = new LogMerger(store);
  }

  mergeLogHalf(half: LogHalf): Promise<LogMergeResult> {
    return this.logs.merge(half);
  }

  /** Lists the requests a batch of log merges opened (their results' `opened`). */
  listOpen(requests: readonly OpenRequest[]): Promise<void> {
    return this.store.listOpen(requests);
  }

  /** Lists the requests a batch merged under their endpoints (their results' `requestTime`). */
  listByEndpoint(listings: readonly EndpointListing[]): Promise<void> {
    return this.store.listByEndpoint(listings);
  }

  mergeNotification(half: NotificationHalf): Promise<NotificationMergeResult> {
    return this.store.mergeNotification(half, notificationCondition(half));
  }
}
