import { GetCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FailureCategory, LineCategory } from '../correlate/categories';
import type { LogHalf, NotificationHalf } from '../correlate/halves';

/**
 * The `requests` table: one item per (inferenceId, endpointName), merged from two halves that
 * arrive in any order, any number of times. Every merge is a single conditional UpdateItem with
 * no read before it; the conditions make repeats no-ops and tell the caller whether its write
 * was the one that changed the record (which is what guards derived metrics and alerts).
 */

export type RequestStatus = 'Completed' | 'Failed' | 'InProgress';
export type RequestSource = 'logs' | 'notification';

export interface StoredLogLine {
  at: string;
  message: string;
  category: LineCategory;
  statusCode?: number;
  instanceId?: string;
}

export interface RequestRecord {
  inferenceId: string;
  endpointName: string;
  status: RequestStatus;
  /** receivedAt when the notification has arrived, otherwise the first log line's time. */
  requestTime?: string;
  receivedAt?: string;
  completedAt?: string;
  endToEndLatencyMs?: number;
  failureReason?: string;
  failureCategory?: FailureCategory;
  failureStatusCode?: number;
  inputLocation?: string;
  outputLocation?: string;
  failureLocation?: string;
  inlineResponse?: string;
  awsRegion?: string;
  variantName?: string;
  firstLogAt?: string;
  /** The category of the first problem the data log reported for this request. */
  logCategory?: LineCategory;
  logStatusCode?: number;
  logLines: StoredLogLine[];
  logLineCount: number;
  logErrorCount: number;
  sources: RequestSource[];
  notificationCount: number;
  notifiedAt?: string;
  /** When the sweeper reported the request stuck (log lines, no notification for too long). */
  stuckAt?: string;
  updatedAt?: string;
  expiresAt?: number;
}

/** The one method of the DynamoDB document client the store uses; benches pass a counting sink. */
export interface DocumentSender {
  send(command: UpdateCommand | GetCommand | QueryCommand): Promise<unknown>;
}

export interface RequestStoreOptions {
  tableName: string;
  byEndpointIndex: string;
  /** Sparse index of open requests (log lines, no notification); default `byOpen`. */
  openIndex?: string;
  retentionDays: number;
  maxLogLines: number;
  maxLogLineChars: number;
  maxTrackedLogEventIds: number;
  now?: () => number;
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

export interface NotificationMergeResult {
  /** False for a duplicate or an older notification than the one already stored. */
  applied: boolean;
  record?: RequestRecord;
  writes: number;
}

export interface EndpointQuery {
  endpointName: string;
  /** Inclusive ISO-8601 bounds on requestTime. */
  from?: string;
  to?: string;
  status?: RequestStatus;
  limit?: number;
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

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: the last instant toISOString writes with a four-digit year. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = Number.NaN;
let isoDatePrefix = '';

/**
 * `new Date(ms).toISOString()`, which costs about a microsecond and runs for every request of
 * every batch. The date part comes from toISOString itself, once per day (a batch spans one or
 * two); the time of day is arithmetic. Anything outside 1970–9999 or not an integer
 * millisecond (and so anything toISOString would reject) goes to toISOString.
 */
function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > LAST_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDatePrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDay = day;
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${isoDatePrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

/** The first `count` lines, without a copy when that is all of them. */
function leading<T>(items: readonly T[], count: number): readonly T[] {
  return count >= items.length ? items : items.slice(0, count);
}

function countErrorLines(lines: LogHalf['lines']): number {
  let count = 0;
  for (const line of lines) if (line.category !== 'Info') count++;
  return count;
}

export class RequestStore {
  private readonly now: () => number;
  private lastNowMs = Number.NaN;
  private lastNowIso = '';

  constructor(
    private readonly client: DocumentSender,
    private readonly options: RequestStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private expiresAt(): number {
    return Math.floor(this.now() / 1000) + this.options.retentionDays * 86_400;
  }

  /** Merges the log lines of one request seen in one batch. */
  async mergeLogHalf(half: LogHalf): Promise<LogMergeResult> {
    const total: LogMergeResult = { addedLines: 0, addedErrorLines: 0, firstErrors: false, notified: false, writes: 0, reads: 0 };
    for (let i = 0; i < half.lines.length; i += IDS_PER_WRITE) {
      // Nearly every request fits one write; chunks are built field by field (a spread followed
      // by a property is a slow path in V8).
      const chunk: LogHalf =
        half.lines.length <= IDS_PER_WRITE
          ? half
          : { inferenceId: half.inferenceId, endpointName: half.endpointName, variantName: half.variantName, lines: half.lines.slice(i, i + IDS_PER_WRITE) };
      const result = await this.mergeLogChunk(chunk);
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

  private async mergeLogChunk(half: LogHalf): Promise<LogMergeResult> {
    let known: KnownState = FRESH;
    let writes = 0;
    let reads = 0;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const lines = known.ids.size === 0 ? half.lines : half.lines.filter((line) => !known.ids.has(line.eventId));
      if (lines.length === 0) {
        return { addedLines: 0, addedErrorLines: 0, firstErrors: false, notified: known.notified ?? false, writes, reads };
      }
      const input = this.logUpdateInput(half, lines, known);
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

  private logUpdateInput(half: LogHalf, lines: LogHalf['lines'], known: KnownState): UpdateCommandInput {
    // This runs once per request of every batch: one pass over the lines, no copies of arrays
    // that are kept whole, and expression strings that depend only on the input's shape are
    // built once (see below).
    const { maxLogLines, maxTrackedLogEventIds } = this.options;
    const tracked = leading(lines, Math.max(0, maxTrackedLogEventIds - known.ids.size));
    const kept = leading(lines, Math.max(0, maxLogLines - known.storedLines));
    let firstError: LogHalf['lines'][number] | undefined;
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
      ':exp': this.expiresAt(),
      ':now': this.nowIso(),
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

  /** `new Date(now()).toISOString()`, converted once per distinct millisecond. */
  private nowIso(): string {
    const ms = this.now();
    if (ms !== this.lastNowMs) {
      this.lastNowIso = isoTime(ms);
      this.lastNowMs = ms;
    }
    return this.lastNowIso;
  }

  /** `knownAt`/`knownIso`: a time already converted (the request's first line, usually this one). */
  private storedLine(line: LogHalf['lines'][number], knownAt: number, knownIso: string): StoredLogLine {
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

  /** Merges one notification. Applied once per distinct notification; the newest one wins. */
  async mergeNotification(half: NotificationHalf): Promise<NotificationMergeResult> {
    try {
      const output = (await this.client.send(new UpdateCommand(this.notificationUpdateInput(half)))) as {
        Attributes?: Record<string, unknown>;
      };
      return { applied: true, ...(output.Attributes ? { record: toRecord(output.Attributes) } : {}), writes: 1 };
    } catch (error) {
      if (isConditionFailure(error)) {
        const old = itemFromConditionFailure(error);
        return { applied: false, ...(old ? { record: toRecord(old) } : {}), writes: 1 };
      }
      throw error;
    }
  }

  notificationUpdateInput(half: NotificationHalf): UpdateCommandInput {
    const now = this.nowIso();
    const values: Record<string, unknown> = {
      ':status': half.status,
      ':now': now,
      ':exp': this.expiresAt(),
      ':src': new Set<RequestSource>(['notification']),
      ':one': 1,
    };
    const sets = ['#status = :status', 'notifiedAt = :now', 'expiresAt = :exp', 'updatedAt = :now'];
    const removes: string[] = ['openShard', 'openSince'];
    const optional: Array<[string, unknown]> = [
      ['receivedAt', half.receivedAt],
      ['completedAt', half.completedAt],
      ['endToEndLatencyMs', half.endToEndLatencyMs],
      ['failureReason', half.failureReason],
      ['failureCategory', half.failureCategory],
      ['failureStatusCode', half.failureStatusCode],
      ['inputLocation', half.inputLocation],
      ['outputLocation', half.outputLocation],
      ['failureLocation', half.failureLocation],
      ['inlineResponse', half.inlineResponse],
      ['awsRegion', half.awsRegion],
    ];
    for (const [name, value] of optional) {
      if (value === undefined) {
        // A newer notification replaces the older one entirely (a retried inference id).
        removes.push(name);
      } else {
        values[`:${name}`] = value;
        sets.push(`${name} = :${name}`);
      }
    }
    if (half.receivedAt) sets.push('requestTime = :receivedAt');
    let condition = 'attribute_not_exists(notifiedAt)';
    if (half.completedAt) condition = 'attribute_not_exists(completedAt) OR completedAt < :completedAt';
    return {
      TableName: this.options.tableName,
      Key: key(half),
      UpdateExpression: `SET ${sets.join(', ')} ADD sources :src, notificationCount :one${
        removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''
      }`,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** Open requests (log lines, no notification) of one shard that opened before `before`, oldest first. */
  async queryOpen(shard: number, before: string, limit: number): Promise<RequestRecord[]> {
    const output = (await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: this.options.openIndex ?? 'byOpen',
        KeyConditionExpression: 'openShard = :shard AND openSince < :before',
        ExpressionAttributeValues: { ':shard': openShardName(shard), ':before': before },
        Limit: limit,
      }),
    )) as { Items?: Record<string, unknown>[] };
    return (output.Items ?? []).map(toRecord);
  }

  /**
   * Takes a request off the open index. With `stuckAt`, only while it still has no notification
   * (then it is reported stuck exactly once); without, only once it has one (cleanup of a
   * request whose log lines arrived after its notification). Returns whether it changed.
   */
  async closeOpen(key: { inferenceId: string; endpointName: string }, stuckAt?: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { inferenceId: key.inferenceId, endpointName: key.endpointName },
          UpdateExpression: stuckAt ? 'SET stuckAt = :at REMOVE openShard, openSince' : 'REMOVE openShard, openSince',
          ConditionExpression: stuckAt ? 'attribute_exists(openShard) AND attribute_not_exists(notifiedAt)' : 'attribute_exists(notifiedAt)',
          ...(stuckAt ? { ExpressionAttributeValues: { ':at': stuckAt } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Every record with this inference id (one per endpoint that saw it; usually one). */
  async getByInferenceId(inferenceId: string): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'inferenceId = :id',
          ExpressionAttributeValues: { ':id': inferenceId },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) records.push(toRecord(item));
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** Records of one endpoint, newest first, optionally within a time range and of one status. */
  async queryByEndpoint(query: EndpointQuery): Promise<RequestRecord[]> {
    const limit = query.limit ?? 50;
    const values: Record<string, unknown> = { ':ep': query.endpointName };
    let keyCondition = 'endpointName = :ep';
    if (query.from !== undefined || query.to !== undefined) {
      values[':from'] = query.from ?? '0000';
      values[':to'] = query.to ?? '9999';
      keyCondition += ' AND requestTime BETWEEN :from AND :to';
    }
    const names: Record<string, string> = {};
    let filter: string | undefined;
    if (query.status) {
      names['#status'] = 'status';
      values[':status'] = query.status;
      filter = '#status = :status';
    }
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: this.options.byEndpointIndex,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeValues: values,
          ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
          ScanIndexForward: false,
          // Filtered pages can come back short; read generously and stop at the limit.
          Limit: filter ? Math.max(limit * 4, 100) : limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) {
        records.push(toRecord(item));
        if (records.length >= limit) return records;
      }
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }
}

export const OPEN_SHARDS = 4;

export function openShardName(shard: number): string {
  return `open#${shard}`;
}

/** Spreads open requests over a few index partitions so no single one takes every write. */
function openShard(inferenceId: string): string {
  let hash = 0;
  for (let i = 0; i < inferenceId.length; i++) hash = (hash * 31 + inferenceId.charCodeAt(i)) | 0;
  return openShardName(Math.abs(hash) % OPEN_SHARDS);
}

export class MergeConflictError extends Error {
  override name = 'MergeConflictError';
}

/** Nothing known yet: the first attempt of every merge (never mutated). */
const FRESH: KnownState = { ids: new Set(), storedLines: 0, fresh: true };

interface KnownState {
  ids: Set<string>;
  storedLines: number;
  notified?: boolean;
  /** True until the store has told us anything about the record. */
  fresh: boolean;
}

function knownState(item: Record<string, unknown> | undefined): KnownState {
  if (!item) return { ids: new Set(), storedLines: 0, fresh: false };
  const record = toRecord(item);
  const ids = item.logEventIds instanceof Set ? new Set([...item.logEventIds].map(String)) : new Set<string>();
  return { ids, storedLines: record.logLines.length, notified: record.sources.includes('notification'), fresh: false };
}

function key(half: { inferenceId: string; endpointName: string }): Record<string, string> {
  return { inferenceId: half.inferenceId, endpointName: half.endpointName };
}

function isConditionFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

/** DynamoDB returns the item that failed the condition (ReturnValuesOnConditionCheckFailure), marshalled. */
function itemFromConditionFailure(error: unknown): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  if (!item || typeof item !== 'object') return undefined;
  try {
    return unmarshall(item);
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Maps a stored item to the public record shape (sets become sorted arrays, absent counts 0). */
export function toRecord(item: Record<string, unknown>): RequestRecord {
  const sources = item.sources instanceof Set ? ([...item.sources].map(String).sort() as RequestSource[]) : [];
  const lines = Array.isArray(item.logLines) ? (item.logLines as StoredLogLine[]) : [];
  const record: RequestRecord = {
    inferenceId: String(item.inferenceId),
    endpointName: String(item.endpointName),
    status: (optionalString(item.status) as RequestStatus | undefined) ?? 'InProgress',
    logLines: lines,
    logLineCount: optionalNumber(item.logLineCount) ?? 0,
    logErrorCount: optionalNumber(item.logErrorCount) ?? 0,
    sources,
    notificationCount: optionalNumber(item.notificationCount) ?? 0,
  };
  const strings = [
    'requestTime',
    'receivedAt',
    'completedAt',
    'failureReason',
    'failureCategory',
    'inputLocation',
    'outputLocation',
    'failureLocation',
    'inlineResponse',
    'awsRegion',
    'variantName',
    'firstLogAt',
    'logCategory',
    'notifiedAt',
    'updatedAt',
    'stuckAt',
  ] as const;
  for (const name of strings) {
    const value = optionalString(item[name]);
    if (value !== undefined) (record as unknown as Record<string, unknown>)[name] = value;
  }
  const numbers = ['endToEndLatencyMs', 'failureStatusCode', 'logStatusCode', 'expiresAt'] as const;
  for (const name of numbers) {
    const value = optionalNumber(item[name]);
    if (value !== undefined) (record as unknown as Record<string, unknown>)[name] = value;
  }
  return record;
}
