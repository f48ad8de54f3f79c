import { decodeSubscriptionData } from '../logs/subscription';
import { dataLogSource } from '../logs/source';
import { parseDataLogLine } from '../logs/data-log';
import type { LogRecordInput } from '../logs/kinesis-event';
import type { LogHalf } from '../requests/halves';
import type { EndpointListing, OpenRequest } from '../requests/merge-plan';
import type { LogLine } from '../requests/log-line';
import { Counters, silentLog, type LogSink, type Observation } from '../telemetry/observations';
import { errorName, isRetryableAwsError } from '../aws/errors';
import { isValidTime } from '../util/iso-time';
import { settleWithLimit } from '../util/pool';
import { classifyMessage } from './classify';
import { compareLines, dedupeWithinBatch } from './duplicates';
import type { LogMergeResult } from './log-merge';
import { listOpened, listSlice } from './slice-lists';
import { StreamTails, type StreamTail } from './stream-tails';

export interface LogHalfSink {
  mergeLogHalf(half: LogHalf): Promise<LogMergeResult>;
  /** Lists the requests a slice opened, for the stuck sweeper (absent: nothing is swept). */
  listOpen?(requests: readonly OpenRequest[]): Promise<void>;
  /** Lists the requests a slice merged under their endpoints, for queries by endpoint (absent: not listed). */
  listByEndpoint?(listings: readonly EndpointListing[]): Promise<void>;
}

export interface ProcessLogsDeps {
  /** Usually a RequestMerges (./request-merges.ts) over the request store. */
  store: LogHalfSink;
  log?: LogSink;
  /** Store writes in flight at once. */
  concurrency?: number;
  /** The last line of each log stream, kept across batches (one per warm container). */
  tails?: StreamTails;
  /** Data-log lines decoded before their requests are merged: bounds memory on any batch. */
  sliceLines?: number;
  now?: () => number;
}

export interface ProcessLogsOutcome {
  /** Records to report as failed: only those a retry could help (a store write that failed). */
  failedIds: Set<string>;
  counters: Counters;
  observations: Observation[];
}

interface Group {
  half: LogHalf;
  /** Sequence numbers of the records that carried the request's lines, first seen first. */
  recordIds: string[];
}

/** The last line of a stream within this batch, which continuation lines attach to. */
interface Head {
  group: Group;
  line?: LogLine;
}

const SAMPLE_CHARS = 200;
/** Longest message kept in memory for one line with its continuations; the store keeps less. */
const MAX_BODY_CHARS = 16_384;
const SLICE_LINES = 50_000;

/**
 * The log half of the data path: decode every record, keep the data-log lines of async
 * endpoints, group them by request, and merge each request with one store write. Lines without
 * the `[sagemaker logs] [id]` prefix continue the previous line of their stream (an error body
 * written one line per event), in this batch or, through `tails`, in the last one. Records are
 * decoded and merged in slices of `sliceLines` lines, so a batch that decompresses to tens of
 * megabytes is never held whole. A record fails only when a write it contributed to failed for
 * a reason a retry could fix; malformed records are counted and logged with their sequence
 * number and never block the shard.
 */
export async function processLogRecords(records: readonly LogRecordInput[], deps: ProcessLogsDeps): Promise<ProcessLogsOutcome> {
  const log = deps.log ?? silentLog;
  const counters = new Counters();
  const tails = deps.tails ?? new StreamTails();
  const now = deps.now ?? Date.now;
  const sliceLines = deps.sliceLines ?? SLICE_LINES;
  const failedIds = new Set<string>();
  const observations: Observation[] = [];

  // Requests by endpoint, then inference id: no composite key string to build for every line.
  let byEndpoint = new Map<string, Map<string, Group>>();
  // In order of first appearance, which is the order of the store writes.
  let list: Group[] = [];
  let heads = new Map<string, Head>();
  let lines = 0;

  const groupOf = (endpointName: string, inferenceId: string, variantName: string, recordId: string): Group => {
    let groups = byEndpoint.get(endpointName);
    if (!groups) {
      groups = new Map();
      byEndpoint.set(endpointName, groups);
    }
    let group = groups.get(inferenceId);
    if (!group) {
      group = { half: { inferenceId, endpointName, variantName, lines: [] }, recordIds: [recordId] };
      groups.set(inferenceId, group);
      list.push(group);
    } else if (group.recordIds[group.recordIds.length - 1] !== recordId && !group.recordIds.includes(recordId)) {
      // Records are read one after the other, so a record seen before is nearly always the last.
      group.recordIds.push(recordId);
    }
    return group;
  };

  const flush = async (): Promise<void> => {
    const slice = list;
    const sliceHeads = heads;
    byEndpoint = new Map();
    list = [];
    heads = new Map();
    lines = 0;
    for (const group of slice) {
      if (group.half.lines.length > 1) group.half.lines.sort(compareLines);
      dedupeWithinBatch(group.half, counters);
    }
    const results = await mergeGroups(slice, deps, counters, log, failedIds);
    results.forEach((result, index) => {
      if (!result) return;
      const { half } = slice[index]!;
      counters.add('DataLogLinesDuplicate', half.lines.length - result.addedLines);
      if (result.firstErrors && !result.notified) {
        observations.push({ name: 'LogErrorsWithoutNotification', unit: 'Count', value: 1, dimensionSets: [{ EndpointName: half.endpointName }] });
      }
    });
    await Promise.all([listOpened(slice, results, deps.store, counters, log, failedIds, now), listSlice(slice, results, deps.store, counters, log, failedIds)]);
    // What continuation lines of the next batch (or slice) attach to.
    for (const [stream, head] of sliceHeads) {
      const result = results[slice.indexOf(head.group)];
      if (!result) {
        tails.delete(stream);
        continue;
      }
      const { half } = head.group;
      if (head.line) {
        const index = result.storedIndexes[half.lines.indexOf(head.line)] ?? -1;
        tails.set(stream, { inferenceId: half.inferenceId, endpointName: half.endpointName, variantName: half.variantName, instanceId: head.line.instanceId, message: head.line.message, index });
      } else if (half.continuation) {
        const previous = tails.get(stream);
        if (previous) tails.set(stream, { ...previous, message: half.continuation.message });
      }
    }
  };

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
    const stream = `${payload.logGroup}\u0000${payload.logStream}`;
    for (const event of payload.logEvents) {
      const eventAt = isValidTime(event.timestamp) ? event.timestamp : now();
      const parsed = parseDataLogLine(event.message, eventAt);
      if (!parsed) {
        if (attachContinuation(stream, event, eventAt, source.instanceId, record.id)) {
          counters.add('DataLogContinuationLines');
          continue;
        }
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
      const group = groupOf(source.endpointName, parsed.inferenceId, source.variantName, record.id);
      const { category, statusCode } = classifyMessage(parsed.message);
      const message = parsed.message.length > MAX_BODY_CHARS ? parsed.message.slice(0, MAX_BODY_CHARS) : parsed.message;
      // Two literals rather than a conditional spread: object spread is a slow path in V8 and
      // this runs for every line.
      const line: LogLine =
        statusCode !== undefined
          ? { eventId: event.id, at: parsed.at, message, category, statusCode, instanceId: source.instanceId }
          : { eventId: event.id, at: parsed.at, message, category, instanceId: source.instanceId };
      group.half.lines.push(line);
      heads.set(stream, { group, line });
      lines++;
    }
    if (lines >= sliceLines) await flush();
  }
  if (list.length > 0) await flush();
  return { failedIds, counters, observations };

  /** Attaches a line without the prefix to the last line of its stream; false when there is none. */
  function attachContinuation(stream: string, event: { id: string; message: string }, at: number, instanceId: string, recordId: string): boolean {
    const head = heads.get(stream);
    if (head?.line) {
      const line = head.line;
      if (line.message.length < MAX_BODY_CHARS) line.message = `${line.message}\n${event.message}`.slice(0, MAX_BODY_CHARS);
      line.through = { at, eventId: event.id };
      if (!head.group.recordIds.includes(recordId)) head.group.recordIds.push(recordId);
      return true;
    }
    const tail: StreamTail | undefined = head ? undefined : tails.get(stream);
    const target = head?.group ?? (tail && groupOf(tail.endpointName, tail.inferenceId, tail.variantName, recordId));
    if (!target) return false;
    const previous = target.half.continuation;
    const base = previous?.message ?? tail?.message ?? '';
    const message = base.length < MAX_BODY_CHARS ? `${base}\n${event.message}`.slice(0, MAX_BODY_CHARS) : base;
    target.half.continuation = { index: previous?.index ?? tail?.index ?? -1, message, instanceId, at, eventId: event.id };
    if (!target.recordIds.includes(recordId)) target.recordIds.push(recordId);
    heads.set(stream, { group: target });
    return true;
  }
}

/** One merge per request, at most `concurrency` in flight; undefined where the write failed. */
async function mergeGroups(groups: readonly Group[], deps: ProcessLogsDeps, counters: Counters, log: LogSink, failedIds: Set<string>): Promise<Array<LogMergeResult | undefined>> {
  const settled = await settleWithLimit(groups, deps.concurrency ?? 32, (group) => deps.store.mergeLogHalf(group.half));
  return settled.map((outcome, index) => {
    if (outcome.status === 'fulfilled') return outcome.value;
    const { half, recordIds } = groups[index]!;
    const retryable = isRetryableAwsError(outcome.reason);
    counters.add(retryable ? 'StoreWriteFailures' : 'StoreWritesRejected');
    if (retryable) for (const id of recordIds) failedIds.add(id);
    log[retryable ? 'warn' : 'error'](retryable ? 'store write failed; records will be retried' : 'store rejected a request merge; lines set aside', {
      inferenceId: half.inferenceId,
      endpointName: half.endpointName,
      error: errorName(outcome.reason),
      errorMessage: (outcome.reason as Error)?.message,
      sequenceNumbers: [...recordIds],
    });
    return undefined;
  });
}
