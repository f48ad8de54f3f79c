import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { planFromFiles, renderPlan } from '../../lib/attach/plan';
import { cli } from '../support/cli';
import { fixture, NOW } from './attach-fixtures';

describe('planFromFiles', () => {
  it('an endpoint event with its describe file: { resource, kinds, actions } with AWS operation names and exact requests', async () => {
    const plan = await planFromFiles({ event: fixture('endpoint-state-change.async-in-service.json'), describe: fixture('describe/async.json'), now: NOW });
    expect(plan.resource).toMatchObject({ kind: 'endpoint', name: 'doc-ocr-async', region: 'eu-west-1', account: '111122223333' });
    expect(plan.kinds).toEqual(['async']);
    expect(plan.complete).toBe(true);
    expect(plan.lifecycle).toBe('attach');
    expect(plan.actions.map((a) => `${a.service}:${a.action}`)).toEqual([
      ...Array<string>(13).fill('cloudwatch:PutMetricAlarm'),
      'cloudwatch:PutDashboard',
      'logs:PutSubscriptionFilter',
      'sns:Subscribe',
      'sns:Subscribe',
      'cloudwatch:PutMetricStream',
    ]);
    // Default settings: the stack's resources in the event's account and region.
    expect(plan.actions.find((a) => a.action === 'Subscribe')!.input).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-success',
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:eu-west-1:111122223333:sagewatch-notifications',
      ReturnSubscriptionArn: true,
    });
    expect(plan.actions.find((a) => a.action === 'PutMetricAlarm')!.input).toMatchObject({ AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:sagewatch-alerts'] });
    // JSON-ready: what `--json` prints.
    expect(JSON.parse(JSON.stringify({ resource: plan.resource, kinds: plan.kinds, actions: plan.actions })).actions).toHaveLength(18);
  });

  it('settings passed in win over the defaults', async () => {
    const plan = await planFromFiles({
      event: fixture('endpoint-state-change.in-service.json'),
      describe: fixture('describe/real-time.json'),
      settings: { alertsTopicArn: 'arn:aws:sns:eu-west-1:111122223333:prod-alerts', thresholds: { error5xxRate: 0.05 } },
      now: NOW,
    });
    const alarm = plan.actions.find((a) => (a.input as { AlarmName?: string }).AlarmName?.endsWith('.5xx-rate'))!.input;
    expect(alarm).toMatchObject({ AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:prod-alerts'], Threshold: 0.05 });
  });

  it('an endpoint event alone cannot tell the kinds, and says so', async () => {
    const plan = await planFromFiles({ event: fixture('endpoint-state-change.in-service.json'), now: NOW });
    expect(plan).toMatchObject({ complete: false, kinds: [], actions: [], lifecycle: 'attach', status: 'InService' });
    expect(plan.notes[0]).toMatch(/does not say what kind of endpoint fraud-scorer is.*pass --describe/);
    expect(renderPlan(plan)).toContain('No plan: not enough information.');
  });

  it('a job event alone is enough: the failed job gets its outcome metrics and its failure alert', async () => {
    const plan = await planFromFiles({ event: fixture('training-job-state-change.failed.json'), now: NOW });
    expect(plan.complete).toBe(true);
    expect(plan.kinds).toEqual(['training-job']);
    expect(plan.actions.map((a) => `${a.service}:${a.action}`)).toEqual(['cloudwatch:PutMetricData', 'sns:Publish']);
    expect(plan.actions[0]!.input).toMatchObject({
      Namespace: 'sagewatch',
      MetricData: [
        { MetricName: 'JobsFailed', Value: 1 },
        { MetricName: 'JobDuration', Value: 3_600_000 },
      ],
    });
    expect((plan.actions[1]!.input as { Message: string }).Message).toContain('CUDA out of memory');
    expect(plan.notes).toContain('Planned from the event alone: the deployed workflow describes the job again before acting.');
  });

  it('a job with its describe file, and a pipeline execution from its event', async () => {
    const withDescribe = await planFromFiles({ event: fixture('training-job-state-change.in-progress.json'), describe: fixture('describe/training-job.failed.json'), now: NOW });
    // The describe wins over the event: the job has failed since.
    expect(withDescribe.lifecycle).toBe('detach');
    expect(withDescribe.status).toBe('Failed');
    const pipeline = await planFromFiles({ event: fixture('pipeline-execution-status-change.failed.json'), now: NOW });
    expect(pipeline.resource.name).toBe('churn-retrain/k3v9q2x7m1p4');
    expect(pipeline.actions.map((a) => a.action)).toEqual(['PutMetricData', 'Publish']);
  });

  it('a running transform job: the shared host alarm (first transform job of the account), a metric stream, and a note why the alarm is shared', async () => {
    const plan = await planFromFiles({ event: fixture('transform-job-state-change.in-progress.json'), now: NOW });
    // ml.c5.xlarge: no GPU, so only the memory alarm.
    expect(plan.actions.map((a) => `${a.action} ${(a.input as { AlarmName?: string; Name?: string }).AlarmName ?? (a.input as { Name?: string }).Name}`)).toEqual([
      'PutMetricAlarm sagewatch_account.transform-job.memory',
      'PutMetricStream sagewatch_metrics',
    ]);
    expect(plan.notes).toContain(
      "transform-job hosts are named after instance ids that do not exist before the job runs: they are watched by the stack's shared Metrics Insights alarms over every transform-job host in the account and Region, with the stack's default thresholds",
    );
  });

  it('planned against what is attached already: a deleting endpoint is detached', async () => {
    const inventory = new MemoryInventory();
    await planFromFiles({ event: fixture('endpoint-state-change.in-service.json'), describe: fixture('describe/real-time.json'), inventory, now: NOW });
    const gone = await planFromFiles({
      event: fixture('endpoint-state-change.deleting.json'),
      describe: { ...fixture('describe/real-time.json'), endpoint: { ...(fixture('describe/real-time.json').endpoint as object), EndpointStatus: 'Deleting' } },
      inventory,
      now: NOW + 1,
    });
    expect(gone.lifecycle).toBe('detach');
    expect(gone.actions.map((a) => a.action)).toEqual(['DeleteAlarms', 'DeleteDashboards', 'DeleteSubscriptionFilter', 'DeleteMetricStream']);
    expect(renderPlan(gone)).toContain('Plan: 0 to add, 0 to change, 4 to destroy.');
  });

  it('reports what it would find: a full log group', async () => {
    const plan = await planFromFiles({
      event: fixture('endpoint-state-change.in-service.json'),
      describe: fixture('describe/real-time.json'),
      world: { subscriptionFilters: { '/aws/sagemaker/Endpoints/fraud-scorer': [{ filterName: 'a' }, { filterName: 'b' }] } },
      now: NOW,
    });
    expect(plan.actions.map((a) => a.action)).not.toContain('PutSubscriptionFilter');
    expect(plan.gaps.map((g) => g.code)).toEqual(['LogSubscriptionSlotsFull']);
    expect(renderPlan(plan)).toMatch(/! gap: log group \/aws\/sagemaker\/Endpoints\/fraud-scorer already has two subscription filters/);
  });

  it('renders like terraform plan', async () => {
    const plan = await planFromFiles({ event: fixture('endpoint-state-change.in-service.json'), describe: fixture('describe/real-time.json'), now: NOW });
    const text = renderPlan(plan);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'endpoint fraud-scorer: InService → attach',
      'kinds: real-time',
      '',
      '  + cloudwatch:PutMetricAlarm sagewatch_endpoint.fraud-scorer.variant.primary.5xx-rate',
    ]);
    expect(text).toContain('  + logs:PutSubscriptionFilter /aws/sagemaker/Endpoints/fraud-scorer');
    expect(text).toContain('Plan: 11 to add, 0 to change, 0 to destroy.');
  });

  it('a CloudTrail inference-component call plans its endpoint: from the call (Create) or from --describe (Update, Delete)', async () => {
    const call = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/eventbridge/rules/positive/inference-component-${name}-cloudtrail.json`, import.meta.url), 'utf8')) as unknown;
    const describeFile = fixture('describe/inference-components.json');
    for (const name of ['create', 'update', 'delete']) {
      const plan = await planFromFiles({ event: call(name), describe: describeFile, now: NOW });
      expect(plan.resource, name).toMatchObject({ kind: 'endpoint', name: 'llm-shared' });
      expect(plan.kinds, name).toEqual(['inference-components']);
      // The component's own alarms are planned (dimension InferenceComponentName=summarizer-ic).
      expect(
        plan.actions.some((a) => JSON.stringify(a.input).includes('{"Name":"InferenceComponentName","Value":"summarizer-ic"}')),
        name,
      ).toBe(true);
    }
    await expect(planFromFiles({ event: call('update'), now: NOW })).rejects.toThrow(/UpdateInferenceComponent names only inference component summarizer-ic: pass --describe/);
  });

  it('sagewatch plan --json shows the log group of every inference component next to the endpoint group', async () => {
    for (const call of ['create', 'update']) {
      const event = `test/fixtures/eventbridge/rules/positive/inference-component-${call}-cloudtrail.json`;
      const result = await cli(['plan', '--event', event, '--describe', 'events/sagemaker/describe/inference-components.json', '--json']);
      expect(result.code, `${call}: ${result.stderr}`).toBe(0);
      const plan = JSON.parse(result.stdout) as { resource: { name: string }; actions: Array<{ action: string; input: { logGroupName?: string; filterName?: string } }> };
      expect(plan.resource.name).toBe('llm-shared');
      expect(plan.actions.filter((a) => a.action === 'PutSubscriptionFilter').map((a) => [a.input.logGroupName, a.input.filterName])).toEqual([
        ['/aws/sagemaker/Endpoints/llm-shared', 'sagewatch_logs'],
        ['/aws/sagemaker/InferenceComponents/embedder-ic', 'sagewatch_logs'],
        ['/aws/sagemaker/InferenceComponents/summarizer-ic', 'sagewatch_logs'],
      ]);
    }
    // Without --describe an Update names no endpoint: a clear error, no stack trace.
    const bare = await cli(['plan', '--event', 'test/fixtures/eventbridge/rules/positive/inference-component-update-cloudtrail.json']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^sagewatch: cannot plan: UpdateInferenceComponent names only inference component summarizer-ic: pass --describe/);
    expect(bare.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a describe file that is not a describe bundle', async () => {
    await expect(planFromFiles({ event: fixture('endpoint-state-change.in-service.json'), describe: { endpoint: {} } })).rejects.toThrow();
  });
});

describe('cost in the plan (lib/attach/cost.ts, prices of lib/pricing/cloudwatch.ts)', () => {
  it('prices alarms by the metrics they read (an anomaly band counts three), dashboards, and the stream updates of the series', async () => {
    const { monthlyCost, accountMonthlyCost, STREAM_UPDATES_PER_SERIES_MONTH } = await import('../../lib/attach/cost');
    const stat = (id: string) => ({ Id: id, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency' }, Period: 60, Stat: 'Average' } });
    const actions = [
      { service: 'cloudwatch' as const, action: 'PutMetricAlarm', input: { AlarmName: 'plain', MetricName: 'ModelLatency', Period: 60 } },
      { service: 'cloudwatch' as const, action: 'PutMetricAlarm', input: { AlarmName: 'band', Metrics: [stat('m1'), { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)' }] } },
      { service: 'cloudwatch' as const, action: 'PutMetricAlarm', input: { AlarmName: 'ratio', Metrics: [stat('m1'), stat('m2'), { Id: 'e1', Expression: 'm1 / m2' }] } },
      { service: 'cloudwatch' as const, action: 'PutDashboard', input: { DashboardName: 'd' } },
      { service: 'logs' as const, action: 'PutSubscriptionFilter', input: {} },
    ];
    const estimate = monthlyCost(actions, 10);
    expect(estimate.lines).toEqual([
      { item: 'alarm metrics', quantity: 6, monthlyUsd: 0.6 },
      { item: 'dashboards', quantity: 1, monthlyUsd: 3 },
      { item: 'metric stream updates', quantity: 10 * STREAM_UPDATES_PER_SERIES_MONTH, monthlyUsd: 1.31 },
    ]);
    expect(estimate.monthlyCostUsd).toBe(4.91);
    // The account: the free tier (10 alarm metrics, 3 dashboards) once, not per resource.
    const account = accountMonthlyCost([estimate, estimate, estimate, estimate]);
    expect(account.lines.find((l) => l.item === 'alarm metrics')).toEqual({ item: 'alarm metrics', quantity: 24, monthlyUsd: 1.4 });
    expect(account.lines.find((l) => l.item === 'dashboards')).toEqual({ item: 'dashboards', quantity: 4, monthlyUsd: 3 });
  });

  it('sagewatch plan --json carries monthlyCostUsd, the sum of its cost lines', async () => {
    const plan = await planFromFiles({ event: fixture('endpoint-state-change.async-in-service.json'), describe: fixture('describe/async.json') });
    expect(plan.cost.monthlyCostUsd).toBeGreaterThan(0);
    expect(plan.cost.monthlyCostUsd).toBeCloseTo(
      plan.cost.lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
      2,
    );
    expect(renderPlan(plan)).toMatch(/Monthly CloudWatch cost[\s\S]*total\s+\$\d+\.\d\d/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'sagewatch-cost-'));
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  type JsonPlan = {
    actions: Array<{ action: string; input: { AlarmName?: string; Metrics?: Array<{ Expression?: string }> } }>;
    monthlyCostUsd: number;
    cost: Array<{ item: string; quantity: number; monthlyUsd: number; note?: string }>;
  };
  const planJson = async (event: string, describe?: string): Promise<JsonPlan> => {
    const result = await cli(['plan', '--event', event, ...(describe ? ['--describe', describe] : []), '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as JsonPlan;
  };
  const insightsAlarms = (plan: JsonPlan) => plan.actions.filter((a) => a.action === 'PutMetricAlarm' && a.input.Metrics?.some((q) => /^SELECT\b/.test(q.Expression ?? '')));

  it('plan --json: a Metrics Insights alarm over a pipeline variant of 3 containers without hostnames is priced as the 3 series it analyzes', async () => {
    const describe = fixture('describe/inference-pipeline.json') as { endpoint: { EndpointName: string; EndpointArn: string }; models: Array<{ Containers: Array<Record<string, unknown>> }> };
    expect(describe.models[0]!.Containers).toHaveLength(3);
    for (const container of describe.models[0]!.Containers) delete container.ContainerHostname;
    const event = fixture('endpoint-state-change.in-service.json') as { resources: string[]; detail: Record<string, unknown> };
    event.resources = [describe.endpoint.EndpointArn];
    event.detail = { ...event.detail, EndpointName: describe.endpoint.EndpointName, EndpointArn: describe.endpoint.EndpointArn };
    const plan = await planJson(write('pipeline-unnamed.event.json', event), write('pipeline-unnamed.describe.json', describe));
    // One query alarm per container alarm of the variant (GROUP BY ContainerName), each reading every container.
    const alarms = insightsAlarms(plan);
    expect(alarms.length).toBeGreaterThan(0);
    expect(plan.cost.find((line) => line.item === 'Metrics Insights alarm metrics')).toEqual({ item: 'Metrics Insights alarm metrics', quantity: 3 * alarms.length, monthlyUsd: 0.3 * alarms.length });
    expect(plan.cost.some((line) => line.item.startsWith('shared'))).toBe(false);
    expect(plan.monthlyCostUsd).toBe(Math.round(plan.cost.reduce((sum, line) => sum + line.monthlyUsd, 0) * 100) / 100);
  });

  it('plan --json: a transform job of 4 instances is charged its 4 hosts in each shared host alarm, and the line says it is shared', async () => {
    const event = fixture('transform-job-state-change.in-progress.json') as { detail: { TransformResources: { InstanceType: string; InstanceCount: number } } };
    event.detail.TransformResources.InstanceCount = 4;
    const plan = await planJson(write('transform-4.event.json', event));
    const alarms = insightsAlarms(plan);
    expect(alarms.length).toBeGreaterThan(0);
    const line = plan.cost.find((l) => l.item === 'shared Metrics Insights alarm metrics');
    expect(line).toMatchObject({ quantity: 4 * alarms.length, monthlyUsd: Math.round(0.4 * alarms.length * 100) / 100 });
    expect(line?.note).toBe(`shared: ${alarms.length} account-wide alarm${alarms.length === 1 ? '' : 's'} over every transform-job host; this job's 4 hosts in each`);
    expect(plan.cost.some((l) => l.item === 'Metrics Insights alarm metrics')).toBe(false);
    const text = await cli(['plan', '--event', write('transform-4.event.json', event)]);
    expect(text.stdout).toMatch(/shared Metrics Insights alarm metrics +\d+ +\$\d+\.\d\d\n +\(shared: /);
    expect(
      Math.max(
        ...text.stdout
          .split('\n')
          .filter((l) => !l.startsWith('note:'))
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(100);
  });
});
