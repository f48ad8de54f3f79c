import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UpdateCommand, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LogHalf } from '../../lib/requests/halves';
import { FAILURE_CATEGORIES, type LineCategory } from '../../lib/requests/categories';
import { NOTHING_KNOWN, type KnownLogState, type LogMergePlan } from '../../lib/requests/merge-plan';
import { StoreClock } from '../../lib/store/requests-item';
import { LogMerge, storedLineBounds } from '../../lib/store/requests-log-merge';
import { RequestStore } from '../../lib/store/requests';
import { LogMerger } from '../../lib/correlate/log-merge';
import { planLogMerge } from '../../lib/correlate/duplicates';

/**
 * The log merge builds its UpdateItem input on a fast path (one pass over the lines, its own
 * ISO time formatting). This is the straightforward construction of the same plan; both must
 * produce the same input, byte for byte, for every half and every state.
 */
type Line = LogHalf['lines'][number];
type Options = { tableName: string; retentionDays: number; maxLogLines: number; maxLogLineChars: number };

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = text.charCodeAt(max - 1) >= 0xd800 && text.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

function referenceInput(options: Options, nowMs: number, half: LogHalf, plan: LogMergePlan): UpdateCommandInput {
  const bounds = storedLineBounds(options);
  const lines = plan.lines;
  const kept = lines.slice(0, Math.max(0, bounds.lines - (plan.storedLines ?? 0)));
  const errors = lines.filter((line) => line.category !== 'Info');
  const firstAt = new Date(lines.length > 0 ? Math.min(...lines.map((line) => line.at)) : nowMs).toISOString();
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':inProgress': 'InProgress',
    ':firstAt': firstAt,
    ':variant': half.variantName,
    ':exp': Math.floor(nowMs / 1000) + options.retentionDays * 86_400,
    ':now': new Date(nowMs).toISOString(),
    ':src': new Set(['logs']),
  };
  const sets = [
    '#status = if_not_exists(#status, :inProgress)',
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
    names[`#m${i}`] = `m#${condition.stream}`;
    values[`:m${i}`] = next;
    sets.push(`#m${i} = :m${i}`);
    if (condition.kind === 'absent') {
      conditions.push(`attribute_not_exists(#m${i})`);
    } else {
      values[`:m${i}at`] = condition.position;
      conditions.push(`#m${i} = :m${i}at`);
    }
  });
  if (kept.length > 0) {
    values[':lines'] = kept.map((line) => {
      const message = cut(line.message, bounds.lineChars);
      if (message !== line.message) truncated.add('logLines');
      return {
        at: new Date(line.at).toISOString(),
        message,
        category: line.category,
        ...(line.statusCode !== undefined ? { statusCode: line.statusCode } : {}),
        ...(line.instanceId ? { instanceId: line.instanceId } : {}),
      };
    });
    values[':empty'] = [];
    sets.push('logLines = list_append(if_not_exists(logLines, :empty), :lines)');
    if (plan.storedLines === undefined) {
      values[':lineRoom'] = bounds.lines - kept.length;
      conditions.push('(attribute_not_exists(logLines) OR size(logLines) <= :lineRoom)');
    } else if (plan.storedLines === 0) {
      conditions.push('attribute_not_exists(logLines)');
    } else {
      values[':knownLines'] = plan.storedLines;
      conditions.push('size(logLines) = :knownLines');
    }
  }
  const firstError = errors[0];
  if (firstError) {
    values[':errs'] = errors.length;
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
  return {
    TableName: options.tableName,
    Key: { inferenceId: half.inferenceId, endpointName: half.endpointName },
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
  };
}

/** Key order of the input aside (the SDK does not care), the serialised request is what must not change. */
const serialise = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Set ? { set: [...v] } : v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const at = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  fc.integer({ min: 0, max: LAST_FOUR_DIGIT_YEAR_MS }),
  fc.constantFrom(0, 86_399_999, 86_400_000, LAST_FOUR_DIGIT_YEAR_MS, 951_782_400_000),
);
const category = fc.constantFrom<LineCategory>('Info', 'Info', ...FAILURE_CATEGORIES);
const line = fc
  .record({
    eventId: fc.stringMatching(/^\d{1,56}$/),
    at,
    message: fc.string({ maxLength: 60 }),
    category,
    statusCode: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    instanceId: fc.constantFrom('i-0abc', 'i-0def', 'i-0123'),
  })
  .map(({ statusCode, ...rest }): Line => (statusCode === undefined ? rest : { ...rest, statusCode }));
const half = fc.record({
  inferenceId: fc.string({ minLength: 1, maxLength: 40 }),
  endpointName: fc.constantFrom('ep-a', 'ep-b'),
  variantName: fc.constantFrom('AllTraffic', 'Canary'),
  lines: fc.array(line, { minLength: 1, maxLength: 60 }),
});
const options = fc.record({
  tableName: fc.constant('requests'),
  stateTable: fc.constant('state'),
  retentionDays: fc.integer({ min: 1, max: 400 }),
  maxLogLines: fc.integer({ min: 1, max: 8 }),
  maxLogLineChars: fc.integer({ min: 1, max: 50 }),
});
const knownState = fc.option(
  fc.record({
    marks: fc.array(fc.tuple(fc.constantFrom('i-0abc', 'i-0def'), fc.stringMatching(/^[0-9a-z]{9}:\d{1,4}$/)), { maxLength: 2 }),
    storedLines: fc.nat(10),
  }),
  { nil: undefined },
);

describe('RequestStore log merge input', () => {
  it('is the one the straightforward construction gives, first attempt or retry', () => {
    fc.assert(
      fc.property(options, half, fc.integer({ min: 0, max: LAST_FOUR_DIGIT_YEAR_MS }), knownState, (opts, h, nowMs, known) => {
        const merge = new LogMerge({ send: async () => ({}) }, opts, new StoreClock(() => nowMs, opts.retentionDays));
        const state: KnownLogState = known ? { known: true, marks: new Map(known.marks), storedLines: known.storedLines } : NOTHING_KNOWN;
        const plan = planLogMerge(h, state);
        if (plan.lines.length === 0) return;
        expect(serialise(merge.updateInput(h, plan).input)).toBe(serialise(referenceInput(opts, nowMs, h, plan)));
      }),
      { numRuns: 3_000 },
    );
  });

  it('sends one write per request whatever its line count, the straightforward construction of its plan', async () => {
    await fc.assert(
      fc.asyncProperty(options, half, async (opts, h) => {
        const sent: UpdateCommandInput[] = [];
        const nowMs = Date.UTC(2024, 4, 1, 12);
        const store = new RequestStore(
          {
            send: async (command) => {
              sent.push((command as UpdateCommand).input);
              return { Attributes: { inferenceId: h.inferenceId, endpointName: h.endpointName, sources: new Set(['logs']), logErrorCount: 0 } };
            },
          },
          { ...opts, now: () => nowMs },
        );
        const result = await new LogMerger(store).merge(h);
        const expected = [referenceInput(opts, nowMs, h, planLogMerge(h, NOTHING_KNOWN))];
        expect(sent.map(serialise)).toEqual(expected.map(serialise));
        expect(result).toMatchObject({
          addedLines: planLogMerge(h, NOTHING_KNOWN).lines.length,
          addedErrorLines: planLogMerge(h, NOTHING_KNOWN).lines.filter((l) => l.category !== 'Info').length,
          notified: false,
          writes: 1,
          reads: 0,
        });
      }),
      { numRuns: 300 },
    );
  });
});
