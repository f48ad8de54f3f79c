import { describe, expect, it } from 'vitest';
import { bucketValue, latencyBucket, quantile } from '../../lib/detect/histogram';
import { evaluateRules, windowBounds, type DetectorSettings } from '../../lib/detect/rules';
import { minuteDeltas } from '../../lib/detect/request-detectors';
import type { MinuteBucket } from '../../lib/store/windows';

const SETTINGS: DetectorSettings = {
  windowMinutes: 5,
  failureBurstMinFailures: 5,
  failureBurstRate: 0.2,
  latencyShiftFactor: 2,
  latencyShiftMinSamples: 10,
  latencyShiftMinDeltaMs: 250,
  latencyBaselineMinutes: 60,
  expiredMinCount: 1,
};
const NOW = Date.UTC(2024, 4, 1, 12, 30, 20);
const MIN = 60_000;
const minuteOf = (offset: number) => Math.floor(NOW / MIN) * MIN + offset * MIN;

function bucket(offset: number, partial: Partial<MinuteBucket> & { latencies?: number[] } = {}): MinuteBucket {
  const latency = new Map<number, number>();
  for (const ms of partial.latencies ?? []) latency.set(latencyBucket(ms), (latency.get(latencyBucket(ms)) ?? 0) + 1);
  return { endpointName: 'e', minute: minuteOf(offset), finished: 0, failed: 0, byCategory: {}, latency, ...partial };
}

const rule = (results: ReturnType<typeof evaluateRules>, kind: string) => results.find((r) => r.kind === kind)!;

describe('latency histogram', () => {
  it('reports percentiles within a bucket width of the truth', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 100 + i);
    const h = new Map<number, number>();
    for (const v of values) h.set(latencyBucket(v), (h.get(latencyBucket(v)) ?? 0) + 1);
    const p50 = quantile(h, 0.5)!;
    const p90 = quantile(h, 0.9)!;
    expect(Math.abs(p50 - 600) / 600).toBeLessThan(0.2);
    expect(Math.abs(p90 - 1000) / 1000).toBeLessThan(0.2);
    expect(quantile(new Map(), 0.5)).toBeUndefined();
  });

  it('maps every latency into a bucket whose value is close to it', () => {
    for (const ms of [0, 1, 7, 42, 999, 12_345, 3_600_000]) {
      const v = bucketValue(latencyBucket(ms));
      expect(Math.abs(v - ms)).toBeLessThanOrEqual(Math.max(1, ms * 0.2));
    }
  });
});

describe('evaluateRules', () => {
  it('fires a failure burst on count and rate together, critical above half', () => {
    const burst = evaluateRules([bucket(0, { finished: 10, failed: 6, byCategory: { ServerError: 5, Timeout: 1 } })], NOW, SETTINGS);
    expect(rule(burst, 'failure-burst')).toMatchObject({
      firing: true,
      severity: 'critical',
      topCategories: [
        { category: 'ServerError', count: 5 },
        { category: 'Timeout', count: 1 },
      ],
    });
    expect(rule(burst, 'failure-burst').numbers).toContainEqual({ name: 'failure rate', value: 60, unit: '%' });
    // Many failures but a small share: no burst.
    expect(rule(evaluateRules([bucket(0, { finished: 100, failed: 6 })], NOW, SETTINGS), 'failure-burst').firing).toBe(false);
    // A high share of very few requests: no burst either.
    expect(rule(evaluateRules([bucket(0, { finished: 4, failed: 4 })], NOW, SETTINGS), 'failure-burst').firing).toBe(false);
    expect(rule(evaluateRules([bucket(-1, { finished: 20, failed: 5 })], NOW, SETTINGS), 'failure-burst')).toMatchObject({ firing: true, severity: 'warning' });
  });

  it('only counts the last windowMinutes minutes', () => {
    const old = bucket(-5, { finished: 10, failed: 10, byCategory: { ServerError: 10 } });
    expect(rule(evaluateRules([old], NOW, SETTINGS), 'failure-burst').firing).toBe(false);
    expect(rule(evaluateRules([{ ...old, minute: minuteOf(-4) }], NOW, SETTINGS), 'failure-burst').firing).toBe(true);
    const { windowStart, windowEnd } = windowBounds(NOW, SETTINGS);
    expect(windowEnd - windowStart).toBe(5 * MIN);
  });

  it('fires on expired requests', () => {
    const results = evaluateRules([bucket(0, { finished: 50, failed: 1, byCategory: { Expired: 1 } })], NOW, SETTINGS);
    expect(rule(results, 'expired-requests').firing).toBe(true);
    expect(rule(results, 'failure-burst').firing).toBe(false);
  });

  it('fires a latency shift against the endpoint\'s own baseline, with enough samples', () => {
    const baseline = [-30, -20, -10].map((o) => bucket(o, { finished: 10, latencies: Array(10).fill(400) }));
    const slow = bucket(0, { finished: 12, latencies: Array(12).fill(1500) });
    expect(rule(evaluateRules([...baseline, slow], NOW, SETTINGS), 'latency-shift').firing).toBe(true);
    const same = bucket(0, { finished: 12, latencies: Array(12).fill(450) });
    expect(rule(evaluateRules([...baseline, same], NOW, SETTINGS), 'latency-shift').firing).toBe(false);
    const few = bucket(0, { finished: 3, latencies: Array(3).fill(5000) });
    expect(rule(evaluateRules([...baseline, few], NOW, SETTINGS), 'latency-shift').firing).toBe(false);
    // Doubling on a fast endpoint is below the minimum delta that matters.
    const fastBase = [-30, -20].map((o) => bucket(o, { finished: 10, latencies: Array(10).fill(20) }));
    const fastNow = bucket(0, { finished: 12, latencies: Array(12).fill(60) });
    expect(rule(evaluateRules([...fastBase, fastNow], NOW, SETTINGS), 'latency-shift').firing).toBe(false);
  });
});

describe('minuteDeltas', () => {
  it('folds requests into per-endpoint minutes by completion time', () => {
    const deltas = minuteDeltas(
      [
        { inferenceId: 'a', endpointName: 'e1', status: 'Completed', completedAt: '2024-05-01T12:00:10.000Z', endToEndLatencyMs: 500 },
        { inferenceId: 'b', endpointName: 'e1', status: 'Failed', completedAt: '2024-05-01T12:00:50.000Z', failureCategory: 'Timeout' },
        { inferenceId: 'c', endpointName: 'e1', status: 'Failed', completedAt: '2024-05-01T12:01:00.000Z' },
        { inferenceId: 'd', endpointName: 'e2', status: 'Completed', completedAt: '2024-05-01T12:00:00.000Z' },
      ],
      NOW,
    );
    expect(deltas.map((d) => [d.endpointName, new Date(d.minute).toISOString(), d.finished, d.failed, d.byCategory, [...d.latency.values()]])).toEqual([
      ['e1', '2024-05-01T12:00:00.000Z', 2, 1, { Timeout: 1 }, [1]],
      ['e1', '2024-05-01T12:01:00.000Z', 1, 1, { Other: 1 }, []],
      ['e2', '2024-05-01T12:00:00.000Z', 1, 0, {}, []],
    ]);
  });
});
