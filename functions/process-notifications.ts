import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../lib/config';
import { processNotifications, type NotificationSink } from '../lib/correlate/process-notifications';
import { RequestMerges } from '../lib/correlate/request-merges';
import { notificationInputsFromEvent } from '../lib/notifications/event';
import { requestStoreFromConfig } from '../lib/store';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';
import { createDocumentClient } from '../lib/aws/clients';
import { alertingFromConfig } from '../lib/alerts/runtime';
import type { AlertPublisher } from '../lib/alerts/publish';
import { detectFromNotifications, type RequestDetectorDeps } from '../lib/detect/request-detectors';
import { detectorSettings } from '../lib/detect/settings';
import { WindowStore } from '../lib/store/windows';

/**
 * SQS (subscribed to the async endpoints' SNS topics) → processNotifications. Also accepts an
 * SNS Lambda event, and a bare notification for local invokes.
 */
export function createHandler(overrides: { store?: NotificationSink; publisher?: AlertPublisher; now?: () => number } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    const logger = createLogger(config.serviceName);
    const client = createDocumentClient({ region: config.region });
    const requests = requestStoreFromConfig(config, client);
    const alerting = alertingFromConfig(config, { log: logger, ...(overrides.publisher ? { publisher: overrides.publisher } : {}) });
    const detectors: RequestDetectorDeps = {
      windows: new WindowStore(client, config.stateTable),
      requests,
      dispatch: alerting.dispatch,
      alertState: (fingerprint) => alerting.store.state(fingerprint),
      settings: detectorSettings(config),
      region: config.region,
      namePrefix: config.namePrefix,
      now: overrides.now ?? Date.now,
      log: logger,
    };
    return {
      logger,
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      store: overrides.store ?? new RequestMerges(requests),
      detectors,
      processor: new BatchProcessor(EventType.SQS),
    };
  };

  return async (event: unknown): Promise<SQSBatchResponse> => {
    runtime ??= build();
    const { logger, requestMetrics, opsMetrics, store, detectors, processor } = runtime;
    const { source, inputs } = notificationInputsFromEvent(event);
    const outcome = await processNotifications(inputs, { store, log: logger });
    publishObservations(requestMetrics, outcome.observations);
    const detection = await detectFromNotifications(
      outcome.applied.map(({ half }) => half),
      detectors,
    );
    for (const entry of detection.counters.entries()) outcome.counters.add(entry.name, entry.value, entry.dimensions);
    outcome.counters.add('AlertsSent', detection.alerts.filter((a) => a.result.sent).length);
    publishCounters(opsMetrics, outcome.counters);
    logger.info('notifications processed', { messages: inputs.length, ...outcome.counters.toJSON() });

    if (source !== 'sqs') {
      // SNS invokes asynchronously: throwing hands the message to Lambda's retries and DLQ.
      if (outcome.failedIds.size > 0) throw new Error('store writes failed; the notification will be retried');
      return { batchItemFailures: [] };
    }
    return processPartialResponse(
      event as SQSEvent,
      async (record: SQSRecord) => {
        if (outcome.failedIds.has(record.messageId)) {
          throw new Error(`store write failed for message ${record.messageId}`);
        }
      },
      processor,
      { throwOnFullBatchFailure: false },
    );
  };
}

export const handler = createHandler();
