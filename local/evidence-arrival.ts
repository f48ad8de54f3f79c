import type { Config } from '../lib/config';
import { failuresNeeded } from '../lib/detect/failure-evidence';
import { MATCHED_QUANTILES, type LatencySettings } from '../lib/detect/latency-evidence';
import { detectorSettings } from '../lib/detect/settings';
import { binomialUpperTail, normalUpperTail } from '../lib/detect/statistics';
import type { ScenarioCondition, ScenarioEndpoint } from './scenario-file';
import { rateAt, type TrafficOptions } from './traffic';

/**
 * How long a scenario's own traffic takes to show a fault at all: the minutes from a condition's
 * start until the fewest requests its detector needs have arrived (three failures for an error
 * burst, five slow requests for a latency shift, one expired request), at a given probability.
 * It follows from the endpoint's rate (daily cycle included) and the share of requests the fault
 * changes, not from any detector: arrivals are Poisson, so the changed requests are too, with
 * mean Λ(t) = ∫ share·rate. No detector can alert before them, so an allowance shorter than this
 * figure's 90th percentile is met by luck (a quiet endpoint faulted at its daily trough sends a
 * request every half hour). Request latency and sagewatch's own delays come on top.
 */

const STEP_MINUTES = 0.1;

/**
 * The fewest requests a fault must change before its detector can page: for an error burst the
 * failures in a row that alert against the endpoint's own baseline rate (3 on an endpoint that
 * never fails, 9 on a steady 30% one), for a latency shift the slower requests the latency
 * tests need to tell the endpoint's shifted mixture from its own (latencySamplesNeeded), for
 * expired requests EXPIRED_MIN_COUNT of them, else one.
 */
export function fewestChanged(fault: { id: string; kind: string; resource: string }, traffic: Pick<TrafficOptions, 'endpoints' | 'conditions'>, config: Config): number {
  const endpoint = traffic.endpoints.find((e) => e.name === fault.resource);
  const settings = detectorSettings(config);
  if (fault.kind === 'error-burst') return failuresNeeded(endpoint?.failureRate ?? 0, settings.failure);
  if (fault.kind === 'latency-shift') {
    const condition = traffic.conditions.find((c) => c.id === fault.id);
    if (!endpoint || condition?.type !== 'latency-shift') return config.latencyMinSamples;
    return latencySamplesNeeded(endpoint.latencyMs, condition.factor, settings.latency);
  }
  return fault.kind === 'expired-requests' ? settings.expiry.minCount : 1;
}

type Peak = ScenarioEndpoint['latencyMs'][number];

/**
 * How many requests of a latency mixture made `factor` times slower the latency tests need, with
 * a long baseline: the rank test's (n ≥ z² / (12 (AUC − ½)²), AUC the chance a shifted request is
 * slower than a baseline one) or one matched quantile's binomial test (the share of shifted
 * requests above the baseline's q-quantile against 1 − q), whichever needs fewer, and never
 * fewer than `minSamples`. A one-peak 3x shift (spread 0.5) needs the minimum, 5; a two-peak
 * endpoint (55% ~400 ms, 45% ~6 s) 4x slower needs 16, as its fast requests turn only as slow as
 * its slow ones.
 */
export function latencySamplesNeeded(peaks: readonly Peak[], factor: number, settings: Pick<LatencySettings, 'significance' | 'minAuc' | 'minSamples'>): number {
  const total = peaks.reduce((sum, p) => sum + p.weight, 0);
  const spreadOf = (p: Peak) => Math.max(p.spread ?? 0.15, 1e-6);
  let auc = 0;
  for (const a of peaks) {
    for (const b of peaks) {
      const z = Math.log((factor * a.p50) / b.p50) / Math.hypot(spreadOf(a), spreadOf(b));
      auc += ((a.weight * b.weight) / (total * total)) * (1 - normalUpperTail(z));
    }
  }
  const candidates: number[] = [];
  if (auc >= settings.minAuc) candidates.push(Math.ceil(bisect((z) => 1 - normalUpperTail(z), 1 - settings.significance, -10, 10) ** 2 / (12 * (auc - 0.5) ** 2)));
  const cdf = (x: number, by = 1) => peaks.reduce((sum, p) => sum + (p.weight / total) * (1 - normalUpperTail(Math.log(x / (by * p.p50)) / spreadOf(p))), 0);
  for (const q of MATCHED_QUANTILES) {
    const cut = Math.exp(bisect((t) => cdf(Math.exp(t)), q, -20, 20));
    const share = 1 - cdf(cut, factor);
    if (share <= 1 - q) continue;
    for (let n = settings.minSamples; n <= 2_000; n++) {
      if (binomialUpperTail(Math.ceil(n * share), n, 1 - q) <= settings.significance / MATCHED_QUANTILES.length) {
        candidates.push(n);
        break;
      }
    }
  }
  return Math.max(settings.minSamples, candidates.length > 0 ? Math.min(...candidates) : Number.POSITIVE_INFINITY);
}

/** x in [lo, hi] with increasing f(x) = p, by bisection (a handful of calls per scenario). */
function bisect(f: (x: number) => number, p: number, lo: number, hi: number): number {
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Share of the endpoint's requests the condition changes, for the condition types that page on requests. */
function changedShare(condition: ScenarioCondition): number | undefined {
  switch (condition.type) {
    case 'error-burst':
      return condition.failureRate;
    case 'latency-shift':
      return 1;
    case 'expired-requests':
      return condition.fraction;
    default:
      return undefined;
  }
}

/** P(N ≥ k) for N ~ Poisson(mean). */
function atLeast(k: number, mean: number): number {
  let below = 0;
  let term = Math.exp(-mean);
  for (let i = 0; i < k; i++) {
    below += term;
    term *= mean / (i + 1);
  }
  return 1 - below;
}

/**
 * Minutes after `condition.fromMinute` by which, with probability `quantile`, `needed` changed
 * requests have arrived; Infinity when the condition ends before that is likely; undefined for a
 * condition that changes no request (a delay of sagewatch's own input, lost notifications).
 */
export function evidenceMinutes(endpoint: ScenarioEndpoint, condition: ScenarioCondition, needed: number, quantile: number): number | undefined {
  const share = changedShare(condition);
  if (share === undefined) return undefined;
  let mean = 0;
  for (let t = 0; condition.fromMinute + t < condition.toMinute; t += STEP_MINUTES) {
    // Midpoint rule: exact enough for a sine a day long.
    mean += share * rateAt(endpoint, condition.fromMinute + t + STEP_MINUTES / 2) * STEP_MINUTES;
    if (atLeast(needed, mean) >= quantile) return Math.round((t + STEP_MINUTES) * 10) / 10;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The demo summary's `evidenceP90Minutes` for fault `id` (a condition of `traffic`): null when the
 * traffic is unlikely (under 9 in 10) to show it before it ends; absent for a fault that changes no request.
 */
export function evidenceOf(traffic: Pick<TrafficOptions, 'endpoints' | 'conditions'>, id: string, needed: number): { evidenceP90Minutes?: number | null } {
  const condition = traffic.conditions.find((c) => c.id === id);
  const endpoint = condition && traffic.endpoints.find((e) => e.name === condition.endpoint);
  const minutes = condition && endpoint ? evidenceMinutes(endpoint, condition, needed, 0.9) : undefined;
  if (minutes === undefined) return {};
  return { evidenceP90Minutes: Number.isFinite(minutes) ? minutes : null };
}
