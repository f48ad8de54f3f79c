import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../lib/config';
import { processNotifications, type NotificationSink } from '../lib/correlate/process-notifications';
import { notificationInputsFromEvent } from '../lib/notifications/event';
import { requestStoreFromConfig } from '../lib/store';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';

/**
 * SQS (subscribed to the async endpoints' SNS topics) → processNotifications. Also accepts an
 * SNS Lambda event, and a bare notification for local invokes.
 */
export function createHandler(overrides: { store?: NotificationSink } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    return {
      logger: createLogger(config.serviceName),
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      store: overrides.store ?? requestStoreFromConfig(config),
      processor: new BatchProcessor(EventType.SQS),
    };
  };

  return async (event: unknown): Promise<SQSBatchResponse> => {
    runtime ??= build();
    const { logger, requestMetrics, opsMetrics, store, processor } = runtime;
    const { source, inputs } = notificationInputsFromEvent(event);
    const outcome = await processNotifications(inputs, { store, log: logger });
    publishObservations(requestMetrics, outcome.observations);
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
