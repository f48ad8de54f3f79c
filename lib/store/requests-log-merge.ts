import { GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LogHalf } from '../requests/halves';
import type { LogLine, StoredLogLine } from '../requests/log-line';
import type { RequestSource } from '../requests/record';
import { isoTime } from '../util/iso-time';
import { isConditionFailure, itemFromConditionFailure, key, toRecord, type DocumentSender, type StoreClock } from './requests-item';
import { openShard } from './requests-open';
import type { RequestRecord } from '../requests/record';

/**
 * The log half's merge: one conditional UpdateItem per chunk of a request's lines, no read
 * before it. The condition makes a redelivered line a no-op; after a failed condition the
 * record's state is learnt (from the failure, or one consistent read) and only new lines sent.
 */
export interface LogMergeOptions {
  tableName: string;
  maxLogLines: number;
  maxLogLineChars: number;
  maxTrackedLogEventIds: number;
}

export interface LogMergeResult {
  /** Lines this call added (0 when every line had been stored before). */
  addedLines: number;
  addedErrorLines: number;
  /** True when this call stored the request's first error lines. */
  firstErrors: boolean;
  /** Whether the notification half had already arrived when this write happened. */
  notified: boolean;
  record?: RequestRecord;
  writes: number;
  reads: number;
}

// Condition expressions stay well inside DynamoDB's 4 KB expression limit at this many ids.
const IDS_PER_WRITE = 25;
const MAX_MERGE_ATTEMPTS = 4;

// What a log merge sets and adds depends only on which of these its input has, so each of the
// few possible expressions is built once.
const SHAPE_KEPT = 1;
const SHAPE_ERRORS = 2;
const SHAPE_STATUS = 4;
const SHAPE_TRACKED = 8;
const logUpdateExpressions = new Map<number, string>();

function logUpdateExpression(shape: number): string {
  let expression = logUpdateExpressions.get(shape);
  if (expression !== undefined) return expression;
  const sets = [
    '#status = if_not_exists(#status, :inProgress)',
    'requestTime = if_not_exists(requestTime, :firstAt)',
    'firstLogAt = if_not_exists(firstLogAt, :firstAt)',
    'variantName = if_not_exists(variantName, :variant)',
    // Until its notification arrives the request is open: the stuck sweeper reads this index.
    'openShard = if_not_exists(openShard, :shard)',
    'openSince = if_not_exists(openSince, :firstAt)',
    'expiresAt = :exp',
    'updatedAt = :now',
  ];
  const adds = ['logLineCount :n', 'sources :src'];
  if (shape & SHAPE_KEPT) sets.push('logLines = list_append(if_not_exists(logLines, :empty), :lines)');
  if (shape & SHAPE_ERRORS) {
    adds.push('logErrorCount :errs');
    sets.push('logCategory = if_not_exists(logCategory, :logCategory)');
    if (shape & SHAPE_STATUS) sets.push('logStatusCode = if_not_exists(logStatusCode, :logStatus)');
  }
  if (shape & SHAPE_TRACKED) adds.push('logEventIds :ids');
  expression = `SET ${sets.join(', ')} ADD ${adds.join(', ')}`;
  logUpdateExpressions.set(shape, expression);
  return expression;
}

const idKeys: string[] = [];

/** `:id0` … `:id<count - 1>`: the value names of the event ids a write checks. */
function idValueKeys(count: number): readonly string[] {
  while (idKeys.length < count) idKeys.push(`:id${idKeys.length}`);
  return idKeys;
}

function idChecks(count: number): string[] {
  return idValueKeys(count).slice(0, count).map((name) => `NOT contains(logEventIds, ${name})`);
}

const freshLogConditions = new Map<number, string>();

/** The condition of a first attempt, by how many ids it checks and whether it stores lines. */
function freshLogCondition(trackedCount: number, keepsLines: boolean): string {
  const memoKey = trackedCount * 2 + (keepsLines ? 1 : 0);
  let condition = freshLogConditions.get(memoKey);
  if (condition !== undefined) return condition;
  const conditions = [`(attribute_not_exists(logEventIds) OR (${['size(logEventIds) <= :idRoom', ...idChecks(trackedCount)].join(' AND ')}))`];
  if (keepsLines) conditions.push('(attribute_not_exists(logLines) OR size(logLines) <= :lineRoom)');
  condition = conditions.join(' AND ');
  freshLogConditions.set(memoKey, condition);
  return condition;
}

/** The first `count` lines, without a copy when that is all of them. */
function leading<T>(items: readonly T[], count: number): readonly T[] {
  return count >= items.length ? items : items.slice(0, count);
}

function countErrorLines(lines: readonly LogLine[]): number {
  let count = 0;
  for (const line of lines) if (line.category !== 'Info') count++;
  return count;
}

/** What a merge knows of the record before it writes. */
export interface KnownState {
  ids: Set<string>;
  storedLines: number;
  notified?: boolean;
  /** True until the store has told us anything about the record. */
  fresh: boolean;
}

/** Nothing known yet: the first attempt of every merge (never mutated). */
const FRESH: KnownState = { ids: new Set(), storedLines: 0, fresh: true };

function knownState(item: Record<string, unknown> | undefined): KnownState {
  if (!item) return { ids: new Set(), storedLines: 0, fresh: false };
  const record = toRecord(item);
  const ids = item.logEventIds instanceof Set ? new Set([...item.logEventIds].map(String)) : new Set<string>();
  return { ids, storedLines: record.logLines.length, notified: record.sources.includes('notification'), fresh: false };
}

export class MergeConflictError extends Error {
  override name = 'MergeConflictError';
}

export class LogMerge {
  constructor(
    private readonly client: DocumentSender,
    private readonly options: LogMergeOptions,
    private readonly clock: StoreClock,
  ) {}

  /** Merges the log lines of one request seen in one batch. */
  async merge(half: LogHalf): Promise<LogMergeResult> {
    const total: LogMergeResult = { addedLines: 0, addedErrorLines: 0, firstErrors: false, notified: false, writes: 0, reads: 0 };
    for (let i = 0; i < half.lines.length; i += IDS_PER_WRITE) {
      // Nearly every request fits one write; chunks are built field by field (a spread followed
      // by a property is a slow path in V8).
      const chunk: LogHalf =
        half.lines.length <= IDS_PER_WRITE
          ? half
          : { inferenceId: half.inferenceId, endpointName: half.endpointName, variantName: half.variantName, lines: half.lines.slice(i, i + IDS_PER_WRITE) };
      const result = await this.mergeChunk(chunk);
      total.addedLines += result.addedLines;
      total.addedErrorLines += result.addedErrorLines;
      total.firstErrors ||= result.firstErrors;
      total.notified = result.notified;
      total.writes += result.writes;
      total.reads += result.reads;
      if (result.record) total.record = result.record;
    }
    return total;
  }

  private async mergeChunk(half: LogHalf): Promise<LogMergeResult> {
    let known: KnownState = FRESH;
    let writes = 0;
    let reads = 0;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const lines = known.ids.size === 0 ? half.lines : half.lines.filter((line) => !known.ids.has(line.eventId));
      if (lines.length === 0) {
        return { addedLines: 0, addedErrorLines: 0, firstErrors: false, notified: known.notified ?? false, writes, reads };
      }
      const input = this.updateInput(half, lines, known);
      try {
        writes++;
        const output = (await this.client.send(new UpdateCommand(input))) as { Attributes?: Record<string, unknown> };
        const record = output.Attributes ? toRecord(output.Attributes) : undefined;
        const addedErrorLines = countErrorLines(lines);
        const firstErrors = addedErrorLines > 0 && record !== undefined && record.logErrorCount === addedErrorLines;
        const notified = record?.sources.includes('notification') ?? false;
        return record
          ? { addedLines: lines.length, addedErrorLines, firstErrors, notified, record, writes, reads }
          : { addedLines: lines.length, addedErrorLines, firstErrors, notified, writes, reads };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Someone stored some of these lines (a redelivery) or the record filled up meanwhile:
        // learn its state from the failure (or one consistent read) and write only what is new.
        let old = itemFromConditionFailure(error);
        if (!old) {
          reads++;
          const got = (await this.client.send(
            new GetCommand({ TableName: this.options.tableName, Key: key(half), ConsistentRead: true }),
          )) as { Item?: Record<string, unknown> };
          old = got.Item;
        }
        known = knownState(old);
      }
    }
    throw new MergeConflictError(`log half of ${half.inferenceId} kept conflicting after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  updateInput(half: LogHalf, lines: readonly LogLine[], known: KnownState): UpdateCommandInput {
    // This runs once per request of every batch: one pass over the lines, no copies of arrays
    // that are kept whole, and expression strings that depend only on the input's shape are
    // built once (see above).
    const { maxLogLines, maxTrackedLogEventIds } = this.options;
    const tracked = leading(lines, Math.max(0, maxTrackedLogEventIds - known.ids.size));
    const kept = leading(lines, Math.max(0, maxLogLines - known.storedLines));
    let firstError: LogLine | undefined;
    let errorCount = 0;
    let firstAtMs = Infinity;
    for (const line of lines) {
      if (line.category !== 'Info') {
        errorCount++;
        firstError ??= line;
      }
      // Math.min semantics: NaN wins.
      if (line.at < firstAtMs || line.at !== line.at) firstAtMs = line.at;
    }
    const firstAt = isoTime(firstAtMs);

    const values: Record<string, unknown> = {
      ':inProgress': 'InProgress',
      ':firstAt': firstAt,
      ':variant': half.variantName,
      ':exp': this.clock.expiresAt(),
      ':now': this.clock.nowIso(),
      ':n': lines.length,
      ':src': new Set<RequestSource>(['logs']),
    };
    values[':shard'] = openShard(half.inferenceId);
    if (kept.length > 0) {
      const stored = new Array<StoredLogLine>(kept.length);
      for (let i = 0; i < kept.length; i++) stored[i] = this.storedLine(kept[i]!, firstAtMs, firstAt);
      values[':lines'] = stored;
      values[':empty'] = [];
    }
    if (firstError) {
      values[':errs'] = errorCount;
      values[':logCategory'] = firstError.category;
      if (firstError.statusCode !== undefined) values[':logStatus'] = firstError.statusCode;
    }
    const idKeys = idValueKeys(tracked.length);
    for (let i = 0; i < tracked.length; i++) values[idKeys[i]!] = tracked[i]!.eventId;
    if (tracked.length > 0) {
      const ids = new Set<string>();
      for (const line of tracked) ids.add(line.eventId);
      values[':ids'] = ids;
    }
    const updateExpression = logUpdateExpression(
      (kept.length > 0 ? SHAPE_KEPT : 0) |
        (firstError ? SHAPE_ERRORS : 0) |
        (firstError?.statusCode !== undefined ? SHAPE_STATUS : 0) |
        (tracked.length > 0 ? SHAPE_TRACKED : 0),
    );

    let conditionExpression: string;
    if (known.fresh) {
      // First attempt, nothing read: accept a record without log lines, or one whose lines
      // do not overlap these and that has room for them.
      values[':idRoom'] = maxTrackedLogEventIds - tracked.length;
      if (kept.length > 0) values[':lineRoom'] = maxLogLines - kept.length;
      conditionExpression = freshLogCondition(tracked.length, kept.length > 0);
    } else {
      // Retry after learning the record's state: the state must still be exactly that.
      const conditions: string[] = [];
      if (known.ids.size === 0) {
        conditions.push('attribute_not_exists(logEventIds)');
      } else {
        values[':knownIds'] = known.ids.size;
        conditions.push(['size(logEventIds) = :knownIds', ...idChecks(tracked.length)].join(' AND '));
      }
      if (known.storedLines === 0) {
        conditions.push('attribute_not_exists(logLines)');
      } else {
        values[':knownLines'] = known.storedLines;
        conditions.push('size(logLines) = :knownLines');
      }
      conditionExpression = conditions.join(' AND ');
    }

    return {
      TableName: this.options.tableName,
      Key: key(half),
      UpdateExpression: updateExpression,
      ConditionExpression: conditionExpression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** `knownAt`/`knownIso`: a time already converted (the request's first line, usually this one). */
  private storedLine(line: LogLine, knownAt: number, knownIso: string): StoredLogLine {
    const max = this.options.maxLogLineChars;
    const stored: StoredLogLine = {
      at: line.at === knownAt ? knownIso : isoTime(line.at),
      message: line.message.length > max ? `${line.message.slice(0, max)}…` : line.message,
      category: line.category,
    };
    // Assigned in the order the optional fields have always had; no conditional spreads, which
    // are a slow path in V8.
    if (line.statusCode !== undefined) stored.statusCode = line.statusCode;
    if (line.instanceId) stored.instanceId = line.instanceId;
    return stored;
  }
}
