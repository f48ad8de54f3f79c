import { describe, expect, it } from 'vitest';
import { runScenario } from '../../local/scenario-runner';

/**
 * The fast scenarios of scenarios/, each played end to end by `sagewatch demo --scenario`
 * (the long ones, and other seeds, are `npm run scenarios`). Every fault caught in time, no
 * false alert, nothing lost.
 */
describe('traffic scenarios: failures', () => {
  it('a quiet endpoint (1 request / 10 min) whose every request fails is caught', async () => {
    const { summary, problems } = await runScenario('scenarios/quiet-endpoint-failing.json');
    expect(problems).toEqual([]);
    expect(summary.detected.map((d) => [d.faultId, d.alert.kind, d.alert.severity])).toEqual([['F1', 'failure-burst', 'critical']]);
  }, 120_000);

  it('1 request / 2 min, all failing, is caught within minutes', async () => {
    const { summary, problems } = await runScenario('scenarios/slow-endpoint-failing.json');
    expect(problems).toEqual([]);
    expect(summary.detected[0]!.delayMinutes).toBeLessThanOrEqual(20);
  }, 120_000);

  it('a warning at 21% is escalated once to critical at 60%, and resolved once after the burst', async () => {
    const { summary, problems } = await runScenario('scenarios/escalation-21-to-60.json');
    expect(problems).toEqual([]);
    const bursts = summary.alerts.filter((a) => a.kind === 'failure-burst');
    expect(bursts.map((a) => [a.status, a.severity])).toEqual([
      ['firing', 'warning'],
      ['firing', 'critical'],
      ['resolved', 'critical'],
    ]);
    const [warning, critical, resolved] = bursts;
    expect(warning!.atMinute).toBeGreaterThanOrEqual(60);
    expect(critical!.atMinute).toBeGreaterThanOrEqual(110);
    expect(resolved!.atMinute).toBeGreaterThan(150);
    expect(resolved!.title).toMatch(/: \d+ of \d+ async requests failed$/);
  }, 180_000);
});
