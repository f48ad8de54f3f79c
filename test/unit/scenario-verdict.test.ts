import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../local/runtime';
import { describeRun, problemsOf } from '../../local/scenario-runner';
import { Traffic } from '../../local/traffic';
import type { ScenarioCondition } from '../../local/scenario-file';

const base = { seed: 1, requests: 10, correlated: 10, lost: 0, duplicatesCounted: 0, deadLetters: 0, detected: [], falseAlerts: [] } as const;

function summaryWith(affectedRequests: number): DemoSummary {
  return {
    ...base,
    injected: [{ id: 'F1', kind: 'error-burst', resource: 'quiet-async', fromMinute: 60, withinMinutes: 40, affectedRequests, detectableFrom: 3 }],
    missed: [{ faultId: 'F1', reason: 'not detected' }],
  } as unknown as DemoSummary;
}

describe('a scenario run’s verdict', () => {
  it('reports a fault that changed fewer requests than its detector needs as undetectable, not as a miss', () => {
    expect(problemsOf(summaryWith(2))).toEqual([]);
    expect(describeRun({ file: 'scenarios/x.json', seed: 1, summary: summaryWith(2), problems: [] })).toBe('scenarios/x.json seed 1: F1 undetectable (2 requests affected, 3 needed); false alerts 0');
    // Enough evidence, not caught: a miss.
    expect(problemsOf(summaryWith(3))).toEqual(['F1 not detected']);
  });

  it('counts as changed by an error burst only the requests it made fail', () => {
    const burst: ScenarioCondition = { id: 'F1', type: 'error-burst', endpoint: 'ep', fromMinute: 0, toMinute: 60, failureRate: 0.25, expect: 'alert', withinMinutes: 30 } as ScenarioCondition;
    const traffic = new Traffic({
      seed: 7,
      start: Date.UTC(2026, 11, 3),
      durationMinutes: 60,
      endpoints: [{ name: 'ep', kind: 'async', requestsPerMinute: 4, failureRate: 0, dailyCycle: 0, latencyMs: [{ weight: 1, p50: 1000, spread: 0.2 }] }],
      conditions: [burst],
    });
    const requests = Array.from({ length: 60 }, (_, m) => traffic.arrivals(m)).flat();
    const changed = requests.filter((r) => r.conditions.includes('F1'));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((r) => r.status === 'Failed')).toBe(true);
    expect(changed.length).toBe(requests.filter((r) => r.status === 'Failed').length);
    expect(changed.length).toBeLessThan(requests.length / 2);
  });
});
