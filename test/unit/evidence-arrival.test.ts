import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { evidenceMinutes, evidenceOf, fewestChanged, latencySamplesNeeded } from '../../local/evidence-arrival';
import { readScenarioFile, type ScenarioCondition, type ScenarioEndpoint } from '../../local/scenario-file';

const endpoint = (requestsPerMinute: number, dailyCycle = 0): ScenarioEndpoint => ({
  name: 'quiet-async',
  kind: 'async',
  requestsPerMinute,
  failureRate: 0,
  dailyCycle,
  latencyMs: [{ weight: 1, p50: 1000, spread: 0.15 }],
});
const burst = (fromMinute: number, toMinute: number, failureRate = 1): ScenarioCondition => ({
  id: 'F1',
  type: 'error-burst',
  endpoint: 'quiet-async',
  fromMinute,
  toMinute,
  expect: 'alert',
  withinMinutes: 60,
  failureRate,
});

describe('evidence arrival: how soon the traffic itself can show a fault', () => {
  it('at a constant rate, the k-th changed request arrives at the Gamma(k, rate) quantile', () => {
    // One request every 10 minutes: the first arrives by 10·ln 2 = 6.93 min half the time.
    expect(evidenceMinutes(endpoint(0.1), burst(0, 600), 1, 0.5)).toBeCloseTo(6.93, 0);
    // Three by 10 · 5.322 min (Gamma(3, 1)'s 90th percentile) nine times in ten.
    expect(Math.abs(evidenceMinutes(endpoint(0.1), burst(0, 600), 3, 0.9)! - 53.22)).toBeLessThanOrEqual(0.1);
  });

  it('only the share of requests the fault changes counts', () => {
    const all = evidenceMinutes(endpoint(0.5), burst(0, 600, 1), 3, 0.9)!;
    const half = evidenceMinutes(endpoint(0.5), burst(0, 600, 0.5), 3, 0.9)!;
    expect(half / all).toBeCloseTo(2, 1);
  });

  it('a fault at the daily trough takes far longer to show than the same fault at the peak', () => {
    const cycling = endpoint(0.3, 0.9);
    const atPeak = evidenceMinutes(cycling, burst(300, 600, 0.7), 3, 0.9)!;
    const atTrough = evidenceMinutes(cycling, burst(1000, 1400, 0.7), 3, 0.9)!;
    expect(atPeak).toBeLessThan(30);
    expect(atTrough).toBeGreaterThan(150);
  });

  it('a fault that ends before its traffic is likely to show it is never shown in time', () => {
    expect(evidenceMinutes(endpoint(0.05), burst(0, 30), 3, 0.9)).toBe(Number.POSITIVE_INFINITY);
    const traffic = { endpoints: [endpoint(0.05)], conditions: [burst(0, 30)] };
    expect(evidenceOf(traffic, 'F1', 3)).toEqual({ evidenceP90Minutes: null });
  });

  it('a delay of sagewatch’s own input changes no request, so it has no evidence time', () => {
    const delay: ScenarioCondition = { id: 'C1', type: 'notification-delay', fromMinute: 0, toMinute: 30, expect: 'none', delayMinutes: 15 };
    expect(evidenceMinutes(endpoint(1), delay, 1, 0.9)).toBeUndefined();
    expect(evidenceOf({ endpoints: [endpoint(1)], conditions: [delay] }, 'C1', 1)).toEqual({});
  });
});

describe('latency evidence: how many slower requests tell a shift', () => {
  const settings = { significance: 0.0001, minAuc: 0.65, minSamples: 5 };
  it('a clear shift of one peak needs no more than the minimum; a small one on a heavy tail needs far more', () => {
    expect(latencySamplesNeeded([{ weight: 1, p50: 1000, spread: 0.5 }], 3, settings)).toBe(5);
    expect(latencySamplesNeeded([{ weight: 1, p50: 1000, spread: 0.8 }], 2, settings)).toBeGreaterThan(15);
  });

  it('a two-peak endpoint 4x slower needs three times the minimum: its fast requests only become as slow as its slow ones', () => {
    const twoPeaks = [
      { weight: 0.55, p50: 400, spread: 0.15 },
      { weight: 0.45, p50: 6000, spread: 0.15 },
    ];
    const needed = latencySamplesNeeded(twoPeaks, 4, settings);
    expect(needed).toBeGreaterThanOrEqual(14);
    expect(needed).toBeLessThanOrEqual(20);
    expect(latencySamplesNeeded(twoPeaks, 20, settings)).toBeLessThan(needed);
  });

  it('no shift at all is never shown', () => {
    expect(latencySamplesNeeded([{ weight: 1, p50: 1000, spread: 0.3 }], 1, settings)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the scenarios folder', () => {
  const config = parseConfig({});
  // The condition types whose changed requests page (a delay of sagewatch's own input or lost notifications change none).
  const paging = new Set<ScenarioCondition['type']>(['error-burst', 'latency-shift', 'expired-requests']);
  const dir = join(import.meta.dirname, '../../scenarios');

  // An allowance shorter than the traffic needs to show the fault passes on lucky seeds only, so
  // `npm run scenarios` with random seeds would fail on the file, not on the detector. Each allowance
  // covers the 99th percentile of the evidence's arrival (or the whole fault, when it may end
  // first: fewer changed requests than needed is then "undetectable" by design), plus the slowest
  // requests' 99th-percentile latency and two minutes for sagewatch to evaluate.
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s gives each fault an allowance its traffic can meet', async (file) => {
    const scenario = await readScenarioFile(join(dir, file));
    for (const condition of scenario.conditions) {
      const target = scenario.endpoints.find((e) => e.name === condition.endpoint);
      if (condition.expect !== 'alert' || !paging.has(condition.type) || !target) continue;
      // A burst on a flaky endpoint needs more failures, and a shift of a mixture more requests, than the minimum.
      const count = fewestChanged({ id: condition.id, kind: condition.type, resource: target.name }, scenario, config);
      const arrival = Math.min(evidenceMinutes(target, condition, count, 0.99)!, condition.toMinute - condition.fromMinute);
      const slowest = Math.max(...target.latencyMs.map((p) => p.p50 * Math.exp(2.33 * p.spread))) / 60_000;
      expect(condition.withinMinutes, `${condition.id}: evidence by minute ${arrival} of the fault`).toBeGreaterThanOrEqual(arrival + slowest + 2);
    }
  });
});
