import type { LogHalf, NotificationHalf } from '../requests/halves';
import type { LogMergeStore, NotificationCondition } from '../requests/merge-plan';
import type { NotificationMergeResult } from '../store/requests';
import { notificationCondition } from './duplicates';
import { LogMerger, type LogMergeResult } from './log-merge';

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

  constructor(private readonly store: LogMergeStore & NotificationMergeStore) {
    this.logs = new LogMerger(store);
  }

  mergeLogHalf(half: LogHalf): Promise<LogMergeResult> {
    return this.logs.merge(half);
  }

  mergeNotification(half: NotificationHalf): Promise<NotificationMergeResult> {
    return this.store.mergeNotification(half, notificationCondition(half));
  }
}
