import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { runControlPlane, type ControlPlaneRun } from '../../local/control-plane';
import { LocalSns } from '../../local/sns';
import { accountMonthlyCost } from '../../lib/attach/cost';
import { planFromFiles } from '../../lib/attach/plan';
import { CLOUDWATCH_BILLING, PRICES } from '../../lib/pricing';
import { buildScenario, type Scenario } from '../../local/simulator';
import { useDynamo } from '../support/dynamo';

/**
 * The local control plane end to end at two account sizes: the real attach and reconcile
 * definitions, dynalite, every task bound to its handler. (The 2,000-endpoint run is
 * `npm start -- --endpoints 2000`; its figures are in the README.)
 */
useDynamo();
const sns = new LocalSns();
let snsEndpoint = '';
beforeAll(async () => {
  snsEndpoint = await sns.start();
});
afterAll(async () => {
  await sns.close();
});

async function run(endpoints: number, inventoryTable: string): Promise<ControlPlaneRun & { scenario: Scenario }> {
  const { ensureTables } = await import('../../local/dynamo');
  const config = { ...loadConfig(), inventoryTable };
  await ensureTables(process.env.AWS_ENDPOINT_URL_DYNAMODB!, { requests: `${inventoryTable}-r`, inventory: inventoryTable, state: `${inventoryTable}-s` });
  const scenario = buildScenario({ seed: 7, requests: 10, endpoints, faults: 'none', end: Date.UTC(2024, 5, 1), region: 'us-east-1', account: '123456789012' });
  return { ...(await runControlPlane(scenario, { config, snsEndpoint, topicArn: 'arn:aws:sns:us-east-1:123456789012:sagewatch-local-alerts' })), scenario };
}

describe('control plane at account scale (executed)', () => {
  it('an unchanged account costs reads only, and reconcile history grows per page, not per resource', async () => {
    const small = await run(10, 'scale-small');
    const large = await run(110, 'scale-large');

    for (const { controlPlane } of [small, large]) {
      expect(controlPlane.reconcile.writesWhenUnchanged).toBe(0);
      expect(controlPlane.reconcile.childExecutionsWhenUnchanged).toBe(0);
      expect(controlPlane.reconcile.apiCallsWhenUnchanged).toBeGreaterThan(0);
    }
    expect(large.controlPlane.resources).toBeGreaterThan(small.controlPlane.resources + 95);
    // 100 more endpoints are one more page of the listing and one or two more of the inventory: a
    // few dozen events, where one execution per sweep used to add ~27 per resource.
    expect(large.controlPlane.maxHistoryEvents - small.controlPlane.maxHistoryEvents).toBeLessThan(120);
    expect(large.controlPlane.maxHistoryEvents).toBeLessThan(500);
    expect(large.controlPlane.apiCalls.PutMetricAlarm).toBeGreaterThan(small.controlPlane.apiCalls.PutMetricAlarm!);
    expect(large.controlPlane.simulatedMinutesToConverge).toBeGreaterThan(small.controlPlane.simulatedMinutesToConverge);
  }, 600_000);
});

describe("the demo's monthly cost (executed)", () => {
  it('is what `sagewatch plan` quotes for each resource, summed, less the free tier once', async () => {
    const { controlPlane, scenario } = await run(10, 'cost-small');
    // Each resource planned on its own from the describe output and event the run played (a
    // job from its last event: one that ended has nothing attached, so it costs nothing).
    const plans = await Promise.all([
      ...scenario.endpoints.map((e) => planFromFiles({ event: e.event, describe: e.describe })),
      ...scenario.jobs.map((j) => planFromFiles({ event: j.events.at(-1), describe: { job: j.describe } })),
    ]);
    const quoted = plans.map((plan) => plan.cost);
    expect(quoted.filter((cost) => cost.monthlyCostUsd > 0)).toHaveLength(scenario.endpoints.length);
    const account = accountMonthlyCost(quoted);
    expect(controlPlane.monthlyCost).toEqual(account.lines);
    expect(controlPlane.monthlyCostUsd).toBe(account.monthlyCostUsd);
    expect(controlPlane.monthlyCostUsd).toBe(Math.round(controlPlane.monthlyCost.reduce((sum, line) => sum + line.monthlyUsd, 0) * 100) / 100);
    // The free tier (10 alarm metrics, 3 dashboards) comes off once, not once per resource.
    const free = CLOUDWATCH_BILLING.freeAlarmMetrics * PRICES.cloudwatch.standardAlarmMetric.usd + CLOUDWATCH_BILLING.freeDashboards * PRICES.cloudwatch.dashboard.usd;
    const summed = quoted.reduce((sum, cost) => sum + cost.monthlyCostUsd, 0);
    expect(Math.abs(controlPlane.monthlyCostUsd - (summed - free))).toBeLessThan(0.01 * plans.length);
  }, 600_000);
});
