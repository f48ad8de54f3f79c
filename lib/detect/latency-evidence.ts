import { addInto, histogramCount, quantile, type Histogram } from './histogram';
import { inside, recentEvidence, type RecoverySettings } from './failure-evidence';
import { normalUpperTail } from './statistics';
import { SLOT_MS, WINDOW_SLOTS, type Slot, type Span } from './slots';

/**
 * Are this endpoint's requests slower than they normally are? Not "is the median up": a steady
 * two-peak endpoint (one-page and fifty-page documents) moves its median between the peaks by
 * chance. Each window's completed requests are compared with the baseline's whole distribution
 * by a rank test (Mann-Whitney U over the log-bucket histograms, ties counted): how often is a
 * recent request slower than a baseline one, and how improbable is that if nothing changed? It
 * alerts when that is improbable enough AND large enough to matter: recent requests slower than
 * most baseline ones (`minAuc`), and the median or the 90th percentile up by `minFactor` and
 * `minDeltaMs`. Any steady mixture stays quiet; one request a minute at 4x alerts in minutes.
 */
export interface LatencySettings {
  significance: number;
  /** Probability that a recent request is slower than a baseline one (0.5 = no change). */
  minAuc: number;
  minFactor: number;
  minDeltaMs: number;
  /** Completed requests in the window at least. */
  minSamples: number;
  /** Completed requests in the baseline at least. */
  minBaseline: number;
  baselineHours: number;
}

export interface LatencyComparison {
  samples: number;
  baselineSamples: number;
  /** P(recent > baseline), ties counted half. */
  auc: number;
  pValue: number;
  p50: number;
  p90: number;
  baselineP50: number;
  baselineP90: number;
}

export interface LatencyWindow extends Span, LatencyComparison {}

/** Compares two histograms; undefined when either is empty. */
export function compareLatency(recent: Histogram, baseline: Histogram): LatencyComparison | undefined {
  const n = histogramCount(recent);
  const m = histogramCount(baseline);
  if (n === 0 || m === 0) return undefined;
  const buckets = [...new Set([...recent.keys(), ...baseline.keys()])].sort((a, b) => a - b);
  let below = 0;
  let u = 0;
  let ties = 0;
  for (const bucket of buckets) {
    const r = recent.get(bucket) ?? 0;
    const b = baseline.get(bucket) ?? 0;
    u += r * (below + b / 2);
    below += b;
    const t = r + b;
    ties += t * t * t - t;
  }
  const total = n + m;
  const variance = ((n * m) / 12) * (total + 1 - ties / (total * (total - 1) || 1));
  const z = variance > 0 ? (u - (n * m) / 2) / Math.sqrt(variance) : 0;
  return {
    samples: n,
    baselineSamples: m,
    auc: u / (n * m),
    pValue: normalUpperTail(z),
    p50: quantile(recent, 0.5)!,
    p90: quantile(recent, 0.9)!,
    baselineP50: quantile(baseline, 0.5)!,
    baselineP90: quantile(baseline, 0.9)!,
  };
}

function matters(c: LatencyComparison, settings: LatencySettings): boolean {
  const up = (now: number, before: number) => now >= before * settings.minFactor && now - before >= settings.minDeltaMs;
  return c.auc >= settings.minAuc && (up(c.p50, c.baselineP50) || up(c.p90, c.baselineP90));
}

/** The baseline histogram of the hours before `from` (outside `exclude`). */
export function latencyBaseline(slots: readonly Slot[], from: number, hours: number, exclude?: readonly Span[]): Histogram {
  const baseline: Histogram = new Map();
  for (const slot of slots) {
    if (slot.start < from && slot.start >= from - hours * 3_600_000 && !inside(slot.start, exclude)) addInto(baseline, slot.latency);
  }
  return baseline;
}

export function latencyEvidence(
  slots: readonly Slot[],
  watermark: number,
  settings: LatencySettings,
  options: { notBefore?: number; exclude?: readonly Span[]; frozen?: Histogram } = {},
): { firing?: LatencyWindow } {
  const last = Math.floor(watermark / SLOT_MS) * SLOT_MS;
  let firing: LatencyWindow | undefined;
  for (const length of WINDOW_SLOTS) {
    const from = last - (length - 1) * SLOT_MS;
    if (options.notBefore !== undefined && from < options.notBefore) break;
    const recent: Histogram = new Map();
    let to = last + SLOT_MS;
    for (const slot of slots) {
      if (slot.start < from) continue;
      addInto(recent, slot.latency);
      to = Math.max(to, slot.start + SLOT_MS);
    }
    if (histogramCount(recent) < settings.minSamples) continue;
    const baseline = options.frozen ?? latencyBaseline(slots, from, settings.baselineHours, options.exclude);
    if (histogramCount(baseline) < settings.minBaseline) continue;
    const comparison = compareLatency(recent, baseline);
    if (!comparison || comparison.pValue > settings.significance || !matters(comparison, settings)) continue;
    if (!firing || comparison.pValue < firing.pValue) firing = { from, to, ...comparison };
  }
  return firing ? { firing } : {};
}

/** Whether an open latency incident is over: recent requests no slower than the frozen baseline's. */
export function latencyRecovered(slots: readonly Slot[], watermark: number, frozen: Histogram, settings: LatencySettings & RecoverySettings): { since: number } | undefined {
  const completedOnly = slots.map((s) => ({ ...s, finished: histogramCount(s.latency) }));
  const recent = recentEvidence(completedOnly, watermark, settings);
  if (!recent) return undefined;
  const histogram: Histogram = new Map();
  for (const slot of recent.slots) addInto(histogram, slot.latency);
  const comparison = compareLatency(histogram, frozen);
  if (!comparison) return undefined;
  // Half way back to no difference is back: the rest is within what the baseline itself does.
  if (comparison.auc > 0.5 + (settings.minAuc - 0.5) / 2) return undefined;
  if (latencyEvidence(slots, watermark, settings, { notBefore: recent.from, frozen }).firing) return undefined;
  return { since: recent.from };
}

/** The histogram as plain pairs, for an incident's frozen baseline (a few dozen buckets). */
export function histogramPairs(histogram: Histogram): Array<[number, number]> {
  return [...histogram].sort((a, b) => a[0] - b[0]);
}

export const describeMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
