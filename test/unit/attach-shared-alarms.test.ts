import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsGateway } from '../../lib/attach/aws-gateway';
import { converge } from '../../lib/attach/converge';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { Pacer } from '../../lib/attach/retry';
import { classifyJob } from '../../lib/sagemaker/jobs';
import type { ResourceRef } from '../../lib/sagemaker/resource';
import { fixture, NOW, SETTINGS } from './attach-fixtures';

/**
 * Transform-job hosts (`Host = <job>/<instance-id>`, unknown in advance) are watched by the
 * stack's shared Metrics Insights alarms, one per host alarm of the profile, which live while
 * a running transform job is attached. Inputs: DescribeTransformJob outputs in AWS's format.
 */
const cw = mockClient(CloudWatchClient);
const gateway = createAwsGateway(
  { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
  { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, random: () => 0.5, sleep: async () => {} }, pacer: new Pacer(Number.POSITIVE_INFINITY) },
);

let inventory: MemoryInventory;
let clock = NOW;
const deps = () => ({ gateway, inventory, settings: SETTINGS, owner: 'test-run', now: () => clock });

/** The fixture's DescribeTransformJob output, renamed and on another instance type if asked. */
function transformJob(name: string, instanceType?: string) {
  const raw = fixture('describe/transform-job.in-progress.json') as { job: Record<string, unknown> & { TransformResources: Record<string, unknown> } };
  raw.job.TransformJobName = name;
  raw.job.TransformJobArn = `arn:aws:sagemaker:eu-west-1:111122223333:transform-job/${name}`;
  if (instanceType) raw.job.TransformResources.InstanceType = instanceType;
  return classifyJob('transform-job', raw.job);
}

function request(name: string, lifecycle: 'attach' | 'detach', instanceType?: string) {
  clock += 1000;
  const resource: ResourceRef = { kind: 'transform-job', name, region: 'eu-west-1', account: '111122223333', tags: {} };
  return { resource, lifecycle, observedAt: clock, model: lifecycle === 'attach' ? transformJob(name, instanceType) : undefined };
}

const ALERTS = [SETTINGS.alertsTopicArn];
const MEMORY = 'sagewatch_account.transform-job.memory';
const GPU_IDLE = 'sagewatch_account.transform-job.gpu-idle';
const common = {
  ActionsEnabled: true,
  AlarmActions: ALERTS,
  OKActions: ALERTS,
  // No sagewatch:resource tag: the alarm belongs to no single job.
  Tags: [{ Key: 'sagewatch:managed', Value: 'true' }],
};
const EXPECTED_GPU_IDLE = {
  ...common,
  AlarmName: GPU_IDLE,
  EvaluationPeriods: 6,
  DatapointsToAlarm: 6,
  TreatMissingData: 'missing',
  AlarmDescription:
    'A host of the running job has kept its GPUs idle for 30 minutes. Threshold 5 percent (tag sagewatch:idle-gpu-percent), each Host on its own (Metrics Insights query). Every host of every running transform-job in the account and Region, each on its own. Managed by sagewatch.',
  ComparisonOperator: 'LessThanThreshold',
  Threshold: 5,
  Metrics: [
    {
      Id: 'q1',
      // Lowest first: the hosts nearest to idle are the ones an idle alarm must see.
      Expression: 'SELECT AVG(GPUUtilization) FROM SCHEMA("/aws/sagemaker/TransformJobs", Host) GROUP BY Host ORDER BY AVG() ASC',
      Period: 300,
      Label: 'Average GPUUtilization',
      ReturnData: true,
    },
  ],
};
const EXPECTED_MEMORY = {
  ...common,
  AlarmName: MEMORY,
  EvaluationPeriods: 2,
  DatapointsToAlarm: 2,
  TreatMissingData: 'notBreaching',
  AlarmDescription:
    'Memory utilisation of a host of the running job above the threshold. Threshold 90 percent (tag sagewatch:memory-percent), each Host on its own (Metrics Insights query). Every host of every running transform-job in the account and Region, each on its own. Managed by sagewatch.',
  ComparisonOperator: 'GreaterThanThreshold',
  Threshold: 90,
  Metrics: [
    {
      Id: 'q1',
      Expression: 'SELECT MAX(MemoryUtilization) FROM SCHEMA("/aws/sagemaker/TransformJobs", Host) GROUP BY Host ORDER BY MAX() DESC',
      Period: 300,
      Label: 'Maximum MemoryUtilization',
      ReturnData: true,
    },
  ],
};

const alarmPuts = () => cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
const deletes = () => cw.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);

beforeEach(() => {
  cw.reset();
  cw.onAnyCommand().resolves({});
  inventory = new MemoryInventory();
  clock = NOW;
});

describe('transform-job hosts: shared Metrics Insights alarms', () => {
  it('a GPU transform job: the exact PutMetricAlarm of each, no per-job alarm', async () => {
    const result = await converge(request('embed-catalog-0601', 'attach'), deps());
    expect(alarmPuts()).toEqual([EXPECTED_GPU_IDLE, EXPECTED_MEMORY]);
    expect(result.problems).toEqual([]);
    expect(result.changes.created).toEqual(expect.arrayContaining([`shared-alarm:${GPU_IDLE}`, `shared-alarm:${MEMORY}`]));
  });

  it('a CPU transform job joins only the memory alarm (GPUUtilization is not published without GPUs)', async () => {
    await converge(request('score-backlog-0601', 'attach', 'ml.c5.xlarge'), deps());
    expect(alarmPuts()).toEqual([EXPECTED_MEMORY]);
  });

  it('a second job joins without a write; the alarms go with the last job that needs them', async () => {
    await converge(request('embed-catalog-0601', 'attach'), deps());
    await converge(request('score-backlog-0601', 'attach', 'ml.c5.xlarge'), deps());
    expect(alarmPuts().map((input) => input.AlarmName)).toEqual([GPU_IDLE, MEMORY]);

    // Converging the first again writes nothing.
    cw.resetHistory();
    expect((await converge(request('embed-catalog-0601', 'attach'), deps())).status).toBe('unchanged');
    expect(cw.calls()).toEqual([]);

    // The GPU job ends: the GPU-idle alarm has no member left, memory still has one.
    await converge(request('embed-catalog-0601', 'detach'), deps());
    expect(deletes()).toEqual([GPU_IDLE]);
    expect(alarmPuts()).toEqual([]);

    cw.resetHistory();
    await converge(request('score-backlog-0601', 'detach'), deps());
    expect(deletes()).toEqual([MEMORY]);
    expect(await inventory.listStreams()).toEqual([]);
    expect((await inventory.read('transform-job/score-backlog-0601')).attachments).toEqual([]);
  });

  it('a changed stack threshold puts the shared alarm again, once', async () => {
    await converge(request('score-backlog-0601', 'attach', 'ml.c5.xlarge'), deps());
    cw.resetHistory();
    const settings = { ...SETTINGS, thresholds: { ...SETTINGS.thresholds, memoryPercent: 80 } };
    await converge(request('score-backlog-0601', 'attach', 'ml.c5.xlarge'), { ...deps(), settings });
    expect(alarmPuts()).toEqual([{ ...EXPECTED_MEMORY, Threshold: 80, AlarmDescription: EXPECTED_MEMORY.AlarmDescription.replace('90 percent', '80 percent') }]);
  });
});
