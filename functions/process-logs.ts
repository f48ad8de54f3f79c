import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { loadConfig } from '../lib/config';
import { processLogRecords, type LogHalfSink } from '../lib/correlate/process-logs';
import { RequestMerges } from '../lib/correlate/request-merges';
import { StreamTails } from '../lib/correlate/stream-tails';
import { logRecordsFromEvent } from '../lib/logs/kinesis-event';
import { requestStoreFromConfig } from '../lib/store';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';

/**
 * Kinesis → processLogs: CloudWatch Logs subscription records of endpoint log groups.
 * Reports partial batch failures so one failed write never replays the whole shard.
 */
export function createHandler(overrides: { store?: LogHalfSink } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    return {
      logger: createLogger(config.serviceName),
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      store: overrides.store ?? new RequestMerges(requestStoreFromConfig(config)),
      // Kept while the container is warm: a stream's next batch continues its last line.
      tails: new StreamTails(),
    };
  };

  return async (event: unknown): Promise<KinesisStreamBatchResponse> => {
    runtime ??= build();
    const { logger, requestMetrics, opsMetrics, store, tails } = runtime;
    const { source, records } = logRecordsFromEvent(event);
    const outcome = await processLogRecords(records, { store, tails, log: logger });
    publishObservations(requestMetrics, outcome.observations);
    publishCounters(opsMetrics, outcome.counters);
    logger.info('log batch processed', { records: records.length, ...outcome.counters.toJSON() });

    if (source === 'awslogs') {
      if (outcome.failedIds.size > 0) throw new Error('store writes failed; the subscription will redeliver');
      return { batchItemFailures: [] };
    }
    // Requests are merged across the whole batch, not record by record, so which records failed
    // is known only once it is done: those are reported, in the batch's order.
    const failed = (event as KinesisStreamEvent).Records.filter((record) => outcome.failedIds.has(record.kinesis.sequenceNumber));
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })) };
  };
}

export const handler = createHandler();
