import type { NotificationInput } from '../notifications/event';
import type { NotificationHalf } from '../requests/halves';
import type { EndpointListing } from '../requests/merge-plan';
import { Counters, silentLog, type LogSink, type Observation } from '../telemetry/observations';
import { notificationHalf } from './halves';
import type { NotificationMergeResult } from '../store/requests';
import { errorName, isRetryableAwsError } from '../aws/errors';
import { settleWithLimit } from '../util/pool';
import { listMerged, type MergedRequest } from './endpoint-listing';

export interface NotificationSink {
  mergeNotification(half: NotificationHalf): Promise<NotificationMergeResult>;
  /** Lists the requests a batch merged under their endpoints, for queries by endpoint (absent: not listed). */
  listByEndpoint?(listings: readonly EndpointListing[]): Promise<void>;
}

export interface ProcessNotificationsDeps {
  store: NotificationSink;
  log?: LogSink;
  concurrency?: number;
}

export interface ProcessNotificationsOutcome {
  failedIds: Set<string>;
  counters: Counters;
  observations: Observation[];
  /** Notifications this batch applied (first delivery of each), with the merged record. */
  applied: Array<{ half: NotificationHalf; result: NotificationMergeResult }>;
}

const SAMPLE_CHARS = 500;

/**
 * The notification half of the data path. Derived metrics are emitted only for a notification
 * whose conditional write changed the record, so redeliveries never count twice.
 */
export async function processNotifications(inputs: readonly NotificationInput[], deps: ProcessNotificationsDeps): Promise<ProcessNotificationsOutcome> {
  const log = deps.log ?? silentLog;
  const counters = new Counters();
  const work: Array<{ input: NotificationInput; half: NotificationHalf }> = [];
  for (const input of inputs) {
    counters.add('Notifications');
    const { parsed } = input;
    if (parsed.kind === 'malformed') {
      counters.add('NotificationsMalformed', 1, { Reason: parsed.reason });
      log.warn('malformed notification set aside', {
        messageId: input.id,
        reason: parsed.reason,
        detail: parsed.detail,
        ...(input.raw !== undefined ? { sample: input.raw.slice(0, SAMPLE_CHARS) } : {}),
      });
      continue;
    }
    if (parsed.kind === 'ignored') {
      counters.add('NotificationsIgnored');
      log.info('message ignored', { messageId: input.id, reason: parsed.reason });
      continue;
    }
    for (const problem of parsed.notification.problems ?? []) {
      // Kept (queryable by its completion or arrival time, the problem on the record) and counted.
      counters.add('NotificationProblems', 1, { Problem: problem.code });
      log.warn('notification stored with a problem', { messageId: input.id, inferenceId: parsed.notification.inferenceId, problem: problem.detail });
    }
    work.push({ input, half: notificationHalf(parsed.notification) });
  }

  const failedIds = new Set<string>();
  const observations: Observation[] = [];
  const applied: ProcessNotificationsOutcome['applied'] = [];
  const settled = await settleWithLimit(work, deps.concurrency ?? 16, ({ half }) => deps.store.mergeNotification(half));
  settled.forEach((outcome, index) => {
    const { input, half } = work[index]!;
    if (outcome.status === 'rejected') {
      const retryable = isRetryableAwsError(outcome.reason);
      counters.add(retryable ? 'StoreWriteFailures' : 'StoreWritesRejected');
      if (retryable) failedIds.add(input.id);
      log[retryable ? 'warn' : 'error'](retryable ? 'store write failed; message will be retried' : 'store rejected a notification; set aside', {
        messageId: input.id,
        inferenceId: half.inferenceId,
        endpointName: half.endpointName,
        error: errorName(outcome.reason),
        errorMessage: (outcome.reason as Error)?.message,
      });
      return;
    }
    if (!outcome.value.applied) {
      counters.add('NotificationsDuplicate');
      return;
    }
    counters.add('NotificationsApplied');
    applied.push({ half, result: outcome.value });
    observations.push(...derivedMetrics(half));
  });
  const merged: MergedRequest[] = [];
  settled.forEach((outcome, index) => {
    if (outcome.status !== 'fulfilled' || outcome.value.requestTime === undefined) return;
    // Its data-log lines came first and were listed then; a duplicate is listed again, as its first delivery may have failed before listing.
    if (outcome.value.applied && outcome.value.record?.sources.includes('logs')) return;
    const { input, half } = work[index]!;
    merged.push({ listing: { inferenceId: half.inferenceId, endpointName: half.endpointName, requestTime: outcome.value.requestTime }, retry: [input.id] });
  });
  await listMerged(deps.store, merged, counters, log, failedIds);
  return { failedIds, counters, observations, applied };
}

/** The request-level metrics one completed or failed request contributes, once. */
export function derivedMetrics(half: NotificationHalf): Observation[] {
  const endpoint = { EndpointName: half.endpointName };
  if (half.status === 'Completed') {
    const out: Observation[] = [{ name: 'RequestsCompleted', unit: 'Count', value: 1, dimensionSets: [endpoint] }];
    if (half.endToEndLatencyMs !== undefined) {
      out.push({ name: 'EndToEndLatency', unit: 'Milliseconds', value: half.endToEndLatencyMs, dimensionSets: [endpoint] });
    }
    return out;
  }
  return [
    {
      name: 'RequestsFailed',
      unit: 'Count',
      value: 1,
      dimensionSets: [endpoint, { ...endpoint, FailureCategory: half.failureCategory ?? 'Other' }],
    },
  ];
}
