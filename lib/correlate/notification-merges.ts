import type { NotificationHalf } from '../requests/halves';
import type { EndpointListing, NotificationCondition } from '../requests/merge-plan';
import type { NotificationMergeResult } from '../store/requests';
import { notificationCondition } from './duplicates';
import type { EndpointListingSink } from './endpoint-listing';

/** What the notification merge needs of the store. */
export interface NotificationMergeStore {
  mergeNotification(half: NotificationHalf, condition: NotificationCondition): Promise<NotificationMergeResult>;
}

/**
 * The notification half's merge with its policy applied (./duplicates.ts), and its endpoint
 * listing: all processNotifications needs. RequestMerges (./request-merges.ts) adds the log half.
 */
export class NotificationMerges {
  constructor(private readonly notifications: NotificationMergeStore & EndpointListingSink) {}

  /** Lists the requests a batch merged under their endpoints (their results' `requestTime`). */
  listByEndpoint(listings: readonly EndpointListing[]): Promise<void> {
    return this.notifications.listByEndpoint(listings);
  }

  mergeNotification(half: NotificationHalf): Promise<NotificationMergeResult> {
    return this.notifications.mergeNotification(half, notificationCondition(half));
  }
}
