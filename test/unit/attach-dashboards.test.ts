import { DeleteDashboardsCommand, PutDashboardCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeSubscriptionFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsGateway } from '../../lib/attach/aws-gateway';
import { converge } from '../../lib/attach/converge';
import { DASHBOARD_LIMITS } from '../../lib/attach/dashboards';
import { desiredState } from '../../lib/attach/desired';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { planFromFiles } from '../../lib/attach/plan';
import { Pacer } from '../../lib/attach/retry';
import { classifyEndpoint } from '../../lib/sagemaker/classify';
import type { EndpointModel } from '../../lib/sagemaker/model';
import { endpointWithComponents, fixture, NOW, SETTINGS } from './attach-fixtures';

interface Body {
  widgets: Array<{ type: string; y: number; properties: { title?: string; markdown?: string; metrics?: unknown[][] } }>;
}

function dashboards(model: EndpointModel) {
  const state = desiredState({ resource: { kind: 'endpoint', name: model.name, tags: {} }, lifecycle: 'attach', model, settings: SETTINGS, now: NOW });
  return state.attachments.flatMap((a) => (a.type === 'dashboard' ? [{ name: a.id, body: a.input.DashboardBody!, parsed: JSON.parse(a.input.DashboardBody!) as Body }] : []));
}

describe('dashboards within CloudWatch limits', () => {
  it('250 inference components: numbered dashboards, each under 500 widgets, 2,500 metrics and the body limit; every component on one part, whole', () => {
    const parts = dashboards(classifyEndpoint(endpointWithComponents(250)));
    expect(parts.map((p) => p.name)).toEqual(['sagewatch_endpoint-llm-shared', 'sagewatch_endpoint-llm-shared_2']);
    for (const part of parts) {
      expect(part.parsed.widgets.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.widgets);
      const metrics = part.parsed.widgets.map((w) => w.properties.metrics?.length ?? 0);
      expect(Math.max(...metrics)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerWidget);
      expect(metrics.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metrics);
      expect(Buffer.byteLength(part.body)).toBeLessThanOrEqual(DASHBOARD_LIMITS.bodyBytes);
    }
    // Each component's three widgets on exactly one part.
    const where = new Map<string, Set<string>>();
    for (const part of parts) {
      for (const w of part.parsed.widgets) {
        const component = w.properties.title?.match(/^Component .* · (ic-\d+)$/)?.[1];
        if (component) (where.get(component) ?? where.set(component, new Set()).get(component)!).add(part.name);
      }
    }
    expect(where.size).toBe(250);
    expect([...where.values()].every((names) => names.size === 1)).toBe(true);
    const widgetsOf = (name: string) => parts.flatMap((p) => p.parsed.widgets.filter((w) => w.properties.title?.endsWith(` · ${name}`)).map((w) => w.properties.title));
    expect(widgetsOf('ic-250')).toEqual(['Component invocations · ic-250', 'Component latency (µs) · ic-250', 'Component utilisation (%) · ic-250']);
    // The headers say where the rest is.
    expect(parts[0]!.parsed.widgets[0]!.properties.markdown).toContain('Continued on: sagewatch_endpoint-llm-shared_2');
    expect(parts[1]!.parsed.widgets[0]!.properties.markdown).toMatch(/^## sagewatch · endpoint llm-shared · part 2 of 2\nInference components ic-\d+ to ic-250 \(\d+ of 250\)/);
    // The variant's widgets stay on the first part.
    expect(parts[0]!.parsed.widgets[1]!.properties.title).toBe('Reservations (%) · gpu-pool');
  });

  it('a small endpoint keeps one dashboard under its usual name', () => {
    expect(dashboards(classifyEndpoint(endpointWithComponents(3))).map((p) => p.name)).toEqual(['sagewatch_endpoint-llm-shared']);
  });

  it('plan --json counts and prices every part', async () => {
    const plan = await planFromFiles({ event: fixture('endpoint-state-change.in-service.json'), describe: renamedDescribe(250), now: NOW });
    const puts = plan.actions.filter((a) => a.action === 'PutDashboard');
    expect(puts.map((a) => (a.input as { DashboardName: string }).DashboardName)).toEqual(['sagewatch_endpoint-fraud-scorer', 'sagewatch_endpoint-fraud-scorer_2']);
    expect(plan.cost.lines.find((l) => l.item === 'dashboards')).toEqual({ item: 'dashboards', quantity: 2, monthlyUsd: 6 });
  });
});

function renamedDescribe(count: number): unknown {
  return JSON.parse(JSON.stringify(endpointWithComponents(count, 'fraud-scorer')));
}

describe('dashboard parts follow the components', () => {
  const cw = mockClient(CloudWatchClient);
  const logs = mockClient(CloudWatchLogsClient);
  mockClient(SNSClient);
  const gateway = createAwsGateway(
    { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
    { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, random: () => 0.5, sleep: async () => {} }, pacer: new Pacer(Number.POSITIVE_INFINITY) },
  );
  let inventory: MemoryInventory;
  let clock = NOW;
  const run = (model: EndpointModel | undefined, lifecycle: 'attach' | 'detach') =>
    converge(
      { resource: { kind: 'endpoint', name: 'llm-shared', region: 'eu-west-1', account: '111122223333', tags: {} }, lifecycle, observedAt: (clock += 1000), model },
      { gateway, inventory, settings: SETTINGS, owner: 'test', now: () => clock },
    );

  beforeEach(() => {
    cw.reset();
    logs.reset();
    cw.onAnyCommand().resolves({});
    logs.onAnyCommand().resolves({});
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    inventory = new MemoryInventory();
  });

  it('fewer components remove the parts no longer needed; detach removes every part', async () => {
    await run(classifyEndpoint(endpointWithComponents(250)), 'attach');
    expect(cw.commandCalls(PutDashboardCommand).map((c) => c.args[0].input.DashboardName)).toEqual(['sagewatch_endpoint-llm-shared', 'sagewatch_endpoint-llm-shared_2']);

    cw.resetHistory();
    const shrunk = await run(classifyEndpoint(endpointWithComponents(2)), 'attach');
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteDashboardsCommand, { DashboardNames: ['sagewatch_endpoint-llm-shared_2'] });
    expect(shrunk.changes.deleted).toContain('dashboard:sagewatch_endpoint-llm-shared_2');

    await run(classifyEndpoint(endpointWithComponents(250)), 'attach');
    cw.resetHistory();
    await run(undefined, 'detach');
    const deleted = cw.commandCalls(DeleteDashboardsCommand).flatMap((c) => c.args[0].input.DashboardNames ?? []);
    expect(deleted.sort()).toEqual(['sagewatch_endpoint-llm-shared', 'sagewatch_endpoint-llm-shared_2']);
    expect((await inventory.read('endpoint/llm-shared')).attachments).toEqual([]);
  });
});
