import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../lib/config';
import { processNotifications, type NotificationSink } from '../lib/correlate/process-notifications';
import { NotificationMerges } from '../lib/correlate/notification-merges';
import { notificationRequestsFromConfig } from '../lib/store';
import { notificationInputsFromEvent, type NotificationInput } from '../lib/notifications/event';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';
import { requestAlertingFromConfig } from '../lib/alerts/runtime';
import type { AlertPublisher } from '../lib/alerts/publish';
import { detectFromNotifications } from '../lib/alerts/request-alerts';
import { LagRecorder, queueLag, type QueuedMessage } from '../lib/detect/watermark';

/**
 * SQS (subscribed to the async endpoints' SNS topics) → processNotifications. Also accepts an
 * SNS Lambda event, and a bare notification for local invokes. After the records are stored,
 * the request-level detectors judge the endpoints of the batch, and the queue's own lag is
 * recorded (the notification input's watermark).
 */
export function createHandler(overrides: { store?: NotificationSink; publisher?: AlertPublisher; now?: () => number } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    const logger = createLogger(config.serviceName);
    const { requests, windows, detectors, pipeline } = requestAlertingFromConfig(config, {
      requests: notificationRequestsFromConfig(config),
      log: logger,
      ...(overrides.publisher ? { publisher: overrides.publisher } : {}),
      ...(overrides.now ? { now: overrides.now } : {}),
    });
    return {
      logger,
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      store: overrides.store ?? new NotificationMerges(requests),
      detectors,
      lag: new LagRecorder('notifications', (lag) => windows.putInputLag(lag)),
      pipeline,
    };
  };

  return async (event: unknown): Promise<SQSBatchResponse> => {
    runtime ??= build();
    const { logger, requestMetrics, opsMetrics, store, detectors } = runtime;
    const now = detectors.now();
    const { source, inputs } = notificationInputsFromEvent(event);
    const outcome = await processNotifications(inputs, { store, log: logger });
    publishObservations(requestMetrics, outcome.observations);
    const lagMs = queueLag(queuedMessages(event, inputs), now);
    const newestEventAt = newestEvent(inputs);
    const detection = await detectFromNotifications(
      outcome.applied.map(({ half }) => half),
      now - lagMs,
      detectors,
    );
    for (const entry of detection.counters.entries()) outcome.counters.add(entry.name, entry.value, entry.dimensions);
    let sent = detection.alerts.filter((a) => a.result.sent).length;
    try {
      const held = runtime.lag.observe(lagMs, now, newestEventAt);
      await runtime.lag.record(held, now);
      // The queue's lag alone: the sweeper, which also sees the input's silence, resolves the alert.
      const behind = await runtime.pipeline.observe('notifications', held, now, { resolves: false });
      if (behind?.result.sent) sent++;
    } catch (error) {
      outcome.counters.add('DetectorErrors');
      logger.warn('could not record the notification queue lag', { error: String(error) });
    }
    outcome.counters.add('AlertsSent', sent);
    publishCounters(opsMetrics, outcome.counters);
    logger.info('notifications processed', { messages: inputs.length, queueLagMs: lagMs, ...outcome.counters.toJSON() });

    if (source !== 'sqs') {
      // SNS invokes asynchronously: throwing hands the message to Lambda's retries and DLQ.
      if (outcome.failedIds.size > 0) throw new Error('store writes failed; the notification will be retried');
      return { batchItemFailures: [] };
    }
    // Notifications are merged as one batch, so which messages failed is known only once it is
    // done: those are reported, in the batch's order.
    const failed = (event as SQSEvent).Records.filter((record) => outcome.failedIds.has(record.messageId));
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
  };
}

/** The newest notification event time of the batch (an SNS or bare invoke too): the path's own progress. */
function newestEvent(inputs: readonly NotificationInput[]): number | undefined {
  let newest: number | undefined;
  for (const input of inputs) {
    const at = eventTimeOf(input);
    if (at !== undefined && (newest === undefined || at > newest)) newest = at;
  }
  return newest;
}

/** The notification's own event time, epoch ms, when it has a readable one. */
function eventTimeOf(input: NotificationInput): number | undefined {
  if (input.parsed.kind !== 'notification' || !input.parsed.notification.eventTime) return undefined;
  const at = Date.parse(input.parsed.notification.eventTime);
  return Number.isFinite(at) ? at : undefined;
}

/** When each SQS message entered the queue, and when its notification's event happened. */
function queuedMessages(event: unknown, inputs: readonly NotificationInput[]): QueuedMessage[] {
  const records = (event as { Records?: Array<{ messageId?: unknown; attributes?: { SentTimestamp?: unknown } }> }).Records;
  if (!Array.isArray(records)) return [];
  const eventTimes = new Map<string, number>();
  for (const input of inputs) {
    const at = eventTimeOf(input);
    if (at !== undefined) eventTimes.set(input.id, at);
  }
  return records.map((record) => {
    const sent = Number(record?.attributes?.SentTimestamp);
    const id = typeof record?.messageId === 'string' ? record.messageId : '';
    return { ...(Number.isFinite(sent) ? { sentAt: sent } : {}), ...(eventTimes.has(id) ? { eventAt: eventTimes.get(id)! } : {}) };
  });
}

export const handler = createHandler();
