import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { boundText } from '../requests/bounds';
import type { LogHalf } from '../requests/halves';
import type { LogLine, StoredLogLine } from '../requests/log-line';
import type { KnownLogState, LogMergePlan, LogWriteResult, MarkCondition } from '../requests/merge-plan';
import type { RequestSource } from '../requests/record';
import { isoTime } from '../util/iso-time';
import { itemFromConditionFailure, key, readItem, toRecord, type DocumentSender, type StoreClock } from './requests-item';
import { isConditionFailure } from '../aws/errors';

/**
 * Executes a log merge plan (lib/correlate/duplicates.ts): one conditional UpdateItem that
 * adds the plan's lines (all counted, the first ones stored), moves each stream's mark and
 * checks the plan's conditions. No read before it.
 */
export interface LogMergeOptions {
  tableName: string;
  maxLogLines: number;
  maxLogLineChars: number;
}

/** Stored lines are bounded whatever the configuration: this many at most, and this much text in all. */
export const MAX_STORED_LINES = 20;
const STORED_TEXT_CHARS = 10_240;
const INSTANCE_ID_CHARS = 128;
/** Per-stream marks are top-level attributes `m#<instance id>`: small, and O(1) per stream. */
const MARK_PREFIX = 'm#';

/** The line bounds in force: `maxLogLines` lines of `lineChars` characters, within the record's budget. */
export function storedLineBounds(options: Pick<LogMergeOptions, 'maxLogLines' | 'maxLogLineChars'>): { lines: number; lineChars: number } {
  const lines = Math.max(1, Math.min(MAX_STORED_LINES, options.maxLogLines));
  return { lines, lineChars: Math.max(16, Math.min(options.maxLogLineChars, Math.floor(STORED_TEXT_CHARS / lines))) };
}

/** What a stored item says about the log half: its marks and how many lines it stores. */
export function knownLogState(item: Record<string, unknown> | undefined): KnownLogState {
  const marks = new Map<string, string>();
  if (!item) return { known: true, marks, storedLines: 0 };
  for (const name in item) {
    const value = item[name];
    if (name.startsWith(MARK_PREFIX) && typeof value === 'string') marks.set(name.slice(MARK_PREFIX.length), value);
  }
  const state: KnownLogState = { known: true, marks, storedLines: Array.isArray(item.logLines) ? item.logLines.length : 0 };
  if (typeof item.requestTime === 'string') state.requestTime = item.requestTime;
  return state;
}

function markCondition(condition: MarkCondition, name: string, value: string): string {
  if (condition.kind === 'absent') return `attribute_not_exists(${name})`;
  return `${name} = ${value}`;
}

export class LogMerge {
  private readonly bounds: { lines: number; lineChars: number };

  constructor(
    private readonly client: DocumentSender,
    private readonly options: LogMergeOptions,
    private readonly clock: StoreClock,
  ) {
    this.bounds = storedLineBounds(options);
  }

  async write(half: LogHalf, plan: LogMergePlan): Promise<LogWriteResult> {
    const { input, kept } = this.updateInput(half, plan);
    try {
      const output = (await this.client.send(new UpdateCommand(input))) as { Attributes?: Record<string, unknown> };
      const item = output.Attributes ?? {};
      const state = knownLogState(item);
      const first = state.storedLines - kept;
      return {
        written: true,
        record: toRecord(item),
        state,
        storedIndexes: plan.lines.map((_, i) => (i < kept ? first + i : -1)),
        storedLineBound: this.bounds.lines,
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = itemFromConditionFailure(error);
      return item ? { written: false, state: knownLogState(item) } : { written: false };
    }
  }

  /** The record's log state by one consistent read, for when a failed condition did not return it. */
  async readState(half: { inferenceId: string; endpointName: string }): Promise<KnownLogState> {
    return knownLogState(await readItem(this.client, this.options.tableName, half));
  }

  updateInput(half: LogHalf, plan: LogMergePlan): { input: UpdateCommandInput; kept: number } {
    const { lines } = plan;
    const room = Math.max(0, this.bounds.lines - (plan.storedLines ?? 0));
    const kept = Math.min(room, lines.length);
    let firstError: LogLine | undefined;
    let errorCount = 0;
    let firstAtMs = Infinity;
    for (const line of lines) {
      if (line.category !== 'Info') {
        errorCount++;
        firstError ??= line;
      }
      if (line.at < firstAtMs || Number.isNaN(line.at)) firstAtMs = line.at;
    }
    if (firstAtMs === Infinity) firstAtMs = half.continuation?.at ?? this.clock.nowMs();
    const firstAt = isoTime(Number.isFinite(firstAtMs) ? firstAtMs : this.clock.nowMs());

    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':inProgress': 'InProgress',
      ':firstAt': firstAt,
      ':variant': half.variantName,
      ':exp': this.clock.expiresAt(),
      ':now': this.clock.nowIso(),
      ':src': new Set<RequestSource>(['logs']),
    };
    const sets = [
      '#status = if_not_exists(#status, :inProgress)',
      // Set by the first write of either half and never moved: the endpoint listing's key (requests-by-endpoint.ts).
      'requestTime = if_not_exists(requestTime, :firstAt)',
      'firstLogAt = if_not_exists(firstLogAt, :firstAt)',
      'variantName = if_not_exists(variantName, :variant)',
      'expiresAt = :exp',
      'updatedAt = :now',
    ];
    const adds = ['sources :src'];
    const conditions: string[] = [];
    const truncated = new Set<string>();

    if (lines.length > 0) {
      values[':n'] = lines.length;
      adds.push('logLineCount :n');
    }
    plan.marks.forEach(({ condition, next }, i) => {
      names[`#m${i}`] = MARK_PREFIX + condition.stream;
      values[`:m${i}`] = next;
      sets.push(`#m${i} = :m${i}`);
      if (condition.kind === 'equals') values[`:m${i}at`] = condition.position;
      conditions.push(markCondition(condition, `#m${i}`, `:m${i}at`));
    });
    if (kept > 0) {
      const stored = new Array<StoredLogLine>(kept);
      for (let i = 0; i < kept; i++) stored[i] = this.storedLine(lines[i]!, firstAtMs, firstAt, truncated);
      values[':lines'] = stored;
      values[':empty'] = [];
      sets.push('logLines = list_append(if_not_exists(logLines, :empty), :lines)');
      if (plan.storedLines === undefined) {
        values[':lineRoom'] = this.bounds.lines - kept;
        conditions.push('(attribute_not_exists(logLines) OR size(logLines) <= :lineRoom)');
      } else if (plan.storedLines === 0) {
        conditions.push('attribute_not_exists(logLines)');
      } else {
        values[':knownLines'] = plan.storedLines;
        conditions.push('size(logLines) = :knownLines');
      }
    } else if (plan.continuation && half.continuation) {
      // A list index is part of the path: a continuation and an append never share a write.
      const { index, message } = half.continuation;
      const bounded = boundText(message, this.bounds.lineChars);
      if (bounded !== message) truncated.add('logLines');
      values[':cont'] = bounded;
      values[':contIndex'] = index;
      sets.push(`logLines[${index}].message = :cont`);
      conditions.push('size(logLines) > :contIndex');
    }
    if (firstError) {
      values[':errs'] = errorCount;
      values[':logCategory'] = firstError.category;
      adds.push('logErrorCount :errs');
      sets.push('logCategory = if_not_exists(logCategory, :logCategory)');
      if (firstError.statusCode !== undefined) {
        values[':logStatus'] = firstError.statusCode;
        sets.push('logStatusCode = if_not_exists(logStatusCode, :logStatus)');
      }
    }
    if (truncated.size > 0) {
      values[':cut'] = truncated;
      adds.push('truncated :cut');
    }
    const input: UpdateCommandInput = {
      TableName: this.options.tableName,
      Key: key(half),
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    if (conditions.length > 0) input.ConditionExpression = conditions.join(' AND ');
    return { input, kept };
  }

  /** `knownAt`/`knownIso`: a time already converted (the request's first line, usually this one). */
  private storedLine(line: LogLine, knownAt: number, knownIso: string, truncated: Set<string>): StoredLogLine {
    const message = boundText(line.message, this.bounds.lineChars);
    if (message !== line.message) truncated.add('logLines');
    const stored: StoredLogLine = {
      at: line.at === knownAt ? knownIso : isoTime(line.at),
      message,
      category: line.category,
    };
    if (line.statusCode !== undefined) stored.statusCode = line.statusCode;
    if (line.instanceId) {
      stored.instanceId = boundText(line.instanceId, INSTANCE_ID_CHARS);
      if (stored.instanceId !== line.instanceId) truncated.add('logLines');
    }
    return stored;
  }
}
