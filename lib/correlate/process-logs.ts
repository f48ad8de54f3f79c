import { decodeSubscriptionData } from '../logs/subscription';
import { dataLogSource } from '../logs/source';
import { parseDataLogLine } from '../logs/data-log';
import type { LogRecordInput } from '../logs/kinesis-event';
import type { LogHalf } from '../requests/halves';
import { Counters, silentLog, type LogSink, type Observation } from '../telemetry/observations';
import type { LogMergeResult } from '../store/requests';
import { classifyMessage } from './classify';
import { errorName, isRetryableAwsError } from '../aws/clients';
import { settleWithLimit } from '../util/pool';


export interface LogHalfSink {
  mergeLogHalf(half: LogHalf): Promise<LogMergeResult>;
}

export interface ProcessLogsDeps {
  store: LogHalfSink;
  log?: LogSink;
  /** Store writes in flight at once. */
  concurrency?: number;
}

export interface ProcessLogsOutcome {
  /** Records to report as failed: only those a retry could help (a store write that failed). */
  failedIds: Set<string>;
  counters: Counters;
  observations: Observation[];
  /** Requests touched in this batch, with what the store said of each. */
  merged: Array<{ half: LogHalf; result: LogMergeResult }>;
}

interface Group {
  half: LogHalf;
  /** Sequence numbers of the records that carried the request's lines, first seen first. */
  recordIds: string[];
}

const SAMPLE_CHARS = 200;

/**
 * The log half of the data path: decode every record, keep the data-log lines of async
 * endpoints, group them by request, and merge each request with one store write. A record
 * fails only when a write it contributed to failed for a reason a retry could fix; malformed
 * records are counted and logged with their sequence number and never block the shard.
 */
export async function processLogRecords(records: readonly LogRecordInput[], deps: ProcessLogsDeps): Promise<ProcessLogsOutcome> {
  const log = deps.log ?? silentLog;
  const counters = new Counters();
  // Requests by endpoint, then inference id: no composite key string to build for every line.
  const byEndpoint = new Map<string, Map<string, Group>>();
  // In order of first appearance, which is the order of the store writes.
  const list: Group[] = [];

  for (const record of records) {
    counters.add('LogRecords');
    const decoded = decodeSubscriptionData(record.data);
    if (!decoded.ok) {
      counters.add('LogRecordsMalformed', 1, { Reason: decoded.reason });
      log.warn('malformed log subscription record set aside', {
        sequenceNumber: record.id,
        reason: decoded.reason,
        detail: decoded.detail,
        sample: record.data.slice(0, SAMPLE_CHARS),
      });
      continue;
    }
    const { payload } = decoded;
    if (payload.messageType === 'CONTROL_MESSAGE') {
      counters.add('LogControlMessages');
      continue;
    }
    const source = dataLogSource(payload.logGroup, payload.logStream);
    if (!source) {
      counters.add('LogEventsIgnored', payload.logEvents.length);
      continue;
    }
    let groups = byEndpoint.get(source.endpointName);
    if (!groups) {
      groups = new Map();
      byEndpoint.set(source.endpointName, groups);
    }
    for (const event of payload.logEvents) {
      const line = parseDataLogLine(event.message, event.timestamp);
      if (!line) {
        counters.add('DataLogLinesUnparsed');
        log.debug('data-log line without an inference id', {
          sequenceNumber: record.id,
          logGroup: payload.logGroup,
          logStream: payload.logStream,
          eventId: event.id,
          sample: event.message.slice(0, SAMPLE_CHARS),
        });
        continue;
      }
      counters.add('DataLogLines');
      let group = groups.get(line.inferenceId);
      if (!group) {
        group = {
          half: { inferenceId: line.inferenceId, endpointName: source.endpointName, variantName: source.variantName, lines: [] },
          recordIds: [record.id],
        };
        groups.set(line.inferenceId, group);
        list.push(group);
      } else if (group.recordIds[group.recordIds.length - 1] !== record.id && !group.recordIds.includes(record.id)) {
        // Records are read one after the other, so a record seen before is nearly always the last.
        group.recordIds.push(record.id);
      }
      const { category, statusCode } = classifyMessage(line.message);
      // Two literals rather than a conditional spread: object spread is a slow path in V8 and
      // this runs for every line.
      group.half.lines.push(
        statusCode !== undefined
          ? { eventId: event.id, at: line.at, message: line.message, category, statusCode, instanceId: source.instanceId }
          : { eventId: event.id, at: line.at, message: line.message, category, instanceId: source.instanceId },
      );
    }
  }

  for (const group of list) {
    if (group.half.lines.length > 1) group.half.lines.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1));
    dedupeWithinBatch(group.half, counters);
  }

  const failedIds = new Set<string>();
  const observations: Observation[] = [];
  const merged: ProcessLogsOutcome['merged'] = [];
  const settled = await settleWithLimit(list, deps.concurrency ?? 32, (group) => deps.store.mergeLogHalf(group.half));
  settled.forEach((outcome, index) => {
    const group = list[index]!;
    const { half } = group;
    if (outcome.status === 'rejected') {
      if (isRetryableAwsError(outcome.reason)) {
        counters.add('StoreWriteFailures');
        for (const id of group.recordIds) failedIds.add(id);
        log.warn('store write failed; records will be retried', {
          inferenceId: half.inferenceId,
          endpointName: half.endpointName,
          error: errorName(outcome.reason),
          errorMessage: (outcome.reason as Error)?.message,
          sequenceNumbers: [...group.recordIds],
        });
      } else {
        counters.add('StoreWritesRejected');
        log.error('store rejected a request merge; lines set aside', {
          inferenceId: half.inferenceId,
          endpointName: half.endpointName,
          error: errorName(outcome.reason),
          errorMessage: (outcome.reason as Error)?.message,
          sequenceNumbers: [...group.recordIds],
        });
      }
      return;
    }
    const result = outcome.value;
    merged.push({ half, result });
    counters.add('DataLogLinesDuplicate', half.lines.length - result.addedLines);
    if (result.firstErrors && !result.notified) {
      observations.push({
        name: 'LogErrorsWithoutNotification',
        unit: 'Count',
        value: 1,
        dimensionSets: [{ EndpointName: half.endpointName }],
      });
    }
  });
  return { failedIds, counters, observations, merged };
}

/** CloudWatch Logs can deliver one event twice in a batch; keep the first. */
function dedupeWithinBatch(half: LogHalf, counters: Counters): void {
  if (half.lines.length < 2) return;
  const seen = new Set<string>();
  const before = half.lines.length;
  half.lines = half.lines.filter((line) => (seen.has(line.eventId) ? false : (seen.add(line.eventId), true)));
  counters.add('DataLogLinesDuplicate', before - half.lines.length);
}
