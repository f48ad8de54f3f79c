import { addInto, histogramCount, quantile, type Histogram } from './histogram';
import type { MinuteBucket } from '../store/windows';

/**
 * Request-level rules over one endpoint's minute buckets: pure functions of counts, so the
 * thresholds can be tested exhaustively and the same evaluation runs in the data path and in
 * the sweeper.
 */
export interface DetectorSettings {
  windowMinutes: number;
  failureBurstMinFailures: number;
  failureBurstRate: number;
  latencyShiftFactor: number;
  latencyShiftMinSamples: number;
  latencyShiftMinDeltaMs: number;
  latencyBaselineMinutes: number;
  expiredMinCount: number;
}

export type RuleKind = 'failure-burst' | 'latency-shift' | 'expired-requests';

export interface RuleResult {
  kind: RuleKind;
  firing: boolean;
  severity: 'critical' | 'warning';
  windowStart: number;
  windowEnd: number;
  numbers: Array<{ name: string; value: number; unit?: string }>;
  /** Failure categories of the window, most frequent first. */
  topCategories: Array<{ category: string; count: number }>;
}

interface Totals {
  finished: number;
  failed: number;
  byCategory: Record<string, number>;
  latency: Histogram;
}

function total(buckets: readonly MinuteBucket[]): Totals {
  const sum: Totals = { finished: 0, failed: 0, byCategory: {}, latency: new Map() };
  for (const bucket of buckets) {
    sum.finished += bucket.finished;
    sum.failed += bucket.failed;
    for (const [category, count] of Object.entries(bucket.byCategory)) sum.byCategory[category] = (sum.byCategory[category] ?? 0) + count;
    addInto(sum.latency, bucket.latency);
  }
  return sum;
}

/** The window: the `windowMinutes` minutes ending with the minute that contains `now`. */
export function windowBounds(now: number, settings: Pick<DetectorSettings, 'windowMinutes' | 'latencyBaselineMinutes'>) {
  const currentMinute = Math.floor(now / 60_000) * 60_000;
  const windowStart = currentMinute - (settings.windowMinutes - 1) * 60_000;
  return {
    windowStart,
    windowEnd: currentMinute + 60_000,
    baselineStart: windowStart - settings.latencyBaselineMinutes * 60_000,
  };
}

export function evaluateRules(buckets: readonly MinuteBucket[], now: number, settings: DetectorSettings): RuleResult[] {
  const { windowStart, windowEnd, baselineStart } = windowBounds(now, settings);
  const current = total(buckets.filter((b) => b.minute >= windowStart && b.minute < windowEnd));
  const baseline = total(buckets.filter((b) => b.minute >= baselineStart && b.minute < windowStart));
  const topCategories = Object.entries(current.byCategory)
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  const rate = current.finished > 0 ? current.failed / current.finished : 0;
  const base = { windowStart, windowEnd, topCategories };

  const burst = current.failed >= settings.failureBurstMinFailures && rate >= settings.failureBurstRate;
  const results: RuleResult[] = [
    {
      ...base,
      kind: 'failure-burst',
      firing: burst,
      severity: rate >= 0.5 ? 'critical' : 'warning',
      numbers: [
        { name: 'failed requests', value: current.failed },
        { name: 'finished requests', value: current.finished },
        { name: 'failure rate', value: Math.round(rate * 1000) / 10, unit: '%' },
        { name: 'window', value: settings.windowMinutes, unit: 'min' },
      ],
    },
  ];

  const expired = current.byCategory.Expired ?? 0;
  results.push({
    ...base,
    kind: 'expired-requests',
    firing: expired >= settings.expiredMinCount,
    severity: 'warning',
    numbers: [
      { name: 'expired requests', value: expired },
      { name: 'window', value: settings.windowMinutes, unit: 'min' },
    ],
  });

  const nowP50 = quantile(current.latency, 0.5);
  const baseP50 = quantile(baseline.latency, 0.5);
  const nowSamples = histogramCount(current.latency);
  const baseSamples = histogramCount(baseline.latency);
  const shifted =
    nowP50 !== undefined &&
    baseP50 !== undefined &&
    nowSamples >= settings.latencyShiftMinSamples &&
    baseSamples >= settings.latencyShiftMinSamples &&
    nowP50 >= baseP50 * settings.latencyShiftFactor &&
    nowP50 - baseP50 >= settings.latencyShiftMinDeltaMs;
  results.push({
    ...base,
    kind: 'latency-shift',
    // Without enough samples on either side there is no evidence either way: stay quiet.
    firing: shifted,
    severity: 'warning',
    numbers: [
      { name: 'p50 latency now', value: nowP50 ?? 0, unit: 'ms' },
      { name: 'p50 latency baseline', value: baseP50 ?? 0, unit: 'ms' },
      { name: 'p90 latency now', value: quantile(current.latency, 0.9) ?? 0, unit: 'ms' },
      { name: 'samples now', value: nowSamples },
      { name: 'samples baseline', value: baseSamples },
    ],
  });
  return results;
}
