import type { NotificationHalf } from '../requests/halves';
import type { EndpointListing, NotificationCondition } from '../requests/merge-plan';
import type { RequestRecord } from '../requests/record';
import { EndpointListings } from './requests-by-endpoint';
import { StoreClock, type DocumentSender } from './requests-item';
import { NotificationMerge, type NotificationMergeResult } from './requests-notification-merge';
import { RequestQueries, type EndpointQuery } from './requests-queries';

/**
 * The `requests` table as the notification path uses it: the notification merge, the endpoint
 * listing and the queries (the alerts' sample requests). RequestStore (./requests.ts) adds the
 * log merge and the open lists; processNotifications builds this one, so its bundle carries
 * none of the log path's code.
 */
export interface NotificationRequestsOptions {
  tableName: string;
  /** The state table, where each batch lists each endpoint's requests by time (./requests-by-endpoint.ts). */
  stateTable: string;
  retentionDays: number;
  now?: () => number;
}

export class NotificationRequests {
  protected readonly clock: StoreClock;
  private readonly notifications: NotificationMerge;
  private readonly listings: EndpointListings;
  private readonly queries: RequestQueries;

  constructor(client: DocumentSender, options: NotificationRequestsOptions) {
    this.clock = new StoreClock(options.now ?? Date.now, options.retentionDays);
    this.notifications = new NotificationMerge(client, options.tableName, this.clock);
    this.listings = new EndpointListings(client, options.stateTable, this.clock);
    this.queries = new RequestQueries(client, options.tableName, this.listings);
  }

  /** Merges one notification under the condition its policy gives (lib/correlate/duplicates.ts). */
  mergeNotification(half: NotificationHalf, condition: NotificationCondition): Promise<NotificationMergeResult> {
    return this.notifications.merge(half, condition);
  }

  /** Lists the requests a batch merged in their endpoints' listings (see EndpointListings.list). */
  listByEndpoint(listings: readonly EndpointListing[]): Promise<void> {
    return this.listings.list(listings);
  }

  /** The records of these requests as they are now (expired ones left out). */
  records(keys: readonly { inferenceId: string; endpointName: string }[]): Promise<RequestRecord[]> {
    return this.queries.records(keys);
  }

  /** Every record with this inference id (one per endpoint that saw it; usually one). */
  getByInferenceId(inferenceId: string): Promise<RequestRecord[]> {
    return this.queries.byInferenceId(inferenceId);
  }

  /** Records of one endpoint, newest first, optionally within a time range and of one status. */
  queryByEndpoint(query: EndpointQuery): Promise<RequestRecord[]> {
    return this.queries.byEndpoint(query);
  }
}
