import { addInto, bucketRatio, histogramCount, latencyBucket, quantile, type Histogram } from './histogram';
import { inside, recentEvidence, type RecoverySettings } from './failure-evidence';
import { binomialUpperTail, fisherUpperTail, normalUpperTail } from './statistics';
import { SLOT_MS, WINDOW_SLOTS, type Slot, type Span } from './slots';

/**
 * Are this endpoint's requests slower than they normally are? Not "is the median up": a steady
 * two-peak endpoint (one-page and fifty-page documents) moves its median between the peaks by
 * chance. Each window's completed requests are compared with the baseline two ways, and either
 * alerts: the whole distribution shifted (shiftedAsAWhole: a rank test and the typical ratio of
 * a recent to a baseline request), which needs few requests; or one of the 25th, 50th, 75th and
 * 90th percentiles moved beyond what chance does to it (quantileMoved), which catches a shift
 * of the slow peak alone. Both read their estimates at the cautious end of their uncertainty,
 * so a change of mix between peaks and a slow drift stay quiet. The rank test also picks the
 * most telling window and, with `minAuc`, says when an incident is over.
 */
export interface LatencySettings {
  significance: number;
  /** Probability that a recent request is slower than a baseline one (0.5 = no change): for a whole shift, and how far back a recovery must come. */
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

/** The quantiles a shift is judged on: the body and the upper tail, where one peak of several shows. */
export const MATCHED_QUANTILES = [0.25, 0.5, 0.75, 0.9] as const;

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

/**
 * Every request slower: the rank test says recent requests are slower than baseline ones
 * (p under `significance`, a recent request slower than at least `minAuc` of baseline ones), and
 * the typical factor between a recent and a baseline request is at least `minFactor`, and at
 * least `minDeltaMs` on the baseline's median. The factor is the Hodges-Lehmann estimate (the
 * median of all pairwise ratios) read at the lower end of its confidence interval (Moses' rank
 * interval, SHIFT_RANK_Z standard errors): across the whole distribution it needs far fewer
 * requests than one quantile does, and a change of mix between two peaks, which drags the plain
 * median of the ratios into the tail of the pairs within a peak, does not reach it.
 */
function shiftedAsAWhole(recent: Histogram, baseline: Histogram, c: LatencyComparison, settings: LatencySettings): boolean {
  if (c.pValue > settings.significance || c.auc < settings.minAuc) return false;
  const n = c.samples;
  const m = c.baselineSamples;
  const rank = 0.5 - SHIFT_RANK_Z * Math.sqrt((n + m + 1) / (12 * n * m));
  const factor = bucketRatio(pairwiseBucketDifference(recent, baseline, rank));
  return factor >= settings.minFactor && c.baselineP50 * (factor - 1) >= settings.minDeltaMs;
}

/** The `rank`-quantile (0..1) of (recent bucket - baseline bucket) over all pairs of requests. */
function pairwiseBucketDifference(recent: Histogram, baseline: Histogram, rank: number): number {
  const weights = new Map<number, number>();
  let total = 0;
  for (const [r, rc] of recent) {
    for (const [b, bc] of baseline) {
      weights.set(r - b, (weights.get(r - b) ?? 0) + rc * bc);
      total += rc * bc;
    }
  }
  let seen = 0;
  const differences = [...weights.keys()].sort((a, b) => a - b);
  for (const difference of differences) {
    seen += weights.get(difference)!;
    if (seen >= rank * total) return difference;
  }
  return differences[differences.length - 1] ?? 0;
}

/**
 * Whether a matched quantile moved: the recent q-quantile is up on the baseline's by the factor and
 * the delta, and not by chance. A quantile of few requests, or one falling in the gap between
 * two peaks, jumps on its own: six requests that all happen to be slow put the 25th percentile
 * in the slow peak, and a median in the gap moves from one peak's edge to the other's on a few
 * percent of mix. So the size is read from each side's quantile at the cautious end of its own
 * uncertainty (the recent one lower, the baseline's higher, by QUANTILE_RANK_Z standard
 * errors of the rank), and the move must pass a rank test: more recent requests above the
 * baseline's quantile than a 1 - q share of them would explain (binomial, the four quantiles
 * sharing `significance`).
 */
function quantileMoved(recent: Histogram, baseline: Histogram, c: LatencyComparison, settings: LatencySettings): boolean {
  for (const q of MATCHED_QUANTILES) {
    const now = quantile(recent, cautiousRank(q, c.samples, -1))!;
    const before = quantile(baseline, cautiousRank(q, c.baselineSamples, 1))!;
    if (now < before * settings.minFactor || now - before < settings.minDeltaMs) continue;
    const cut = latencyBucket(before);
    const above = countAbove(recent, cut);
    const alpha = settings.significance / MATCHED_QUANTILES.length;
    // More recent requests above the cut than a 1 - q share explains, and than the baseline's
    // own share above it explains: a baseline of a few dozen requests only roughly knows its 90th percentile.
    if (binomialUpperTail(above, c.samples, 1 - q) <= alpha && fisherUpperTail(above, c.samples, countAbove(baseline, cut), c.baselineSamples) <= alpha) return true;
  }
  return false;
}

/** The rank `q`, moved `side` (down -1, up 1) by QUANTILE_RANK_Z standard errors of a q-quantile of `n` values. */
function cautiousRank(q: number, n: number, side: -1 | 1): number {
  return Math.min(0.999, Math.max(0.001, q + side * QUANTILE_RANK_Z * Math.sqrt((q * (1 - q)) / n)));
}

/** How far toward caution a quantile is read, in standard errors of its rank (about 98% one-sided). */
const QUANTILE_RANK_Z = 2;

/**
 * How far down the whole shift's factor is read (about 99.4% one-sided). At 2, a new endpoint
 * whose baseline is its first few dozen heavy-tailed requests (p90 2.8x the median) raised a
 * latency shift about once in 300 starts (heavy-tail-steady seed 5800819 at minute 50); at 2.5
 * none in 300. The price: a 3x shift at a request every two minutes is caught in 16 min (median,
 * 11 at 2), a 2x shift of that heavy tail at a request a minute in 46 (31 at 2).
 */
const SHIFT_RANK_Z = 2.5;

function countAbove(histogram: Histogram, bucket: number): number {
  let n = 0;
  for (const [b, count] of histogram) if (b > bucket) n += count;
  return n;
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
    if (!comparison || !(shiftedAsAWhole(recent, baseline, comparison, settings) || quantileMoved(recent, baseline, comparison, settings))) continue;
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
