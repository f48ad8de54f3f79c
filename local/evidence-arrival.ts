import type { Config } from '../lib/config';
import { failuresNeeded } from '../lib/detect/failure-evidence';
import { detectorSettings } from '../lib/detect/settings';
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
 * never fails, 9 on a steady 30% one), for a latency shift the samples the rank test needs, else one.
 */
export function fewestChanged(fault: { kind: string; resource: string }, scenario: { traffic: Pick<TrafficOptions, 'endpoints'> }, config: Config): number {
  if (fault.kind === 'error-burst') {
    const baseline = scenario.traffic.endpoints.find((e) => e.name === fault.resource)?.failureRate ?? 0;
    return failuresNeeded(baseline, detectorSettings(config).failure);
  }
  return fault.kind === 'latency-shift' ? config.latencyMinSamples : 1;
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
