import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UpdateCommand, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LogHalf } from '../../lib/requests/halves';
import { FAILURE_CATEGORIES, type LineCategory } from '../../lib/requests/categories';
import { RequestStore, type RequestStoreOptions } from '../../lib/store/requests';
import { StoreClock } from '../../lib/store/requests-item';
import { LogMerge } from '../../lib/store/requests-log-merge';

/**
 * The log merge builds its UpdateItem input on a fast path (one pass over the lines, memoised
 * expressions, its own ISO time formatting). This is the straightforward construction it
 * replaced; both must produce the same input, byte for byte, for every half.
 */
type Line = LogHalf['lines'][number];
interface Known {
  ids: Set<string>;
  storedLines: number;
  fresh: boolean;
}

function referenceOpenShard(inferenceId: string): string {
  let hash = 0;
  for (let i = 0; i < inferenceId.length; i++) hash = (hash * 31 + inferenceId.charCodeAt(i)) | 0;
  return `open#${Math.abs(hash) % 4}`;
}

function referenceInput(options: RequestStoreOptions, nowMs: number, half: LogHalf, lines: Line[], known: Known): UpdateCommandInput {
  const { maxLogLines, maxTrackedLogEventIds } = options;
  const tracked = lines.slice(0, Math.max(0, maxTrackedLogEventIds - known.ids.size));
  const kept = lines.slice(0, Math.max(0, maxLogLines - known.storedLines));
  const errors = lines.filter((line) => line.category !== 'Info');
  const firstAt = new Date(Math.min(...lines.map((line) => line.at))).toISOString();
  const values: Record<string, unknown> = {
    ':inProgress': 'InProgress',
    ':firstAt': firstAt,
    ':variant': half.variantName,
    ':exp': Math.floor(nowMs / 1000) + options.retentionDays * 86_400,
    ':now': new Date(nowMs).toISOString(),
    ':n': lines.length,
    ':src': new Set(['logs']),
  };
  const sets = [
    '#status = if_not_exists(#status, :inProgress)',
    'requestTime = if_not_exists(requestTime, :firstAt)',
    'firstLogAt = if_not_exists(firstLogAt, :firstAt)',
    'variantName = if_not_exists(variantName, :variant)',
    'openShard = if_not_exists(openShard, :shard)',
    'openSince = if_not_exists(openSince, :firstAt)',
    'expiresAt = :exp',
    'updatedAt = :now',
  ];
  values[':shard'] = referenceOpenShard(half.inferenceId);
  const adds = ['logLineCount :n', 'sources :src'];
  const conditions: string[] = [];
  if (kept.length > 0) {
    const max = options.maxLogLineChars;
    values[':lines'] = kept.map((line) => ({
      at: new Date(line.at).toISOString(),
      message: line.message.length > max ? `${line.message.slice(0, max)}…` : line.message,
      category: line.category,
      ...(line.statusCode !== undefined ? { statusCode: line.statusCode } : {}),
      ...(line.instanceId ? { instanceId: line.instanceId } : {}),
    }));
    values[':empty'] = [];
    sets.push('logLines = list_append(if_not_exists(logLines, :empty), :lines)');
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
  const idChecks = tracked.map((line, index) => {
    values[`:id${index}`] = line.eventId;
    return `NOT contains(logEventIds, :id${index})`;
  });
  if (tracked.length > 0) {
    values[':ids'] = new Set(tracked.map((line) => line.eventId));
    adds.push('logEventIds :ids');
  }
  if (known.fresh) {
    values[':idRoom'] = maxTrackedLogEventIds - tracked.length;
    conditions.push(`(attribute_not_exists(logEventIds) OR (${['size(logEventIds) <= :idRoom', ...idChecks].join(' AND ')}))`);
    if (kept.length > 0) {
      values[':lineRoom'] = maxLogLines - kept.length;
      conditions.push('(attribute_not_exists(logLines) OR size(logLines) <= :lineRoom)');
    }
  } else {
    if (known.ids.size === 0) {
      conditions.push('attribute_not_exists(logEventIds)');
    } else {
      values[':knownIds'] = known.ids.size;
      conditions.push(['size(logEventIds) = :knownIds', ...idChecks].join(' AND '));
    }
    if (known.storedLines === 0) {
      conditions.push('attribute_not_exists(logLines)');
    } else {
      values[':knownLines'] = known.storedLines;
      conditions.push('size(logLines) = :knownLines');
    }
  }
  return {
    TableName: options.tableName,
    Key: { inferenceId: half.inferenceId, endpointName: half.endpointName },
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Key order included: the serialised request is what must not change. */
const serialise = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? { set: [...v] } : v));

const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const at = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  fc.integer({ min: 0, max: LAST_FOUR_DIGIT_YEAR_MS + 5 }),
  fc.constantFrom(0, -0, 86_399_999, 86_400_000, LAST_FOUR_DIGIT_YEAR_MS, LAST_FOUR_DIGIT_YEAR_MS + 1, -1, 951_782_400_000, 1.5, -1.5),
  fc.double({ min: -1e14, max: 1e14, noNaN: true }),
);
const category = fc.constantFrom<LineCategory>('Info', 'Info', ...FAILURE_CATEGORIES);
const line = fc.record({
  eventId: fc.stringMatching(/^\d{1,56}$/),
  at,
  message: fc.string({ maxLength: 60 }),
  category,
  statusCode: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
  instanceId: fc.constantFrom('i-0abc', ''),
}).map(({ statusCode, ...rest }): Line => (statusCode === undefined ? rest : { ...rest, statusCode }));
const half = fc.record({
  inferenceId: fc.string({ minLength: 1, maxLength: 40 }),
  endpointName: fc.constantFrom('ep-a', 'ep-b'),
  variantName: fc.constantFrom('AllTraffic', 'Canary'),
  lines: fc.array(line, { minLength: 1, maxLength: 60 }),
});
const options = fc.record({
  tableName: fc.constant('requests'),
  byEndpointIndex: fc.constant('byEndpoint'),
  retentionDays: fc.integer({ min: 1, max: 400 }),
  maxLogLines: fc.integer({ min: 1, max: 8 }),
  maxLogLineChars: fc.integer({ min: 1, max: 50 }),
  maxTrackedLogEventIds: fc.integer({ min: 1, max: 120 }),
});

function capture(merge: LogMerge, h: LogHalf, lines: Line[], known: Known): { input?: UpdateCommandInput; error?: unknown } {
  try {
    return { input: merge.updateInput(h, lines, known) };
  } catch (error) {
    return { error };
  }
}

describe('RequestStore log merge input', () => {
  it('is the one the straightforward construction gives, first attempt or retry', () => {
    fc.assert(
      fc.property(options, half, fc.integer({ min: 0, max: LAST_FOUR_DIGIT_YEAR_MS }), fc.nat(30), fc.nat(10), fc.boolean(), (opts, h, nowMs, knownIds, storedLines, fresh) => {
        const merge = new LogMerge({ send: async () => ({}) }, opts, new StoreClock(() => nowMs, opts.retentionDays));
        const known: Known = fresh
          ? { ids: new Set(), storedLines: 0, fresh: true }
          : { ids: new Set(Array.from({ length: knownIds }, (_, i) => `known-${i}`)), storedLines, fresh: false };
        const actual = capture(merge, h, h.lines, known);
        let expected: { input?: UpdateCommandInput; error?: unknown };
        try {
          expected = { input: referenceInput(opts, nowMs, h, h.lines, known) };
        } catch (error) {
          expected = { error };
        }
        expect(actual.error === undefined).toBe(expected.error === undefined);
        if (expected.error) expect(actual.error).toBeInstanceOf((expected.error as Error).constructor);
        else expect(serialise(actual.input)).toBe(serialise(expected.input));
      }),
      { numRuns: 3_000 },
    );
  });

  it('sends one write per 25 lines, each the straightforward construction of its chunk', async () => {
    await fc.assert(
      fc.asyncProperty(options, half, async (opts, h) => {
        const sent: UpdateCommandInput[] = [];
        const nowMs = Date.UTC(2024, 4, 1, 12);
        const store = new RequestStore(
          {
            send: async (command) => {
              sent.push((command as UpdateCommand).input);
              return {};
            },
          },
          { ...opts, now: () => nowMs },
        );
        const finite = { ...h, lines: h.lines.map((l) => ({ ...l, at: Math.abs(Math.trunc(l.at)) % LAST_FOUR_DIGIT_YEAR_MS })) };
        const result = await store.mergeLogHalf(finite);
        const expected: UpdateCommandInput[] = [];
        for (let i = 0; i < finite.lines.length; i += 25) {
          expected.push(referenceInput(opts, nowMs, finite, finite.lines.slice(i, i + 25), { ids: new Set(), storedLines: 0, fresh: true }));
        }
        expect(sent.map(serialise)).toEqual(expected.map(serialise));
        expect(result).toEqual({
          addedLines: finite.lines.length,
          addedErrorLines: finite.lines.filter((l) => l.category !== 'Info').length,
          firstErrors: false,
          notified: false,
          writes: expected.length,
          reads: 0,
        });
      }),
      { numRuns: 300 },
    );
  });
});
