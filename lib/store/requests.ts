import type { LogHalf } from '../requests/halves';
import type { KnownLogState, LogMergePlan, LogMergeStore, LogWriteResult, OpenRequest } from '../requests/merge-plan';
import { NotificationRequests, type NotificationRequestsOptions } from './notification-requests';
import type { DocumentSender } from './requests-item';
import { LogMerge } from './requests-log-merge';
import { OpenRequests, type OpenList } from './requests-open';

/**
 * The `requests` table: one item per (inferenceId, endpointName), merged from two halves that
 * arrive in any order, any number of times. Every merge is a single conditional UpdateItem with
 * no read before it; the conditions make repeats no-ops and tell the caller whether its write
 * was the one that changed the record (which is what guards derived metrics and alerts).
 * Each concern lives in its own file: requests-log-merge, requests-notification-merge,
 * requests-open (the sweeper's lists of open requests), requests-by-endpoint (each endpoint's
 * listing by time), requests-queries and requests-item (the item mapping); the notification
 * path's part of them is ./notification-requests.ts.
 */
export type { DocumentSender } from './requests-item';
export type { NotificationMergeResult } from './requests-notification-merge';
export type { EndpointQuery } from './requests-queries';
export { OPEN_SHARDS, openShardName, type OpenList } from './requests-open';
export { toRecord } from './requests-item';

export interface RequestStoreOptions extends NotificationRequestsOptions {
  maxLogLines: number;
  maxLogLineChars: number;
}

export class RequestStore extends NotificationRequests implements LogMergeStore {
  private readonly logs: LogMerge;
  private readonly open: OpenRequests;

  constructor(client: DocumentSender, options: RequestStoreOptions) {
    super(client, options);
    this.logs = new LogMerge(client, options, this.clock);
    this.open = new OpenRequests(client, { requests: options.tableName, state: options.stateTable }, this.clock);
  }

  /** Executes a log merge plan (lib/correlate/log-merge.ts decides it). */
  writeLogMerge(half: LogHalf, plan: LogMergePlan): Promise<LogWriteResult> {
    return this.logs.write(half, plan);
  }

  readLogState(key: { inferenceId: string; endpointName: string }): Promise<KnownLogState> {
    return this.logs.readState(key);
  }

  /** Lists the requests a batch opened, for the stuck sweeper (see OpenRequests.list). */
  listOpen(requests: readonly OpenRequest[]): Promise<void> {
    return this.open.list(requests);
  }

  /** One page of a shard's open lists whose requests all opened before `before`, oldest first. */
  openListsPage(shard: number, before: string, options: { limit: number; startKey?: Record<string, unknown> }): Promise<{ lists: OpenList[]; next?: Record<string, unknown> }> {
    return this.open.page(shard, before, options);
  }

  /** Deletes an open list once every request on it was checked. */
  removeOpenList(list: OpenList): Promise<void> {
    return this.open.remove(list);
  }

  /** Marks a request stuck while it has no notification: true exactly once (see OpenRequests.markStuck). */
  markStuck(key: { inferenceId: string; endpointName: string }, stuckAt: string): Promise<boolean> {
    return this.open.markStuck(key, stuckAt);
  }
}
