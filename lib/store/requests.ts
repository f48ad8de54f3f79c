import type { LogHalf, NotificationHalf } from '../requests/halves';
import type { EndpointListing, KnownLogState, LogMergePlan, LogMergeStore, LogWriteResult, NotificationCondition, OpenRequest } from '../requests/merge-plan';
import type { RequestRecord } from '../requests/record';
import { EndpointListings } from './requests-by-endpoint';
import { StoreClock, type DocumentSender } from './requests-item';
import { LogMerge } from './requests-log-merge';
import { NotificationMerge, type NotificationMergeResult } from './requests-notification-merge';
import { OpenRequests, type OpenList } from './requests-open';
import { RequestQueries, type EndpointQuery } from './requests-queries';

/**
 * The `requests` table: one item per (inferenceId, endpointName), merged from two halves that
 * arrive in any order, any number of times. Every merge is a single conditional UpdateItem with
 * no read before it; the conditions make repeats no-ops and tell the caller whether its write
 * was the one that changed the record (which is what guards derived metrics and alerts).
 * Each concern lives in its own file: requests-log-merge, requests-notification-merge,
 * requests-open (the sweeper's lists of open requests), requests-by-endpoint (each endpoint's
 * listing by time), requests-queries and requests-item (the item mapping).
 */
export type { DocumentSender } from './requests-item';
export type { NotificationMergeResult } from './requests-notification-merge';
export type { EndpointQuery } from './requests-queries';
export { OPEN_SHARDS, openShardName, type OpenList } from './requests-open';
export { toRecord } from './requests-item';

export interface RequestStoreOptions {
  tableName: string;
  /** The state table, where each batch lists the requests it opened (./requests-open.ts) and each endpoint's requests by time (./requests-by-endpoint.ts). */
  stateTable: string;
  retentionDays: number;
  maxLogLines: number;
  maxLogLineChars: number;
  now?: () => number;
}

export class RequestStore implements LogMergeStore {
  private readonly logs: LogMerge;
  private readonly notifications: NotificationMerge;
  private readonly open: OpenRequests;
  private readonly listings: EndpointListings;
  private readonly queries: RequestQueries;

  constructor(client: DocumentSender, options: RequestStoreOptions) {
    const clock = new StoreClock(options.now ?? Date.now, options.retentionDays);
    this.logs = new LogMerge(client, options, clock);
    this.notifications = new NotificationMerge(client, options.tableName, clock);
    this.open = new OpenRequests(client, { requests: options.tableName, state: options.stateTable }, clock);
    this.listings = new EndpointListings(client, options.stateTable, clock);
    this.queries = new RequestQueries(client, options.tableName, this.listings);
  }

  /** Executes a log merge plan (lib/correlate/log-merge.ts decides it). */
  writeLogMerge(half: LogHalf, plan: LogMergePlan): Promise<LogWriteResult> {
    return this.logs.write(half, plan);
  }

  readLogState(key: { inferenceId: string; endpointName: string }): Promise<KnownLogState> {
    return this.logs.readState(key);
  }

  /** Merges one notification under the condition its policy gives (lib/correlate/duplicates.ts). */
  mergeNotification(half: NotificationHalf, condition: NotificationCondition): Promise<NotificationMergeResult> {
    return this.notifications.merge(half, condition);
  }

  /** Lists the requests a batch opened, for the stuck sweeper (see OpenRequests.list). */
  listOpen(requests: readonly OpenRequest[]): Promise<void> {
    return this.open.list(requests);
  }

  /** Lists the requests a batch merged in their endpoints' listings (see EndpointListings.list). */
  listByEndpoint(listings: readonly EndpointListing[]): Promise<void> {
    return this.listings.list(listings);
  }

  /** One page of a shard's open lists whose requests all opened before `before`, oldest first. */
  openListsPage(shard: number, before: string, options: { limit: number; startKey?: Record<string, unknown> }): Promise<{ lists: OpenList[]; next?: Record<string, unknown> }> {
    return this.open.page(shard, before, options);
  }

  /** Deletes an open list once every request on it was checked. */
  removeOpenList(list: OpenList): Promise<void> {
    return this.open.remove(list);
  }

  /** The records of these requests as they are now (expired ones left out). */
  records(keys: readonly { inferenceId: string; endpointName: string }[]): Promise<RequestRecord[]> {
    return this.queries.records(keys);
  }

  /** Marks a request stuck while it has no notification: true exactly once (see OpenRequests.markStuck). */
  markStuck(key: { inferenceId: string; endpointName: string }, stuckAt: string): Promise<boolean> {
    return this.open.markStuck(key, stuckAt);
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
