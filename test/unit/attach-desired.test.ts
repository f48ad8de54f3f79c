import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { desiredState, type DesiredAttachment } from '../../lib/attach/desired';
import { alarmName, dashboardName, fingerprint, fitName, stableStringify } from '../../lib/names/owned';
import { classifyEndpoint } from '../../lib/sagemaker/classify';
import { classifyJob } from '../../lib/sagemaker/jobs';
import type { ResourceModel } from '../../lib/sagemaker/model';
import { bundle, fixture, NOW, SETTINGS } from './attach-fixtures';

function desired(model: ResourceModel, lifecycle: 'attach' | 'detach' = 'attach') {
  return desiredState({ resource: { kind: model.type === 'endpoint' ? 'endpoint' : model.kind, name: model.name, tags: {} }, lifecycle, model, settings: SETTINGS, now: NOW });
}

function alarms(attachments: DesiredAttachment[]): Map<string, PutMetricAlarmCommandInput> {
  return new Map(attachments.flatMap((a) => (a.type === 'alarm' ? [[a.id, a.input] as const] : [])));
}

describe('names', () => {
  it('joins parts with a character SageMaker names cannot contain', () => {
    expect(alarmName('sagewatch', 'endpoint', 'a-b', 'variant', 'c', 'memory')).not.toBe(alarmName('sagewatch', 'endpoint', 'a', 'variant', 'b-c', 'memory'));
    expect(alarmName('sagewatch', 'endpoint', 'a-b', 'variant', 'c', 'memory')).toBe('sagewatch_endpoint.a-b.variant.c.memory');
    expect(dashboardName('sagewatch', 'fraud-scorer')).toBe('sagewatch_endpoint-fraud-scorer');
  });

  it('a stage prefix keeps two stages of one account apart', () => {
    const model = classifyEndpoint(bundle('real-time'));
    const prod = desiredState({ resource: { kind: 'endpoint', name: model.name, tags: {} }, lifecycle: 'attach', model, settings: { ...SETTINGS, namePrefix: 'sagewatch-prod' }, now: NOW });
    expect(prod.attachments.map((a) => a.id).filter((id) => !id.startsWith('/aws/'))).toEqual(
      expect.arrayContaining(['sagewatch-prod_endpoint.fraud-scorer.variant.primary.memory', 'sagewatch-prod_endpoint-fraud-scorer', 'sagewatch-prod_metrics']),
    );
    expect(prod.attachments.find((a) => a.type === 'log-subscription')!.input).toMatchObject({ filterName: 'sagewatch-prod_logs' });
    for (const attachment of prod.attachments) if (attachment.type !== 'log-subscription') expect(attachment.id).toMatch(/^sagewatch-prod_/);
    // Stage prod-eu's names never start with stage prod's owned prefix, whatever follows.
    const prodEu = desiredState({ resource: { kind: 'endpoint', name: model.name, tags: {} }, lifecycle: 'attach', model, settings: { ...SETTINGS, namePrefix: 'sagewatch-prod-eu' }, now: NOW });
    for (const attachment of prodEu.attachments) if (attachment.type !== 'log-subscription') expect(attachment.id.startsWith('sagewatch-prod_')).toBe(false);
  });

  it('fits every name to its AWS limits with a stable hash suffix, never a collision', () => {
    const long = `ep-${'x'.repeat(60)}`;
    const name = alarmName('sagewatch-a-very-long-stage-name-of-33-chars', 'endpoint', long, 'variant', `v-${'y'.repeat(60)}`, 'container', `c-${'z'.repeat(60)}`, 'container-latency');
    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^sagewatch-a-very-long-stage-name-of-33-chars_endpoint\./);
    expect(name).toMatch(/-[0-9a-f]{12}$/);
    expect(alarmName('sagewatch-a-very-long-stage-name-of-33-chars', 'endpoint', long, 'variant', `v-${'y'.repeat(60)}`, 'container', `c-${'z'.repeat(60)}`, 'container-latency')).toBe(name);
    expect(alarmName('sagewatch-a-very-long-stage-name-of-33-chars', 'endpoint', long, 'variant', `v-${'y'.repeat(60)}`, 'container', `c-${'z'.repeat(59)}q`, 'container-latency')).not.toBe(name);
    const dashboard = dashboardName('sagewatch-prod', 'a'.repeat(300));
    expect(dashboard.length).toBeLessThanOrEqual(255);
    expect(dashboard).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fitName('dashboard', 'sagewatch_endpoint-a.b')).toBe('sagewatch_endpoint-a-b');
    expect(fitName('subscriptionFilter', 'sagewatch_logs:*')).toBe('sagewatch_logs--');
  });

  it('fingerprints do not depend on key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});

describe('desiredState: endpoint kinds', () => {
  it('serverless: a p99 cold-start alarm (ExtendedStatistic) and a concurrency alarm, no instance disk alarm', () => {
    const state = desired(classifyEndpoint(bundle('serverless')));
    const byName = alarms(state.attachments);
    expect(byName.get('sagewatch_endpoint.intent-classifier.variant.AllTraffic.cold-start-p99')).toMatchObject({
      MetricName: 'ModelSetupTime',
      ExtendedStatistic: 'p99',
      Threshold: 30_000_000,
      Period: 300,
    });
    expect(byName.get('sagewatch_endpoint.intent-classifier.variant.AllTraffic.cold-start-p99')).not.toHaveProperty('Statistic');
    expect(byName.get('sagewatch_endpoint.intent-classifier.variant.AllTraffic.concurrency-utilization')).toMatchObject({
      MetricName: 'ServerlessConcurrentExecutionsUtilization',
      Statistic: 'Maximum',
      Threshold: 0.9,
    });
    expect([...byName.keys()].some((n) => n.endsWith('.disk'))).toBe(false);
    expect(state.attachments.flatMap((a) => (a.type === 'metric-stream' ? [[a.id, a.kinds]] : []))).toEqual([['sagewatch_metrics', ['serverless']]]);
  });

  it('serverless with provisioned concurrency adds utilisation and spill-over alarms', () => {
    const names = [...alarms(desired(classifyEndpoint(bundle('serverless-provisioned'))).attachments).keys()];
    expect(names).toContain('sagewatch_endpoint.intent-classifier-pc.variant.AllTraffic.provisioned-concurrency-utilization');
    expect(names).toContain('sagewatch_endpoint.intent-classifier-pc.variant.AllTraffic.spillover');
  });

  it('async: endpoint-level backlog alarms, a failure-rate ratio through metric math', () => {
    const state = desired(classifyEndpoint(bundle('async-multi-model')));
    const byName = alarms(state.attachments);
    expect(byName.get('sagewatch_endpoint.tenant-models.backlog-age')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestRequest',
      Dimensions: [{ Name: 'EndpointName', Value: 'tenant-models' }],
      Statistic: 'Maximum',
      Threshold: 300,
    });
    expect(byName.get('sagewatch_endpoint.tenant-models.variant.AllTraffic.failure-rate')).toMatchObject({
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'm1', MetricStat: { Metric: { MetricName: 'InvocationFailures' }, Stat: 'Sum', Period: 300 }, ReturnData: false },
        { Id: 'm2', MetricStat: { Metric: { MetricName: 'InvocationsProcesssed' }, Stat: 'Sum', Period: 300 }, ReturnData: false },
        // Robust to both spellings of the denominator: each FILLed with 0 and added.
        { Id: 'm3', MetricStat: { Metric: { MetricName: 'InvocationsProcessed' }, Stat: 'Sum', Period: 300 }, ReturnData: false },
        { Id: 'e1', Expression: 'IF((FILL(m2, 0) + FILL(m3, 0)) > 0, m1 / (FILL(m2, 0) + FILL(m3, 0)), 0)', Label: 'InvocationFailures / InvocationsProcesssed', ReturnData: true },
      ],
    });
    // The async page's metric list is exhaustive: no multi-model cache alarm on an async variant.
    expect(byName.get('sagewatch_endpoint.tenant-models.variant.AllTraffic.model-cache-hit')).toBeUndefined();
    // One share of the one stream, for async only: its list is exhaustive, so the model-loading
    // metrics of multi-model are not published here and the stream does not ask for them.
    expect(state.attachments.flatMap((a) => (a.type === 'metric-stream' ? [[a.id, a.kinds]] : []))).toEqual([['sagewatch_metrics', ['async']]]);
    expect(state.attachments.filter((a) => a.type === 'sns-subscription').map((a) => a.id)).toEqual([
      'arn:aws:sns:eu-west-1:111122223333:tenant-models-ok',
      'arn:aws:sns:eu-west-1:111122223333:tenant-models-failed',
    ]);
  });

  it('inference pipeline: one ContainerLatency alarm per container, dimension ContainerName', () => {
    const byName = alarms(desired(classifyEndpoint(bundle('inference-pipeline'))).attachments);
    for (const container of ['preprocess', 'predict', 'postprocess']) {
      expect(byName.get(`sagewatch_endpoint.claims-pipeline.variant.AllTraffic.container.${container}.container-latency`)).toMatchObject({
        MetricName: 'ContainerLatency',
        Dimensions: [
          { Name: 'EndpointName', Value: 'claims-pipeline' },
          { Name: 'VariantName', Value: 'AllTraffic' },
          { Name: 'ContainerName', Value: container },
        ],
        Threshold: 1_000_000,
      });
    }
  });

  it('inference components: per-component alarms (GPU memory only on the GPU one), instance alarms on the variant', () => {
    const names = [...alarms(desired(classifyEndpoint(bundle('inference-components'))).attachments).keys()];
    expect(names.filter((n) => n.includes('.component.')).sort()).toEqual(
      [
        'embedder-ic.5xx-rate',
        'embedder-ic.model-latency',
        'embedder-ic.concurrency-anomaly',
        'embedder-ic.memory',
        'summarizer-ic.5xx-rate',
        'summarizer-ic.model-latency',
        'summarizer-ic.concurrency-anomaly',
        'summarizer-ic.memory',
        'summarizer-ic.gpu-memory',
      ]
        .map((n) => `sagewatch_endpoint.llm-shared.component.${n}`)
        .sort(),
    );
    expect(names).toContain('sagewatch_endpoint.llm-shared.variant.gpu-pool.memory');
    const alarm = alarms(desired(classifyEndpoint(bundle('inference-components'))).attachments).get('sagewatch_endpoint.llm-shared.component.summarizer-ic.5xx-rate');
    expect(alarm?.Dimensions).toEqual([{ Name: 'InferenceComponentName', Value: 'summarizer-ic' }]);
  });

  it("dashboards carry one widget per variant and container set, then each component's widgets together", () => {
    const dashboard = desired(classifyEndpoint(bundle('inference-components'))).attachments.find((a) => a.type === 'dashboard')!;
    const body = JSON.parse((dashboard.input as { DashboardBody: string }).DashboardBody) as { widgets: Array<{ x: number; y: number; properties: { title?: string; markdown?: string } }> };
    expect(body.widgets[0]!.properties.markdown).toBe('## sagewatch · endpoint llm-shared\nKinds: inference-components · variants: gpu-pool (inference-components, ml.g5.12xlarge × 2)');
    expect(body.widgets.slice(1).map((w) => w.properties.title)).toEqual([
      'Reservations (%) · gpu-pool',
      'Component invocations · embedder-ic',
      'Component latency (µs) · embedder-ic',
      'Component utilisation (%) · embedder-ic',
      'Component invocations · summarizer-ic',
      'Component latency (µs) · summarizer-ic',
      'Component utilisation (%) · summarizer-ic',
    ]);
    expect(body.widgets.slice(1, 4).map((w) => [w.x, w.y])).toEqual([
      [0, 2],
      [12, 2],
      [0, 8],
    ]);
  });

  it('nothing is desired unless the endpoint is to be attached, or when it opts out', () => {
    const model = classifyEndpoint(bundle('real-time'));
    expect(desired(model, 'detach').attachments).toEqual([]);
    expect(desired({ ...model, ignored: true }).attachments).toEqual([]);
  });
});

describe('desiredState: jobs', () => {
  it('more than ten hosts: the host alarms are split, ten metrics each', () => {
    const detail = { ...(fixture('training-job-state-change.in-progress.json').detail as Record<string, unknown>), ResourceConfig: { InstanceType: 'ml.p4d.24xlarge', InstanceCount: 12 } };
    const state = desired(classifyJob('training-job', detail));
    const byName = alarms(state.attachments);
    expect([...byName.keys()].filter((n) => n.includes('gpu-idle'))).toEqual([
      'sagewatch_training-job.churn-xgb-2024-06-01.gpu-idle.hosts-1-10',
      'sagewatch_training-job.churn-xgb-2024-06-01.gpu-idle.hosts-11-12',
    ]);
    const first = byName.get('sagewatch_training-job.churn-xgb-2024-06-01.gpu-idle.hosts-1-10')!;
    expect(first.Metrics).toHaveLength(11);
    expect(first.Metrics![10]).toEqual({ Id: 'e1', Expression: 'MIN([m1, m2, m3, m4, m5, m6, m7, m8, m9, m10])', Label: 'MIN of GPUUtilization', ReturnData: true });
    expect(byName.get('sagewatch_training-job.churn-xgb-2024-06-01.memory.hosts-11-12')!.Metrics![2]).toMatchObject({ Expression: 'MAX([m1, m2])' });
  });

  it('a CPU job gets no GPU alarm; a single host is a plain metric alarm', () => {
    const detail = { ...(fixture('training-job-state-change.in-progress.json').detail as Record<string, unknown>), ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 } };
    const byName = alarms(desired(classifyJob('training-job', detail)).attachments);
    expect([...byName.keys()]).toEqual(['sagewatch_training-job.churn-xgb-2024-06-01.memory', 'sagewatch_training-job.churn-xgb-2024-06-01.disk']);
    expect(byName.get('sagewatch_training-job.churn-xgb-2024-06-01.memory')).toMatchObject({
      Namespace: '/aws/sagemaker/TrainingJobs',
      MetricName: 'MemoryUtilization',
      Dimensions: [{ Name: 'Host', Value: 'churn-xgb-2024-06-01/algo-1' }],
      Statistic: 'Maximum',
      Threshold: 90,
    });
  });

  it('a running labeling job: the failed-objects alarm on LabelingJobName', () => {
    const byName = alarms(desired(classifyJob('labeling-job', fixture('labeling-job-state-change.in-progress.json').detail as Record<string, unknown>)).attachments);
    expect(byName.get('sagewatch_labeling-job.invoice-fields-batch-9.failed-objects')).toMatchObject({
      Namespace: 'AWS/Sagemaker/LabelingJobs',
      MetricName: 'DatasetObjectsLabelingFailed',
      Dimensions: [{ Name: 'LabelingJobName', Value: 'invoice-fields-batch-9' }],
    });
  });

  it('an ended job: no attachment, its outcome effects; a stopped job gets no alert', () => {
    const completed = desired(classifyJob('processing-job', fixture('processing-job-state-change.completed.json').detail as Record<string, unknown>), 'detach');
    expect(completed.attachments).toEqual([]);
    expect(completed.outcome).toMatchObject({ outcome: 'Succeeded', metrics: { MetricData: [{ MetricName: 'JobsSucceeded' }, { MetricName: 'JobDuration', Value: 3_600_000 }] } });
    expect(completed.outcome?.alert).toBeUndefined();
    const stopped = { ...(fixture('training-job-state-change.failed.json').detail as Record<string, unknown>), TrainingJobStatus: 'Stopped' };
    expect(desired(classifyJob('training-job', stopped), 'detach').outcome).toMatchObject({ outcome: 'Stopped' });
    expect(desired(classifyJob('training-job', stopped), 'detach').outcome?.alert).toBeUndefined();
  });

  it('an end older than two weeks is stamped now (PutMetricData refuses older points)', () => {
    const old = { ...(fixture('training-job-state-change.failed.json').detail as Record<string, unknown>), TrainingEndTime: '2024-04-01T00:00:00Z' };
    const state = desired(classifyJob('training-job', old), 'detach');
    expect(state.outcome!.metrics.MetricData![0]!.Timestamp).toEqual(new Date(NOW));
  });
});

describe('stage names (validated at package time)', () => {
  it('refuses the owned-name delimiter and stages whose function names would pass 64 characters', async () => {
    const { stackNames, StageError } = await import('../../infra/names');
    expect(() => stackNames('sagewatch', 'dev_eu')).toThrow(StageError);
    expect(() => stackNames('sagewatch', 'x'.repeat(34))).toThrow(/at most 33/);
    const names = stackNames('sagewatch', 'x'.repeat(33));
    expect(`${names.prefix}-processNotifications`.length).toBe(64);
    expect(names.ownedPrefix).toBe(`sagewatch-${'x'.repeat(33)}_`);
  });
});

describe('unseen resources in AWS formats', () => {
  it('a Ground Truth labeling job event with only LabelingJobStatus in detail: the name comes from resources[0]', async () => {
    const { normalizeEvent } = await import('../../lib/sagemaker/events');
    const event = {
      version: '0',
      id: '5b8e1f0c-6a2d-4e3b-9c71-0d2f4a6b8e19',
      'detail-type': 'SageMaker Ground Truth Labeling Job State Change',
      source: 'aws.sagemaker',
      account: '444455556666',
      time: '2024-07-09T08:15:00Z',
      region: 'ap-southeast-2',
      resources: ['arn:aws:sagemaker:ap-southeast-2:444455556666:labeling-job/receipts-ner-round-3'],
      detail: { LabelingJobStatus: 'Failed' },
    };
    const { resource } = normalizeEvent(event);
    expect(resource).toMatchObject({ kind: 'labeling-job', name: 'receipts-ner-round-3', status: 'Failed', arn: event.resources[0] });
    expect(() => normalizeEvent({ ...event, resources: [] })).toThrow(/LabelingJobName or a labeling-job ARN/);
  });

  it('a heterogeneous training cluster (CPU group first, GPU group second) gets its GPU-idle alarm over every host', () => {
    const job = {
      TrainingJobName: 'hetero-llm-7b',
      TrainingJobArn: 'arn:aws:sagemaker:us-west-2:444455556666:training-job/hetero-llm-7b',
      TrainingJobStatus: 'InProgress',
      ResourceConfig: {
        InstanceGroups: [
          { InstanceGroupName: 'data', InstanceType: 'ml.c5.18xlarge', InstanceCount: 2 },
          { InstanceGroupName: 'gpus', InstanceType: 'ml.p4d.24xlarge', InstanceCount: 2 },
        ],
        VolumeSizeInGB: 200,
      },
      CreationTime: '2024-07-01T00:00:00Z',
    };
    const model = classifyJob('training-job', job);
    expect(model.gpu).toBe(true);
    const idle = alarms(desired(model).attachments).get('sagewatch_training-job.hetero-llm-7b.gpu-idle');
    expect(idle?.Metrics?.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric!.Dimensions![0]!.Value)).toEqual([1, 2, 3, 4].map((n) => `hetero-llm-7b/algo-${n}`));
  });
});
