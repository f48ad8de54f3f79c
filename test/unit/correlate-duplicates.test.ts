import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RANGES, parseRanges, planLogMerge } from '../../lib/correlate/duplicates';
import type { LogHalf } from '../../lib/requests/halves';
import type { KnownLogState } from '../../lib/requests/merge-plan';

/**
 * The log-line duplicate policy against a record that applies each plan as the store does
 * (its lines counted, its marks stored): deliveries are contiguous runs of one stream, as
 * Kinesis batches are, in any order and any number of times.
 */
const T0 = Date.UTC(2026, 11, 1);

function half(lines: Array<{ at: number; eventId: string }>): LogHalf {
  return {
    inferenceId: 'id',
    endpointName: 'ep',
    variantName: 'AllTraffic',
    lines: lines.map((l) => ({ ...l, message: 'ok', category: 'Info' as const, instanceId: 'i-0abc' })),
  };
}

function deliverAll(chunks: Array<Array<{ at: number; eventId: string }>>, order: number[]): { counted: number; state: KnownLogState } {
  const marks = new Map<string, string>();
  let counted = 0;
  for (const index of order) {
    const plan = planLogMerge(half(chunks[index]!), { known: true, marks, storedLines: 0 });
    counted += plan.lines.length;
    for (const { next, condition } of plan.marks) marks.set(condition.stream, next);
  }
  return { counted, state: { known: true, marks, storedLines: 0 } };
}

const stream = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 })).chain(([chunks, size]) => {
  const lines = Array.from({ length: chunks * size }, (_, i) => ({ at: T0 + Math.floor(i / 2), eventId: String(1_000 + i).padStart(56, '0') }));
  const split = Array.from({ length: chunks }, (_, c) => lines.slice(c * size, c * size + size));
  return fc.tuple(fc.constant(split), fc.array(fc.nat(chunks - 1), { maxLength: 30 }));
});

describe('log-line duplicates by merged ranges per stream', () => {
  it('counts every line once when up to MAX_RANGES deliveries come in any order, and never twice whatever comes', () => {
    fc.assert(
      fc.property(stream, ([chunks, extra]) => {
        const total = chunks.reduce((n, c) => n + c.length, 0);
        // Every delivery once in a shuffled order (from `extra`), then redeliveries.
        const order = chunks.map((_, i) => i).sort((a, b) => (extra[a] ?? a) - (extra[b] ?? b) || a - b);
        const { counted, state } = deliverAll(chunks, [...order, ...extra]);
        expect(counted).toBeLessThanOrEqual(total);
        if (chunks.length <= MAX_RANGES) expect(counted).toBe(total);
        const ranges = parseRanges(state.marks.get('i-0abc'));
        expect(ranges.length).toBeLessThanOrEqual(MAX_RANGES);
      }),
      { numRuns: 2_000 },
    );
  });

  it('merges an earlier delivery after a later one, and a gap between two merged ones', () => {
    const lines = Array.from({ length: 9 }, (_, i) => ({ at: T0 + i, eventId: String(i) }));
    const chunks = [lines.slice(0, 3), lines.slice(3, 6), lines.slice(6)];
    expect(deliverAll(chunks, [2, 0, 1, 0, 1, 2]).counted).toBe(9);
    expect(deliverAll(chunks, [0, 2, 1]).counted).toBe(9);
  });

  it('keeps one range for deliveries in order', () => {
    const lines = Array.from({ length: 6 }, (_, i) => ({ at: T0 + i, eventId: String(i) }));
    const { state } = deliverAll([lines.slice(0, 3), lines.slice(0, 6)], [0, 1]);
    expect(parseRanges(state.marks.get('i-0abc'))).toHaveLength(1);
  });
});
