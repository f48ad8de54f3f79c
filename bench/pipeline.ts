/**
 * What the bench times: processLogs' own work on a batch, from the event Lambda hands over
 * to the store calls (with the store's input building and response mapping, over a sink that
 * only counts) and the EMF metrics, and the physical floor of the log path: decoding the same
 * records and nothing else.
 */
import { gunzipSync } from 'node:zlib';
import { parseConfig } from '../lib/config';
import { processLogRecords } from '../lib/correlate/process-logs';
import type { LogRecordInput } from '../lib/logs/kinesis-event';
import { RequestMerges } from '../lib/correlate/request-merges';
import { logRecordsFromEvent } from '../lib/logs/kinesis-event';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';
import { sinkStore } from './sinks';

/** base64 → gunzip → JSON.parse of every record: the least any processor of this input must do. */
export function decodeFloor(records: readonly LogRecordInput[]): number {
  let events = 0;
  for (const record of records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(record.data, 'base64')).toString('utf8')) as { logEvents?: unknown[] };
    events += payload.logEvents?.length ?? 0;
  }
  return events;
}

export interface PipelineRun {
  logEvents: number;
  storeCalls: number;
}

/**
 * The processLogs handler's work up to and around its store calls, as functions/process-logs.ts
 * does it, with the deployed configuration's defaults. Powertools writes its EMF documents and
 * the batch log line to stdout; callers discard it (see withDiscardedStdout).
 */
export function createLogPipeline(): (event: unknown) => Promise<PipelineRun> {
  const config = parseConfig({});
  const logger = createLogger(config.serviceName);
  const requestMetrics = createRequestMetrics(config.metricsNamespace);
  const opsMetrics = createOpsMetrics(config.metricsNamespace, config.serviceName);
  const { store: requests, sender } = sinkStore();
  const store = new RequestMerges(requests);
  return async (event) => {
    const before = sender.counts.updates + sender.counts.gets;
    const { records } = logRecordsFromEvent(event);
    const outcome = await processLogRecords(records, { store, log: logger });
    publishObservations(requestMetrics, outcome.observations);
    publishCounters(opsMetrics, outcome.counters);
    logger.info('log batch processed', { records: records.length, ...outcome.counters.toJSON() });
    return {
      logEvents: outcome.counters.total('DataLogLines') + outcome.counters.total('DataLogLinesUnparsed') + outcome.counters.total('LogEventsIgnored'),
      storeCalls: sender.counts.updates + sender.counts.gets - before,
    };
  };
}
