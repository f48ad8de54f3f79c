import {
  CloudWatchClient,
  CloudWatchServiceException,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DeleteMetricStreamCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  PutMetricStreamCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  DeleteSubscriptionFilterCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, PublishCommand, SNSClient, SNSServiceException, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createAwsGateway } from '../../lib/attach/aws-gateway';
import { converge, type ConvergeRequest } from '../../lib/attach/converge';
import { LogGroupNotReadyError } from '../../lib/attach/errors';
import { ResourceBusyError } from '../../lib/attach/errors';
import { streamInput } from '../../lib/attach/metric-stream';
import { fingerprint } from '../../lib/names/owned';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { PlanGateway } from '../../lib/attach/plan-gateway';
import { Pacer } from '../../lib/attach/retry';
import { classifyEndpoint } from '../../lib/sagemaker/classify';
import { EndpointBundleSchema } from '../../lib/sagemaker/descriptions';
import { classifyJob } from '../../lib/sagemaker/jobs';
import type { ResourceModel } from '../../lib/sagemaker/model';
import type { ResourceRef } from '../../lib/sagemaker/resource';
import { bundle, fixture, NOW, SETTINGS } from './attach-fixtures';

const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);

const WRITE_COMMANDS = new Set([
  'PutMetricAlarmCommand',
  'DeleteAlarmsCommand',
  'PutDashboardCommand',
  'DeleteDashboardsCommand',
  'PutMetricStreamCommand',
  'DeleteMetricStreamCommand',
  'PutMetricDataCommand',
  'PutSubscriptionFilterCommand',
  'DeleteSubscriptionFilterCommand',
  'SubscribeCommand',
  'UnsubscribeCommand',
  'PublishCommand',
]);

/** Every command the three mocked clients received, by class name. */
function sentCommands(): string[] {
  return [...cw.calls(), ...logs.calls(), ...sns.calls()].map((call) => (call.args[0] as object).constructor.name);
}

function expectNoWrites() {
  expect(sentCommands().filter((name) => WRITE_COMMANDS.has(name))).toEqual([]);
}

function resetHistory() {
  cw.resetHistory();
  logs.resetHistory();
  sns.resetHistory();
}

let sleeps: number[] = [];
const gateway = createAwsGateway(
  { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
  {
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    pacer: new Pacer(Number.POSITIVE_INFINITY),
  },
);

let inventory: MemoryInventory;
let clock = NOW;

function deps(overrides: { owner?: string } = {}) {
  return { gateway, inventory, settings: SETTINGS, owner: overrides.owner ?? 'test-run', now: () => clock };
}

function endpointRequest(model: ResourceModel | undefined, lifecycle: ConvergeRequest['lifecycle'] = 'attach', name = model?.name ?? 'fraud-scorer'): ConvergeRequest {
  clock += 1000;
  return { resource: { kind: 'endpoint', name, region: 'eu-west-1', account: '111122223333', tags: {} }, lifecycle, observedAt: clock, model };
}

function renamed(file: string, name: string) {
  const raw = fixture(`describe/${file}.json`) as { endpoint: Record<string, unknown> };
  raw.endpoint.EndpointName = name;
  raw.endpoint.EndpointArn = `arn:aws:sagemaker:eu-west-1:111122223333:endpoint/${name}`;
  return classifyEndpoint(EndpointBundleSchema.parse(raw));
}

function notFound(name: string, message: string) {
  return name === 'NotFoundException'
    ? new SNSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 404 }, message })
    : new CloudWatchLogsServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

beforeEach(() => {
  cw.reset();
  logs.reset();
  sns.reset();
  cw.onAnyCommand().resolves({});
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  logs.on(PutSubscriptionFilterCommand).resolves({});
  logs.on(DeleteSubscriptionFilterCommand).resolves({});
  sns.on(SubscribeCommand).callsFake((input: { TopicArn: string }) => ({ SubscriptionArn: `${input.TopicArn}:5d1c0b8e-7f3a-4c21-9e0d-2b6a8c4f1e93` }));
  sns.on(UnsubscribeCommand).resolves({});
  // Every subscription this test suite makes delivers to the stack's queue, as SNS would say.
  sns.on(GetSubscriptionAttributesCommand).callsFake((input: { SubscriptionArn: string }) => ({
    Attributes: { SubscriptionArn: input.SubscriptionArn, Protocol: 'sqs', Endpoint: SETTINGS.notificationsQueueArn },
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  inventory = new MemoryInventory();
  sleeps = [];
  clock = NOW;
});

const REAL_TIME_ALARMS = ['5xx-rate', '4xx-rate', 'model-latency', 'model-latency-anomaly', 'overhead-latency', 'invocations-anomaly', 'memory', 'disk'].map(
  (id) => `sagewatch_endpoint.fraud-scorer.variant.primary.${id}`,
);
const ALERTS = [SETTINGS.alertsTopicArn];
const TAGS = [
  { Key: 'sagewatch:managed', Value: 'true' },
  { Key: 'sagewatch:resource', Value: 'endpoint/fraud-scorer' },
];

describe('attach: a real-time endpoint', () => {
  it('sends exactly the requests its kind needs', async () => {
    const result = await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());

    expect(cw).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 8);
    expect(cw.commandCalls(PutMetricAlarmCommand).map((call) => call.args[0].input.AlarmName)).toEqual(REAL_TIME_ALARMS);
    // Static threshold from the endpoint's tag (250 ms) in the metric's unit (µs).
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      AlarmName: 'sagewatch_endpoint.fraud-scorer.variant.primary.model-latency',
      AlarmDescription: 'Average ModelLatency above the threshold. Threshold 250 ms (tag sagewatch:latency-avg-ms). Endpoint fraud-scorer, variant primary. Managed by sagewatch.',
      ActionsEnabled: true,
      AlarmActions: ALERTS,
      OKActions: ALERTS,
      Namespace: 'AWS/SageMaker',
      MetricName: 'ModelLatency',
      Dimensions: [
        { Name: 'EndpointName', Value: 'fraud-scorer' },
        { Name: 'VariantName', Value: 'primary' },
      ],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 250_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Tags: TAGS,
    });
    // Anomaly detection band through metric math.
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      AlarmName: 'sagewatch_endpoint.fraud-scorer.variant.primary.invocations-anomaly',
      AlarmDescription:
        'Invocations outside their anomaly detection band: a traffic drop or surge. Band width 2 standard deviations (tag sagewatch:anomaly-band-width). Endpoint fraud-scorer, variant primary. Managed by sagewatch.',
      ActionsEnabled: true,
      AlarmActions: ALERTS,
      OKActions: ALERTS,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      ThresholdMetricId: 'ad1',
      Metrics: [
        {
          Id: 'm1',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SageMaker',
              MetricName: 'Invocations',
              Dimensions: [
                { Name: 'EndpointName', Value: 'fraud-scorer' },
                { Name: 'VariantName', Value: 'primary' },
              ],
            },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
        { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', Label: 'Invocations (expected)', ReturnData: true },
      ],
      Tags: TAGS,
    });
    expect(logs).toHaveReceivedCommandWith(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/sagemaker/Endpoints/fraud-scorer' });
    expect(logs).toHaveReceivedCommandExactlyOnceWith(PutSubscriptionFilterCommand, {
      logGroupName: '/aws/sagemaker/Endpoints/fraud-scorer',
      filterName: 'sagewatch_logs',
      filterPattern: '',
      destinationArn: SETTINGS.logDestinationArn,
      roleArn: SETTINGS.logRoleArn,
      distribution: 'ByLogStream',
    });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(PutMetricStreamCommand, {
      Name: 'sagewatch_metrics',
      IncludeFilters: [
        { Namespace: '/aws/sagemaker/Endpoints', MetricNames: ['CPUUtilization', 'DiskUtilization', 'GPUMemoryUtilization', 'GPUUtilization', 'MemoryUtilization'] },
        {
          Namespace: 'AWS/SageMaker',
          MetricNames: [
            'ConcurrentRequestsPerModel',
            'Invocation4XXErrors',
            'Invocation5XXErrors',
            'InvocationModelErrors',
            'Invocations',
            'InvocationsPerInstance',
            'ModelLatency',
            'OverheadLatency',
          ],
        },
      ],
      FirehoseArn: SETTINGS.metricStreamFirehoseArn,
      RoleArn: SETTINGS.metricStreamRoleArn,
      OutputFormat: 'json',
      Tags: [{ Key: 'sagewatch:managed', Value: 'true' }],
    });
    const dashboard = cw.commandCalls(PutDashboardCommand)[0]!.args[0].input;
    expect(dashboard.DashboardName).toBe('sagewatch_endpoint-fraud-scorer');
    expect(dashboard.Tags).toEqual(TAGS);
    const body = JSON.parse(dashboard.DashboardBody!) as { widgets: Array<{ type: string; properties: { title?: string; metrics?: unknown[][]; region?: string } }> };
    expect(body.widgets.map((w) => w.properties.title).filter(Boolean)).toEqual([
      'Invocations · primary',
      'Errors · primary',
      'Latency (µs) · primary',
      'Instance utilisation (%) · primary',
      'GPU utilisation (%) · primary',
    ]);
    expect(body.widgets[1]!.properties.metrics![0]).toEqual(['AWS/SageMaker', 'Invocations', 'EndpointName', 'fraud-scorer', 'VariantName', 'primary', { stat: 'Sum', label: 'Invocations' }]);
    expect(body.widgets[1]!.properties.region).toBe('eu-west-1');
    expect(sns).not.toHaveReceivedCommand(SubscribeCommand);

    expect(result).toMatchObject({ key: 'endpoint/fraud-scorer', status: 'converged', kinds: ['real-time'], problems: [], pending: [], gaps: [] });
    expect(result.changes.created).toHaveLength(11);
    const snapshot = await inventory.read('endpoint/fraud-scorer');
    expect(snapshot.attachments.map((a) => `${a.type}:${a.id}`)).toEqual([
      ...[...REAL_TIME_ALARMS].sort().map((n) => `alarm:${n}`),
      'dashboard:sagewatch_endpoint-fraud-scorer',
      'log-subscription:/aws/sagemaker/Endpoints/fraud-scorer',
      'metric-stream:sagewatch_metrics',
    ]);
    expect(snapshot.resource).toMatchObject({ kind: 'endpoint', kinds: ['real-time'], status: 'InService', state: 'attached', gaps: [] });
  });

  it('a second run on the attached endpoint makes no write call', async () => {
    const model = classifyEndpoint(bundle('real-time'));
    await converge(endpointRequest(model), deps());
    resetHistory();
    const again = await converge(endpointRequest(model), deps());
    expectNoWrites();
    expect(logs).not.toHaveReceivedCommand(DescribeSubscriptionFiltersCommand);
    expect(again).toMatchObject({ status: 'unchanged', changes: { created: [], updated: [], deleted: [] }, problems: [] });
  });

  it('a changed threshold updates that one alarm only', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    resetHistory();
    const raw = { ...fixture('describe/real-time.json'), tags: { 'sagewatch:latency-avg-ms': '400' } };
    const result = await converge(endpointRequest(classifyEndpoint(EndpointBundleSchema.parse(raw))), deps());
    expect(cw).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 1);
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, { AlarmName: 'sagewatch_endpoint.fraud-scorer.variant.primary.model-latency', Threshold: 400_000 });
    expect(result.changes).toEqual({ created: [], updated: ['alarm:sagewatch_endpoint.fraud-scorer.variant.primary.model-latency'], deleted: [] });
  });

  it('the plan gateway records exactly the requests the real gateway sent', async () => {
    const model = classifyEndpoint(bundle('async-multi-model'));
    await converge(endpointRequest(model), deps());
    const sent = [
      ...cw.calls().map((c) => ({ action: (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''), input: (c.args[0] as { input: unknown }).input })),
      ...logs.calls().map((c) => ({ action: (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''), input: (c.args[0] as { input: unknown }).input })),
      ...sns.calls().map((c) => ({ action: (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''), input: (c.args[0] as { input: unknown }).input })),
    ];
    const plan = new PlanGateway();
    await converge(
      { ...endpointRequest(model), resource: { kind: 'endpoint', name: model.name, region: 'eu-west-1', account: '111122223333', tags: {} } },
      {
        ...deps(),
        gateway: plan,
        inventory: new MemoryInventory(),
      },
    );
    const key = (c: { action: string; input: unknown }) => `${c.action} ${fingerprint(c.input)}`;
    expect(plan.calls.map(key).sort()).toEqual(sent.map(key).sort());
    expect(plan.calls.length).toBeGreaterThan(15);
  });
});

describe('detach', () => {
  it('removes exactly what the inventory lists, and only that', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    // An alarm of an older sagewatch version, still listed in the inventory.
    await inventory.putAttachment('endpoint/fraud-scorer', { type: 'alarm', id: 'sagewatch_endpoint.fraud-scorer.variant.primary.legacy', fingerprint: 'x' });
    // The log group now holds the filter sagewatch put, delivering to its stream.
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [{ filterName: 'sagewatch_logs', destinationArn: SETTINGS.logDestinationArn }] });
    resetHistory();

    const result = await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps());

    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteAlarmsCommand, {
      AlarmNames: [...REAL_TIME_ALARMS, 'sagewatch_endpoint.fraud-scorer.variant.primary.legacy'].sort(),
    });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteDashboardsCommand, { DashboardNames: ['sagewatch_endpoint-fraud-scorer'] });
    expect(logs).toHaveReceivedCommandExactlyOnceWith(DeleteSubscriptionFilterCommand, { logGroupName: '/aws/sagemaker/Endpoints/fraud-scorer', filterName: 'sagewatch_logs' });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect(cw).not.toHaveReceivedCommand(PutDashboardCommand);
    expect(cw).not.toHaveReceivedCommand(PutMetricStreamCommand);
    // One read: the filter is deleted only after it is seen to be still sagewatch's.
    expect(logs).toHaveReceivedCommandExactlyOnceWith(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/sagemaker/Endpoints/fraud-scorer' });

    expect(result.status).toBe('converged');
    expect(result.changes.deleted).toHaveLength(12);
    const snapshot = await inventory.read('endpoint/fraud-scorer');
    expect(snapshot.attachments).toEqual([]);
    expect(snapshot.resource).toMatchObject({ state: 'detached', status: 'Gone' });
    expect(inventory.expiresAtOf('endpoint/fraud-scorer')).toBe(Math.floor((clock + 7 * 24 * 3600_000) / 1000));

    resetHistory();
    expect((await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps())).status).toBe('unchanged');
    expectNoWrites();
  });

  it('a gone resource sagewatch never attached leaves only a tombstone', async () => {
    const result = await converge(endpointRequest(undefined, 'detach', 'never-seen'), deps());
    expectNoWrites();
    expect(result.status).toBe('unchanged');
    expect((await inventory.read('endpoint/never-seen')).resource).toMatchObject({ state: 'detached' });
  });

  it('sagewatch:ignore=true detaches an attached endpoint', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    resetHistory();
    const raw = { ...fixture('describe/real-time.json'), tags: { 'sagewatch:ignore': 'true' } };
    await converge(endpointRequest(classifyEndpoint(EndpointBundleSchema.parse(raw))), deps());
    expect(cw).toHaveReceivedCommandTimes(DeleteAlarmsCommand, 1);
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect((await inventory.read('endpoint/fraud-scorer')).resource).toMatchObject({ state: 'detached', ignored: true });
  });

  it('"keep" (Updating, OutOfService) touches nothing', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    resetHistory();
    const result = await converge(endpointRequest(classifyEndpoint(bundle('real-time')), 'keep'), deps());
    expectNoWrites();
    expect(result.status).toBe('kept');
    expect((await inventory.read('endpoint/fraud-scorer')).attachments).toHaveLength(11);
  });
});

describe('log subscription: never clobber, report the gap', () => {
  const group = '/aws/sagemaker/Endpoints/fraud-scorer';

  it('two filters of someone else: no put, no delete, a gap reported once', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        { filterName: 'datadog-forwarder', logGroupName: group, destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:dd' },
        { filterName: 'security-archive', logGroupName: group, destinationArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/sec' },
      ],
    });
    const model = classifyEndpoint(bundle('real-time'));
    const first = await converge(endpointRequest(model), deps());
    expect(logs).not.toHaveReceivedCommand(PutSubscriptionFilterCommand);
    expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
    const gap = {
      code: 'LogSubscriptionSlotsFull',
      key: `LogSubscriptionSlotsFull:${group}`,
      message: `log group ${group} already has two subscription filters (datadog-forwarder, security-archive); sagewatch does not replace filters it did not create`,
    };
    expect(first.gaps).toEqual([gap]);
    expect(first.problems).toEqual([gap]);
    expect((await inventory.read('endpoint/fraud-scorer')).resource!.gaps).toEqual([gap]);
    expect((await inventory.read('endpoint/fraud-scorer')).attachments.map((a) => a.type)).not.toContain('log-subscription');

    resetHistory();
    const second = await converge(endpointRequest(model), deps());
    expect(logs).toHaveReceivedCommandTimes(DescribeSubscriptionFiltersCommand, 1);
    expectNoWrites();
    expect(second.problems).toEqual([]);
    expect(second.gaps).toEqual([gap]);

    // A slot frees up: the next run takes it and the gap closes.
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [{ filterName: 'datadog-forwarder', logGroupName: group }] });
    resetHistory();
    const third = await converge(endpointRequest(model), deps());
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
    expect(third.gaps).toEqual([]);
    expect((await inventory.read('endpoint/fraud-scorer')).resource!.gaps).toEqual([]);
  });

  it('one foreign filter leaves room for ours; ours is updated in place, never another one', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        { filterName: 'datadog-forwarder', destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:dd' },
        { filterName: 'sagewatch_logs', destinationArn: SETTINGS.logDestinationArn },
      ],
    });
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    expect(logs).toHaveReceivedCommandWith(PutSubscriptionFilterCommand, { logGroupName: group, filterName: 'sagewatch_logs' });
    expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
  });

  it("a user's filter named like sagewatch's is never overwritten or deleted: sagewatch's own takes the second name", async () => {
    const users = { filterName: 'sagewatch_logs', logGroupName: group, destinationArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/team-archive', filterPattern: 'ERROR' };
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [users] });
    const model = classifyEndpoint(bundle('real-time'));
    await converge(endpointRequest(model), deps());
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
    expect(logs).toHaveReceivedCommandExactlyOnceWith(PutSubscriptionFilterCommand, {
      logGroupName: group,
      filterName: 'sagewatch_logs-2',
      filterPattern: '',
      destinationArn: SETTINGS.logDestinationArn,
      roleArn: SETTINGS.logRoleArn,
      distribution: 'ByLogStream',
    });
    const recorded = (await inventory.read('endpoint/fraud-scorer')).attachments.find((a) => a.type === 'log-subscription');
    expect(recorded?.details).toEqual({ logGroupName: group, filterName: 'sagewatch_logs-2', destinationArn: SETTINGS.logDestinationArn });

    // Detach: only sagewatch's filter goes, by the name and destination recorded.
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [users, { filterName: 'sagewatch_logs-2', logGroupName: group, destinationArn: SETTINGS.logDestinationArn }] });
    resetHistory();
    await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps());
    expect(logs).toHaveReceivedCommandTimes(DeleteSubscriptionFilterCommand, 1);
    expect(logs).toHaveReceivedCommandExactlyOnceWith(DeleteSubscriptionFilterCommand, { logGroupName: group, filterName: 'sagewatch_logs-2' });
  });

  it('a filter sagewatch recorded but someone replaced (same name, another destination) is left alone on detach', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ filterName: 'sagewatch_logs', logGroupName: group, destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:their-own' }],
    });
    resetHistory();
    const result = await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps());
    expect(logs).toHaveReceivedCommandExactlyOnceWith(DescribeSubscriptionFiltersCommand, { logGroupName: group });
    expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
    expect(logs).not.toHaveReceivedCommand(PutSubscriptionFilterCommand);
    expect((await inventory.read('endpoint/fraud-scorer')).attachments).toEqual([]);
    expect(result.changes.deleted).toContain(`log-subscription:${group}`);
  });

  it('an unchanged account with open gaps (full log group, missing topic) costs reads only: no lock, no write', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        { filterName: 'datadog-forwarder', destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:dd' },
        { filterName: 'security-archive', destinationArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/sec' },
      ],
    });
    sns.on(SubscribeCommand, { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors' }).rejects(notFound('NotFoundException', 'Topic does not exist'));
    sns.on(GetTopicAttributesCommand).callsFake((input: { TopicArn: string }) => {
      if (input.TopicArn.endsWith(':doc-ocr-errors')) throw notFound('NotFoundException', 'Topic does not exist');
      return { Attributes: { TopicArn: input.TopicArn } };
    });
    const model = classifyEndpoint(bundle('async'));
    const first = await converge(endpointRequest(model), deps());
    expect(first.gaps.map((g) => g.code).sort()).toEqual(['LogSubscriptionSlotsFull', 'NotificationTopicMissing']);

    resetHistory();
    const writers = (['lock', 'unlock', 'putResource', 'putAttachment', 'deleteAttachment', 'addStreamMember', 'removeStreamMember'] as const).map((method) => vi.spyOn(inventory, method));
    const again = await converge(endpointRequest(model), deps());
    expect(again.status).toBe('unchanged');
    expect(again.gaps.map((g) => g.code).sort()).toEqual(['LogSubscriptionSlotsFull', 'NotificationTopicMissing']);
    expectNoWrites();
    for (const writer of writers) expect(writer).not.toHaveBeenCalled();
    expect(logs).toHaveReceivedCommandExactlyOnceWith(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/sagemaker/Endpoints/doc-ocr-async' });
    expect(sns).toHaveReceivedCommandExactlyOnceWith(GetTopicAttributesCommand, { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors' });

    // The topic appears: the next run converges and closes that gap.
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns.on(SubscribeCommand).callsFake((input: { TopicArn: string }) => ({ SubscriptionArn: `${input.TopicArn}:0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9` }));
    resetHistory();
    const closed = await converge(endpointRequest(model), deps());
    expect(sns).toHaveReceivedCommandExactlyOnceWith(SubscribeCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors',
      Protocol: 'sqs',
      Endpoint: SETTINGS.notificationsQueueArn,
      ReturnSubscriptionArn: true,
    });
    expect(closed.gaps.map((g) => g.code)).toEqual(['LogSubscriptionSlotsFull']);
  });

  it('LimitExceededException on put is the same gap', async () => {
    logs
      .on(PutSubscriptionFilterCommand)
      .rejects(new CloudWatchLogsServiceException({ name: 'LimitExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Resource limit exceeded.' }));
    const result = await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    expect(result.gaps.map((g) => g.code)).toEqual(['LogSubscriptionSlotsFull']);
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
  });

  it('a log group that does not exist yet: everything else converges, then LogGroupNotReady for a later retry', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).rejects(notFound('ResourceNotFoundException', 'The specified log group does not exist.'));
    const model = classifyEndpoint(bundle('real-time'));
    const error = await converge(endpointRequest(model), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogGroupNotReadyError);
    expect((error as LogGroupNotReadyError).name).toBe('LogGroupNotReady');
    expect((error as LogGroupNotReadyError).result.pending).toEqual([group]);
    expect(cw).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 8);
    expect((await inventory.read('endpoint/fraud-scorer')).attachments).toHaveLength(10);

    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    resetHistory();
    const retry = await converge(endpointRequest(model), deps());
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
    expect(retry.changes.created).toEqual([`log-subscription:${group}`]);
  });
});

describe('inference components: each component logs to its own group, subscribed like the endpoint group', () => {
  const endpointGroup = '/aws/sagemaker/Endpoints/llm-shared';
  const embedderGroup = '/aws/sagemaker/InferenceComponents/embedder-ic';
  const summarizerGroup = '/aws/sagemaker/InferenceComponents/summarizer-ic';
  const filterFor = (logGroupName: string, filterName = 'sagewatch_logs') => ({
    logGroupName,
    filterName,
    filterPattern: '',
    destinationArn: SETTINGS.logDestinationArn,
    roleArn: SETTINGS.logRoleArn,
    distribution: 'ByLogStream',
  });
  const logCalls = () => logs.calls().map((call) => [(call.args[0] as object).constructor.name, (call.args[0] as { input: unknown }).input]);
  /** The fixture's endpoint with `embedder-ic` in the given status (Deleting: on its way out). */
  const withEmbedder = (status: string) => {
    const raw = fixture('describe/inference-components.json') as { inferenceComponents: Array<Record<string, unknown>> };
    raw.inferenceComponents = raw.inferenceComponents.map((c) => (c.InferenceComponentName === 'embedder-ic' ? { ...c, InferenceComponentStatus: status } : c));
    return classifyEndpoint(EndpointBundleSchema.parse(raw));
  };

  it('attach: one read and one put per group, the same filter on each, each recorded for detach', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('inference-components'))), deps());

    expect(logCalls()).toEqual([
      ['DescribeSubscriptionFiltersCommand', { logGroupName: endpointGroup }],
      ['PutSubscriptionFilterCommand', filterFor(endpointGroup)],
      ['DescribeSubscriptionFiltersCommand', { logGroupName: embedderGroup }],
      ['PutSubscriptionFilterCommand', filterFor(embedderGroup)],
      ['DescribeSubscriptionFiltersCommand', { logGroupName: summarizerGroup }],
      ['PutSubscriptionFilterCommand', filterFor(summarizerGroup)],
    ]);
    const recorded = (await inventory.read('endpoint/llm-shared')).attachments.filter((a) => a.type === 'log-subscription');
    expect(recorded.map((a) => a.details)).toEqual(
      [endpointGroup, embedderGroup, summarizerGroup].map((logGroupName) => ({ logGroupName, filterName: 'sagewatch_logs', destinationArn: SETTINGS.logDestinationArn })),
    );

    resetHistory();
    expect((await converge(endpointRequest(classifyEndpoint(bundle('inference-components'))), deps())).status).toBe('unchanged');
    expect(logs.calls()).toHaveLength(0);
  });

  it("a component group with two filters of others is a gap for that group alone; a user's filter named like ours is left as it is", async () => {
    const others = [
      { filterName: 'datadog-forwarder', logGroupName: summarizerGroup, destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:dd' },
      { filterName: 'security-archive', logGroupName: summarizerGroup, destinationArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/sec' },
    ];
    const users = { filterName: 'sagewatch_logs', logGroupName: embedderGroup, destinationArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/team-archive' };
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: summarizerGroup }).resolves({ subscriptionFilters: others });
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: embedderGroup }).resolves({ subscriptionFilters: [users] });

    const result = await converge(endpointRequest(classifyEndpoint(bundle('inference-components'))), deps());

    expect(logs.commandCalls(PutSubscriptionFilterCommand).map((c) => c.args[0].input)).toEqual([filterFor(endpointGroup), filterFor(embedderGroup, 'sagewatch_logs-2')]);
    expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
    expect(result.gaps).toEqual([
      {
        code: 'LogSubscriptionSlotsFull',
        key: `LogSubscriptionSlotsFull:${summarizerGroup}`,
        message: `log group ${summarizerGroup} already has two subscription filters (datadog-forwarder, security-archive); sagewatch does not replace filters it did not create`,
      },
    ]);
  });

  it('a component that leaves (Deleting): our filter goes from its group and nothing else from any group; detach removes ours from the rest', async () => {
    await converge(endpointRequest(classifyEndpoint(bundle('inference-components'))), deps());
    const users = { filterName: 'team-errors', logGroupName: embedderGroup, destinationArn: 'arn:aws:lambda:eu-west-1:111122223333:function:errors' };
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
      subscriptionFilters: [{ filterName: 'sagewatch_logs', logGroupName: input.logGroupName, destinationArn: SETTINGS.logDestinationArn }, ...(input.logGroupName === embedderGroup ? [users] : [])],
    }));
    resetHistory();

    const result = await converge(endpointRequest(withEmbedder('Deleting')), deps());

    expect(logCalls()).toEqual([
      ['DescribeSubscriptionFiltersCommand', { logGroupName: embedderGroup }],
      ['DeleteSubscriptionFilterCommand', { logGroupName: embedderGroup, filterName: 'sagewatch_logs' }],
    ]);
    expect(result.changes.deleted).toContain(`log-subscription:${embedderGroup}`);
    expect((await inventory.read('endpoint/llm-shared')).attachments.filter((a) => a.type === 'log-subscription').map((a) => a.id)).toEqual([endpointGroup, summarizerGroup]);

    resetHistory();
    await converge(endpointRequest(undefined, 'detach', 'llm-shared'), deps());
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand).map((c) => c.args[0].input)).toEqual([
      { logGroupName: endpointGroup, filterName: 'sagewatch_logs' },
      { logGroupName: summarizerGroup, filterName: 'sagewatch_logs' },
    ]);
  });
});

describe('async endpoints: the notifications queue on the success and error topics', () => {
  it('subscribes to both topics and unsubscribes exactly those subscriptions on detach', async () => {
    const model = classifyEndpoint(bundle('async'));
    await converge(endpointRequest(model), deps());
    for (const topic of ['arn:aws:sns:eu-west-1:111122223333:doc-ocr-success', 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors']) {
      expect(sns).toHaveReceivedCommandWith(SubscribeCommand, { TopicArn: topic, Protocol: 'sqs', Endpoint: SETTINGS.notificationsQueueArn, ReturnSubscriptionArn: true });
    }
    const recorded = (await inventory.read('endpoint/doc-ocr-async')).attachments.filter((a) => a.type === 'sns-subscription');
    expect(recorded.map((a) => a.details?.subscriptionArn)).toEqual([
      'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors:5d1c0b8e-7f3a-4c21-9e0d-2b6a8c4f1e93',
      'arn:aws:sns:eu-west-1:111122223333:doc-ocr-success:5d1c0b8e-7f3a-4c21-9e0d-2b6a8c4f1e93',
    ]);

    resetHistory();
    await converge(endpointRequest(undefined, 'detach', 'doc-ocr-async'), deps());
    expect(sns).toHaveReceivedCommandTimes(UnsubscribeCommand, 2);
    for (const arn of recorded.map((a) => a.details!.subscriptionArn!)) expect(sns).toHaveReceivedCommandWith(UnsubscribeCommand, { SubscriptionArn: arn });
  });

  it('unsubscribes only a recorded subscription that still delivers to the stack’s queue', async () => {
    const model = classifyEndpoint(bundle('async'));
    await converge(endpointRequest(model), deps());
    const [errors, success] = (await inventory.read('endpoint/doc-ocr-async')).attachments.filter((a) => a.type === 'sns-subscription').map((a) => a.details!.subscriptionArn!);
    // Someone pointed one of them elsewhere (or it is not the subscription sagewatch made any more).
    sns
      .on(GetSubscriptionAttributesCommand, { SubscriptionArn: errors })
      .resolves({ Attributes: { SubscriptionArn: errors!, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:eu-west-1:111122223333:function:theirs' } });
    resetHistory();
    await converge(endpointRequest(undefined, 'detach', 'doc-ocr-async'), deps());
    expect(sns).toHaveReceivedCommandTimes(GetSubscriptionAttributesCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(UnsubscribeCommand, 1);
    expect(sns).toHaveReceivedCommandExactlyOnceWith(UnsubscribeCommand, { SubscriptionArn: success });
    expect((await inventory.read('endpoint/doc-ocr-async')).attachments).toEqual([]);
  });

  it('a topic that does not exist is an instrumentation gap, looked at again next run', async () => {
    sns.on(SubscribeCommand, { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors' }).rejects(notFound('NotFoundException', 'Topic does not exist'));
    const result = await converge(endpointRequest(classifyEndpoint(bundle('async'))), deps());
    expect(result.gaps).toEqual([
      {
        code: 'NotificationTopicMissing',
        key: 'NotificationTopicMissing:arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors',
        message: 'notification topic arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors of async endpoint doc-ocr-async does not exist: its requests cannot be correlated',
      },
    ]);
    expect(result.problems.map((p) => p.code)).toEqual(['NotificationTopicMissing']);
    resetHistory();
    const again = await converge(endpointRequest(classifyEndpoint(bundle('async'))), deps());
    expect(sns).toHaveReceivedCommandExactlyOnceWith(SubscribeCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors',
      Protocol: 'sqs',
      Endpoint: SETTINGS.notificationsQueueArn,
      ReturnSubscriptionArn: true,
    });
    expect(again.problems).toEqual([]);
  });

  it('an async endpoint without notification topics: reported as a gap, nothing to subscribe', async () => {
    const result = await converge(endpointRequest(classifyEndpoint(bundle('async-no-topics'))), deps());
    expect(sns).not.toHaveReceivedCommand(SubscribeCommand);
    expect(result.problems).toEqual([
      {
        code: 'AsyncNotificationTopicsMissing',
        key: 'AsyncNotificationTopicsMissing:SuccessTopic,ErrorTopic',
        message: 'async endpoint quiet-async has no SuccessTopic and ErrorTopic in its NotificationConfig: requests cannot be correlated with their outcomes',
      },
    ]);
  });
});

describe('metric streams: one stream, its filters the union of the attached kinds, reference counted', () => {
  const pairs = (input: { IncludeFilters?: Array<{ Namespace?: string; MetricNames?: string[] }> }) =>
    (input.IncludeFilters ?? []).flatMap((f) => (f.MetricNames ?? []).map((m) => `${f.Namespace} ${m}`)).sort();
  const lastStream = () => cw.commandCalls(PutMetricStreamCommand).at(-1)!.args[0].input;

  it('created with the first resource, widened by a new kind, narrowed and removed as the last of each leaves', async () => {
    const a = classifyEndpoint(bundle('real-time'));
    const b = renamed('real-time', 'fraud-scorer-eu');
    await converge(endpointRequest(a), deps());
    await converge(endpointRequest(b), deps());
    // The second real-time endpoint changes nothing on the stream.
    expect(cw).toHaveReceivedCommandTimes(PutMetricStreamCommand, 1);
    expect(pairs(lastStream())).toEqual(pairs(streamInput(['real-time'], SETTINGS)));

    const mme = classifyEndpoint(bundle('multi-model'));
    await converge(endpointRequest(mme), deps());
    expect(cw).toHaveReceivedCommandTimes(PutMetricStreamCommand, 2);
    expect(lastStream().Name).toBe('sagewatch_metrics');
    expect(pairs(lastStream())).toEqual([...new Set([...pairs(streamInput(['real-time'], SETTINGS)), ...pairs(streamInput(['multi-model'], SETTINGS))])].sort());

    // A serverless endpoint widens it; leaving, it narrows it back.
    await converge(endpointRequest(classifyEndpoint(bundle('serverless'))), deps());
    expect(pairs(lastStream())).toContain('AWS/SageMaker ModelSetupTime');
    await converge(endpointRequest(undefined, 'detach', 'intent-classifier'), deps());
    expect(pairs(lastStream())).not.toContain('AWS/SageMaker ModelSetupTime');
    expect(pairs(lastStream())).toEqual([...new Set([...pairs(streamInput(['real-time'], SETTINGS)), ...pairs(streamInput(['multi-model'], SETTINGS))])].sort());

    resetHistory();
    await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps());
    await converge(endpointRequest(undefined, 'detach', 'fraud-scorer-eu'), deps());
    // The multi-model endpoint is instance-hosted, real-time too: the stream stays as it is.
    expect(mme.kinds).toEqual(['real-time', 'multi-model']);
    expect(cw).not.toHaveReceivedCommand(PutMetricStreamCommand);
    expect(cw).not.toHaveReceivedCommand(DeleteMetricStreamCommand);
    await converge(endpointRequest(undefined, 'detach', mme.name), deps());
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(await inventory.listStreams()).toEqual([]);
  });

  it("every kind attached at once: one stream, no (namespace, metric) pair in two filters, every kind's metrics in it", async () => {
    for (const file of ['real-time', 'serverless', 'serverless-provisioned', 'async', 'multi-model', 'inference-pipeline', 'inference-components'])
      await converge(endpointRequest(classifyEndpoint(bundle(file))), deps());
    for (const [kind, detail] of [
      ['training-job', fixture('training-job-state-change.in-progress.json').detail],
      ['transform-job', fixture('transform-job-state-change.in-progress.json').detail],
      ['labeling-job', fixture('labeling-job-state-change.in-progress.json').detail],
    ] as const) {
      const model = classifyJob(kind, detail as Record<string, unknown>);
      clock += 1000;
      await converge({ resource: { kind, name: model.name, region: 'eu-west-1', account: '111122223333', tags: {} }, lifecycle: 'attach', observedAt: clock, model }, deps());
    }
    const names = new Set(cw.commandCalls(PutMetricStreamCommand).map((c) => c.args[0].input.Name));
    expect([...names]).toEqual(['sagewatch_metrics']);
    const filters = lastStream().IncludeFilters ?? [];
    const all = filters.flatMap((f) => (f.MetricNames ?? []).map((m) => `${f.Namespace} ${m}`));
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(filters.map((f) => f.Namespace)).size).toBe(filters.length);
    const recorded = (await inventory.listStreams()).filter((s) => s.members.length > 0).map((s) => s.kind);
    for (const kind of recorded) for (const pair of pairs(streamInput([kind as never], SETTINGS))) expect(all).toContain(pair);
    expect(recorded.length).toBeGreaterThanOrEqual(9);
  });

  it('a resource recorded on a per-kind stream of an earlier version moves to the one stream; the old one goes with its last member', async () => {
    const model = classifyEndpoint(bundle('real-time'));
    await inventory.putAttachment('endpoint/fraud-scorer', { type: 'metric-stream', id: 'sagewatch_real-time', fingerprint: 'old' });
    await inventory.addStreamMember('sagewatch_real-time', 'real-time', 'endpoint/fraud-scorer');
    await converge(endpointRequest(model), deps());
    expect(cw).toHaveReceivedCommandWith(PutMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteMetricStreamCommand, { Name: 'sagewatch_real-time' });
    expect((await inventory.read('endpoint/fraud-scorer')).attachments.filter((a) => a.type === 'metric-stream').map((a) => a.id)).toEqual(['sagewatch_metrics']);
  });
});

describe('throttling and failures', () => {
  it('retries a throttled PutMetricAlarm with exponential backoff and jitter', async () => {
    const throttled = () => new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    cw.on(PutMetricAlarmCommand, { AlarmName: REAL_TIME_ALARMS[0] }).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const result = await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    expect(cw.commandCalls(PutMetricAlarmCommand, { AlarmName: REAL_TIME_ALARMS[0] })).toHaveLength(3);
    // random() = 0.5 of 100 ms, then of 200 ms.
    expect(sleeps).toEqual([50, 100]);
    expect(result.problems).toEqual([]);
  });

  it('a failure that survives its retries is a reported problem, not recorded, retried next run', async () => {
    cw.on(PutMetricAlarmCommand, { AlarmName: REAL_TIME_ALARMS[2] }).rejects(
      new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }),
    );
    const model = classifyEndpoint(bundle('real-time'));
    const result = await converge(endpointRequest(model), deps());
    expect(cw.commandCalls(PutMetricAlarmCommand, { AlarmName: REAL_TIME_ALARMS[2] })).toHaveLength(4);
    expect(result.problems).toEqual([
      {
        code: 'AttachmentFailed',
        key: `alarm:${REAL_TIME_ALARMS[2]}`,
        message: `cloudwatch:PutMetricAlarm for alarm:${REAL_TIME_ALARMS[2]} failed: Throttling: Rate exceeded`,
        action: 'cloudwatch:PutMetricAlarm',
        error: 'Throttling',
      },
    ]);
    expect((await inventory.read('endpoint/fraud-scorer')).attachments.map((a) => a.id)).not.toContain(REAL_TIME_ALARMS[2]);

    cw.on(PutMetricAlarmCommand).resolves({});
    resetHistory();
    await converge(endpointRequest(model), deps());
    expect(cw).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 1);
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, { AlarmName: REAL_TIME_ALARMS[2] });
  });

  it('access denied is not retried', async () => {
    cw.on(PutDashboardCommand).rejects(new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'no' }));
    const result = await converge(endpointRequest(classifyEndpoint(bundle('real-time'))), deps());
    expect(cw).toHaveReceivedCommandTimes(PutDashboardCommand, 1);
    expect(result.problems.map((p) => [p.code, p.action])).toEqual([['AttachmentFailed', 'cloudwatch:PutDashboard']]);
  });
});

describe('concurrency and ordering', () => {
  it('another execution holding the resource: ResourceBusy, nothing sent', async () => {
    const model = classifyEndpoint(bundle('real-time'));
    const request = endpointRequest(model);
    await inventory.lock('endpoint/fraud-scorer', 'other-execution', request.observedAt, clock + 60_000, clock);
    await expect(converge(request, deps())).rejects.toBeInstanceOf(ResourceBusyError);
    expectNoWrites();
  });

  it('a stale describe (older than what was converged) changes nothing', async () => {
    const model = classifyEndpoint(bundle('real-time'));
    const stale = endpointRequest(model);
    await converge(endpointRequest(undefined, 'detach', 'fraud-scorer'), deps());
    resetHistory();
    const result = await converge(stale, deps());
    expect(result.status).toBe('stale');
    expectNoWrites();
  });
});

describe('inference pipeline containers without ContainerHostname: one Metrics Insights alarm per variant', () => {
  const unnamed = (...containers: number[]) => {
    const raw = fixture('describe/inference-pipeline.json') as { models: Array<{ Containers: Array<Record<string, unknown>> }> };
    for (const index of containers) delete raw.models[0]!.Containers[index]!.ContainerHostname;
    return classifyEndpoint(EndpointBundleSchema.parse(raw));
  };
  const EXPECTED_MI_INPUT = {
    AlarmName: 'sagewatch_endpoint.claims-pipeline.variant.AllTraffic.containers.container-latency',
    ActionsEnabled: true,
    AlarmActions: ALERTS,
    OKActions: ALERTS,
    EvaluationPeriods: 5,
    DatapointsToAlarm: 3,
    TreatMissingData: 'notBreaching',
    Tags: [
      { Key: 'sagewatch:managed', Value: 'true' },
      { Key: 'sagewatch:resource', Value: 'endpoint/claims-pipeline' },
    ],
    AlarmDescription:
      'Average ContainerLatency of this pipeline container above the threshold. Threshold 1000 ms (tag sagewatch:container-latency-avg-ms), each ContainerName on its own (Metrics Insights query). Endpoint claims-pipeline, variant AllTraffic, every container. Managed by sagewatch.',
    ComparisonOperator: 'GreaterThanThreshold',
    // 1,000 ms in the metric's unit (Microseconds).
    Threshold: 1_000_000,
    // No Namespace/MetricName/Dimensions/Statistic: the query is the alarm's only data.
    Metrics: [
      {
        Id: 'q1',
        Expression: `SELECT AVG(ContainerLatency) FROM SCHEMA("AWS/SageMaker", EndpointName, VariantName, ContainerName) WHERE EndpointName = 'claims-pipeline' AND VariantName = 'AllTraffic' GROUP BY ContainerName ORDER BY AVG() DESC`,
        Period: 60,
        Label: 'Average ContainerLatency',
        ReturnData: true,
      },
    ],
  };
  const MI_ALARM = 'sagewatch_endpoint.claims-pipeline.variant.AllTraffic.containers.container-latency';
  const perContainer = (name: string) => `sagewatch_endpoint.claims-pipeline.variant.AllTraffic.container.${name}.container-latency`;

  it('the exact PutMetricAlarm: SCHEMA of ContainerLatency, filtered on the endpoint and variant, GROUP BY ContainerName, ORDER BY as AWS requires of a multi-time-series alarm', async () => {
    await converge(endpointRequest(unnamed(1)), deps());
    const names = cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName);
    // No per-container alarm beside it: the query covers the named containers too.
    expect(names.filter((name) => name?.includes('container'))).toEqual([MI_ALARM]);
    // The exact request, nothing more in it.
    expect(
      cw
        .commandCalls(PutMetricAlarmCommand)
        .filter((c) => c.args[0].input.AlarmName === MI_ALARM)
        .map((c) => c.args[0].input),
    ).toEqual([EXPECTED_MI_INPUT]);
  });

  it('idempotent: a second run writes nothing; a detach deletes it with the rest', async () => {
    await converge(endpointRequest(unnamed(1)), deps());
    resetHistory();
    expect((await converge(endpointRequest(unnamed(1)), deps())).status).toBe('unchanged');
    expectNoWrites();
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [{ filterName: 'sagewatch_logs', destinationArn: SETTINGS.logDestinationArn }] });
    await converge(endpointRequest(undefined, 'detach', 'claims-pipeline'), deps());
    const deleted = cw.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);
    expect(deleted).toContain(MI_ALARM);
    expect((await inventory.read('endpoint/claims-pipeline')).attachments).toEqual([]);
  });

  it('once every container has a hostname, the per-container alarms replace it and it is deleted', async () => {
    await converge(endpointRequest(unnamed(1)), deps());
    resetHistory();
    await converge(endpointRequest(classifyEndpoint(bundle('inference-pipeline'))), deps());
    expect(cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual(['preprocess', 'predict', 'postprocess'].map(perContainer));
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteAlarmsCommand, { AlarmNames: [MI_ALARM] });
  });
});

describe('jobs', () => {
  const job: ResourceRef = { kind: 'training-job', name: 'churn-xgb-2024-06-01', region: 'eu-west-1', account: '111122223333', tags: {} };
  const running = () => classifyJob('training-job', fixture('training-job-state-change.in-progress.json').detail as Record<string, unknown>);
  const failed = () => classifyJob('training-job', fixture('training-job-state-change.failed.json').detail as Record<string, unknown>);

  it('while running: host alarms over both hosts (metric math), the job kind’s stream', async () => {
    clock += 1000;
    await converge({ resource: job, lifecycle: 'attach', observedAt: clock, model: running() }, deps());
    expect(cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
      'sagewatch_training-job.churn-xgb-2024-06-01.gpu-idle',
      'sagewatch_training-job.churn-xgb-2024-06-01.memory',
      'sagewatch_training-job.churn-xgb-2024-06-01.disk',
    ]);
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      AlarmName: 'sagewatch_training-job.churn-xgb-2024-06-01.gpu-idle',
      AlarmDescription:
        'A host of the running job has kept its GPUs idle for 30 minutes. Threshold 5 percent (tag sagewatch:idle-gpu-percent), MIN over 2 hosts. training-job churn-xgb-2024-06-01, hosts churn-xgb-2024-06-01/algo-1 to churn-xgb-2024-06-01/algo-2. Managed by sagewatch.',
      ActionsEnabled: true,
      AlarmActions: ALERTS,
      OKActions: ALERTS,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      TreatMissingData: 'missing',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 5,
      Metrics: [1, 2]
        .map((n) => ({
          Id: `m${n}`,
          MetricStat: {
            Metric: { Namespace: '/aws/sagemaker/TrainingJobs', MetricName: 'GPUUtilization', Dimensions: [{ Name: 'Host', Value: `churn-xgb-2024-06-01/algo-${n}` }] },
            Period: 300,
            Stat: 'Average',
          },
          ReturnData: false,
        }))
        .concat([{ Id: 'e1', Expression: 'MIN([m1, m2])', Label: 'MIN of GPUUtilization', ReturnData: true } as never]),
      Tags: [
        { Key: 'sagewatch:managed', Value: 'true' },
        { Key: 'sagewatch:resource', Value: 'training-job/churn-xgb-2024-06-01' },
      ],
    });
    expect(cw).toHaveReceivedCommandWith(PutMetricStreamCommand, { Name: 'sagewatch_metrics' });
  });

  it('at the end: instance alarms and stream removed, outcome metrics and one failure alert', async () => {
    clock += 1000;
    await converge({ resource: job, lifecycle: 'attach', observedAt: clock, model: running() }, deps());
    resetHistory();
    clock += 1000;
    const result = await converge({ resource: job, lifecycle: 'detach', observedAt: clock, model: failed() }, deps());

    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteAlarmsCommand, {
      AlarmNames: ['disk', 'gpu-idle', 'memory'].map((id) => `sagewatch_training-job.churn-xgb-2024-06-01.${id}`),
    });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(DeleteMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(PutMetricDataCommand, {
      Namespace: 'sagewatch-test',
      MetricData: [
        { MetricName: 'JobsFailed', Dimensions: [{ Name: 'JobKind', Value: 'training-job' }], Timestamp: new Date('2024-06-01T09:05:00.000Z'), Value: 1, Unit: 'Count' },
        { MetricName: 'JobDuration', Dimensions: [{ Name: 'JobKind', Value: 'training-job' }], Timestamp: new Date('2024-06-01T09:05:00.000Z'), Value: 3_600_000, Unit: 'Milliseconds' },
      ],
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish).toMatchObject({
      TopicArn: SETTINGS.alertsTopicArn,
      MessageStructure: 'json',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'job-failed' }, severity: { DataType: 'String', StringValue: 'critical' } },
    });
    expect(publish.Message).toContain('CUDA out of memory');
    expect(result).toMatchObject({ status: 'converged', outcome: 'Failed', problems: [] });

    // SageMaker sends the failure again: nothing is published twice.
    resetHistory();
    clock += 1000;
    const again = await converge({ resource: job, lifecycle: 'detach', observedAt: clock, model: failed() }, deps());
    expectNoWrites();
    expect(again.status).toBe('unchanged');
  });

  it('a failed publish releases the claim so the next run reports the end', async () => {
    sns.on(PublishCommand).rejects(new SNSServiceException({ name: 'AuthorizationError', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' }));
    clock += 1000;
    const result = await converge({ resource: job, lifecycle: 'detach', observedAt: clock, model: failed() }, deps());
    expect(result.problems.map((p) => p.code)).toEqual(['OutcomeFailed']);
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    resetHistory();
    clock += 1000;
    await converge({ resource: job, lifecycle: 'detach', observedAt: clock, model: failed() }, deps());
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});
