import { describe, expect, it } from 'vitest';
import { classifyEndpoint } from '../../lib/sagemaker/classify';
import { EndpointBundleSchema } from '../../lib/sagemaker/descriptions';
import { classifyJob, pipelineDescriptionFromEvent } from '../../lib/sagemaker/jobs';
import { bundle, fixture } from './attach-fixtures';

describe('classifyEndpoint: one kind each', () => {
  it('real-time (instance based)', () => {
    const model = classifyEndpoint(bundle('real-time'));
    expect(model).toMatchObject({
      type: 'endpoint',
      name: 'fraud-scorer',
      status: 'InService',
      configName: 'fraud-scorer-config-v3',
      kinds: ['real-time'],
      ignored: false,
      issues: [],
    });
    expect(model.variants).toEqual([
      {
        name: 'primary',
        hosting: 'instance',
        kinds: ['real-time'],
        modelName: 'fraud-model-v3',
        instanceType: 'ml.g5.xlarge',
        instanceCount: 2,
        gpu: true,
        containers: [{ image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:3', mode: 'SingleModel' }],
        inferenceComponents: [],
      },
    ]);
    expect(model.async).toBeUndefined();
  });

  it('serverless on demand', () => {
    const model = classifyEndpoint(bundle('serverless'));
    expect(model.kinds).toEqual(['serverless']);
    expect(model.variants[0]).toMatchObject({ hosting: 'serverless', gpu: false, serverless: { memorySizeInMB: 4096, maxConcurrency: 20 } });
    expect(model.variants[0]!.instanceType).toBeUndefined();
  });

  it('serverless with provisioned concurrency', () => {
    const model = classifyEndpoint(bundle('serverless-provisioned'));
    expect(model.kinds).toEqual(['serverless-provisioned-concurrency']);
    expect(model.variants[0]!.serverless).toEqual({ memorySizeInMB: 6144, maxConcurrency: 50, provisionedConcurrency: 10 });
  });

  it('asynchronous, with its SNS success and error topics', () => {
    const model = classifyEndpoint(bundle('async'));
    expect(model.kinds).toEqual(['async']);
    expect(model.async).toEqual({
      successTopic: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-success',
      errorTopic: 'arn:aws:sns:eu-west-1:111122223333:doc-ocr-errors',
      s3OutputPath: 's3://ml-async-111122223333/doc-ocr/out/',
      s3FailurePath: 's3://ml-async-111122223333/doc-ocr/failed/',
    });
  });

  it('asynchronous without notification topics', () => {
    const model = classifyEndpoint(bundle('async-no-topics'));
    expect(model.kinds).toEqual(['async']);
    expect(model.async).toEqual({ s3OutputPath: 's3://ml-async-111122223333/quiet/out/' });
  });

  it('multi-model (container Mode: MultiModel)', () => {
    const model = classifyEndpoint(bundle('multi-model'));
    expect(model.kinds).toEqual(['real-time', 'multi-model']);
    expect(model.variants[0]!.containers).toEqual([{ image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mme:1', mode: 'MultiModel' }]);
  });

  it('inference pipeline (several serial containers), container names from their hostnames', () => {
    const model = classifyEndpoint(bundle('inference-pipeline'));
    expect(model.kinds).toEqual(['real-time', 'inference-pipeline']);
    expect(model.variants[0]!.containers.map((c) => c.name)).toEqual(['preprocess', 'predict', 'postprocess']);
    expect(model.issues).toEqual([]);
  });

  it('inference components: a variant without a model, its components per variant', () => {
    const model = classifyEndpoint(bundle('inference-components'));
    expect(model.kinds).toEqual(['inference-components']);
    expect(model.variants[0]).toMatchObject({ name: 'gpu-pool', hosting: 'inference-components', instanceType: 'ml.g5.12xlarge', gpu: true });
    expect(model.variants[0]!.modelName).toBeUndefined();
    expect(model.variants[0]!.inferenceComponents).toEqual([
      { name: 'embedder-ic', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:inference-component/embedder-ic', status: 'InService', modelName: 'embedder-small', gpu: false, copies: 1 },
      { name: 'summarizer-ic', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:inference-component/summarizer-ic', status: 'InService', modelName: 'summarizer-7b', gpu: true, copies: 2 },
    ]);
  });
});

describe('classifyEndpoint: combinations and details', () => {
  it('async + multi-model', () => {
    const model = classifyEndpoint(bundle('async-multi-model'));
    expect(model.kinds).toEqual(['async', 'multi-model']);
    expect(model.variants[0]!.kinds).toEqual(['async', 'multi-model']);
    expect(model.overrides).toEqual({ backlogAgeSeconds: 300 });
  });

  it('async + inference pipeline', () => {
    const raw = fixture('describe/inference-pipeline.json') as Record<string, Record<string, unknown>>;
    const asyncConfig = { OutputConfig: { NotificationConfig: { SuccessTopic: 'arn:aws:sns:eu-west-1:111122223333:ok', ErrorTopic: 'arn:aws:sns:eu-west-1:111122223333:ko' } } };
    raw.endpointConfig!.AsyncInferenceConfig = asyncConfig;
    const model = classifyEndpoint(EndpointBundleSchema.parse(raw));
    expect(model.kinds).toEqual(['async', 'inference-pipeline']);
  });

  it('handles variants one by one: a real-time and a multi-model variant on one endpoint', () => {
    const raw = fixture('describe/real-time.json') as Record<string, Record<string, unknown> | unknown[]>;
    const mme = fixture('describe/multi-model.json') as { models: unknown[] };
    const endpoint = raw.endpoint as { ProductionVariants: unknown[] };
    const config = raw.endpointConfig as { ProductionVariants: unknown[] };
    endpoint.ProductionVariants.push({ VariantName: 'tenants', CurrentInstanceCount: 1 });
    config.ProductionVariants.push({ VariantName: 'tenants', ModelName: 'tenant-mme-rt', InstanceType: 'ml.m5.2xlarge', InitialInstanceCount: 1 });
    (raw.models as unknown[]).push(...mme.models);
    const model = classifyEndpoint(EndpointBundleSchema.parse(raw));
    expect(model.variants.map((v) => [v.name, v.kinds, v.gpu])).toEqual([
      ['primary', ['real-time'], true],
      ['tenants', ['real-time', 'multi-model'], false],
    ]);
    expect(model.kinds).toEqual(['real-time', 'multi-model']);
  });

  it('multi-container direct invocation is not a pipeline', () => {
    const raw = fixture('describe/inference-pipeline.json') as { models: Array<Record<string, unknown>> };
    raw.models[0]!.InferenceExecutionConfig = { Mode: 'Direct' };
    expect(classifyEndpoint(EndpointBundleSchema.parse(raw)).kinds).toEqual(['real-time']);
  });

  it('reports a pipeline container without hostname: watched through a Metrics Insights alarm, with no dashboard line', () => {
    const raw = fixture('describe/inference-pipeline.json') as { models: Array<{ Containers: Array<Record<string, unknown>> }> };
    delete raw.models[0]!.Containers[1]!.ContainerHostname;
    const model = classifyEndpoint(EndpointBundleSchema.parse(raw));
    expect(model.issues).toEqual([
      {
        code: 'ContainerNameUnknown',
        message:
          "container 2 of pipeline model claims-serial has no ContainerHostname: its ContainerLatency is watched by one Metrics Insights alarm over the variant's containers, with no dashboard line of its own",
      },
    ]);
  });

  it('reports a model it could not describe', () => {
    const raw = { ...fixture('describe/real-time.json'), models: [] };
    expect(classifyEndpoint(EndpointBundleSchema.parse(raw)).issues).toEqual([{ code: 'ModelNotDescribed', message: 'model fraud-model-v3 of variant primary was not described' }]);
  });

  it('leaves out inference components being deleted or failed', () => {
    const raw = fixture('describe/inference-components.json') as { inferenceComponents: Array<Record<string, unknown>> };
    raw.inferenceComponents[0]!.InferenceComponentStatus = 'Deleting';
    const model = classifyEndpoint(EndpointBundleSchema.parse(raw));
    expect(model.variants[0]!.inferenceComponents.map((c) => c.name)).toEqual(['embedder-ic']);
  });

  it('threshold overrides by tag; invalid values are reported and not used', () => {
    const raw = { ...fixture('describe/real-time.json'), tags: { 'sagewatch:latency-avg-ms': '250', 'sagewatch:5xx-rate': 'lots', 'sagewatch:memory-percent': '-3' } };
    const model = classifyEndpoint(EndpointBundleSchema.parse(raw));
    expect(model.overrides).toEqual({ modelLatencyMs: 250 });
    expect(model.issues.map((i) => i.code)).toEqual(['InvalidThresholdTag', 'InvalidThresholdTag']);
  });

  it('sagewatch:ignore=true opts out; the describe tags win over the event tags', () => {
    const raw = { ...fixture('describe/real-time.json'), tags: { 'sagewatch:ignore': 'TRUE' } };
    expect(classifyEndpoint(EndpointBundleSchema.parse(raw)).ignored).toBe(true);
    const withoutDescribeTags = { ...fixture('describe/real-time.json') };
    delete withoutDescribeTags.tags;
    expect(classifyEndpoint(EndpointBundleSchema.parse(withoutDescribeTags), { 'sagewatch:ignore': 'true' }).ignored).toBe(true);
    expect(classifyEndpoint(EndpointBundleSchema.parse(raw), { 'sagewatch:ignore': 'false' }).ignored).toBe(true);
    expect(classifyEndpoint(bundle('real-time'), { 'sagewatch:ignore': 'true' }).ignored).toBe(false);
  });

  it('classifies SDK outputs (Dates) and their JSON alike', () => {
    const raw = fixture('describe/async.json') as { endpoint: Record<string, unknown> };
    raw.endpoint.CreationTime = new Date('2024-06-01T10:00:00Z');
    expect(classifyEndpoint(EndpointBundleSchema.parse(raw))).toEqual(classifyEndpoint(bundle('async')));
  });
});

describe('classifyJob', () => {
  it('a running GPU training job: hosts algo-1..n, no outcome yet', () => {
    const detail = fixture('training-job-state-change.in-progress.json').detail as Record<string, unknown>;
    expect(classifyJob('training-job', detail)).toEqual({
      type: 'job',
      kind: 'training-job',
      name: 'churn-xgb-2024-06-01',
      arn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-xgb-2024-06-01',
      status: 'InProgress',
      running: true,
      instanceType: 'ml.g5.2xlarge',
      instanceCount: 2,
      gpu: true,
      hosts: ['churn-xgb-2024-06-01/algo-1', 'churn-xgb-2024-06-01/algo-2'],
      startedAt: '2024-06-01T08:05:00.000Z',
      tags: { project: 'churn' },
      ignored: false,
      overrides: {},
      issues: [],
      notes: [],
    });
  });

  it('a failed training job: outcome, failure reason, times and duration', () => {
    const job = classifyJob('training-job', fixture('describe/training-job.failed.json').job as Record<string, unknown>);
    expect(job).toMatchObject({
      status: 'Failed',
      running: false,
      outcome: 'Failed',
      failureReason: 'AlgorithmError: CUDA out of memory. Tried to allocate 2.00 GiB, exit code 1',
      startedAt: '2024-06-01T08:05:00.000Z',
      endedAt: '2024-06-01T09:05:00.000Z',
      durationMs: 3_600_000,
    });
  });

  it('a completed processing job (epoch-ms numbers)', () => {
    const job = classifyJob('processing-job', fixture('processing-job-state-change.completed.json').detail as Record<string, unknown>);
    expect(job).toMatchObject({ outcome: 'Succeeded', instanceCount: 3, instanceType: 'ml.m5.2xlarge', gpu: false, durationMs: 3_600_000 });
    expect(job.hosts).toEqual(['features-daily-0601/algo-1', 'features-daily-0601/algo-2', 'features-daily-0601/algo-3']);
  });

  it('a running transform job: hosts are instance ids, unknown in advance', () => {
    const job = classifyJob('transform-job', fixture('transform-job-state-change.in-progress.json').detail as Record<string, unknown>);
    expect(job.hosts).toEqual([]);
    expect(job.notes).toEqual([
      "transform-job hosts are named after instance ids that do not exist before the job runs: they are watched by the stack's shared Metrics Insights alarms over every transform-job host in the account and Region, with the stack's default thresholds",
    ]);
  });

  it('tuning jobs, labeling jobs and pipeline executions', () => {
    const tuning = classifyJob('hyper-parameter-tuning-job', fixture('hyperparameter-tuning-job-state-change.failed.json').detail as Record<string, unknown>);
    expect(tuning).toMatchObject({ outcome: 'Failed', failureReason: 'All training jobs failed.', durationMs: 7_200_000 });
    const labeling = classifyJob('labeling-job', fixture('labeling-job-state-change.in-progress.json').detail as Record<string, unknown>);
    expect(labeling).toMatchObject({ running: true, startedAt: '2024-06-01T06:00:00.000Z', tags: { team: 'docs' } });
    const detail = fixture('pipeline-execution-status-change.failed.json').detail as Record<string, unknown>;
    const pipeline = classifyJob('pipeline-execution', pipelineDescriptionFromEvent(detail));
    expect(pipeline).toMatchObject({ name: 'churn-retrain/k3v9q2x7m1p4', outcome: 'Failed', durationMs: 2_550_000 });
  });

  it('refuses a description without name or status', () => {
    expect(() => classifyJob('training-job', { TrainingJobStatus: 'InProgress' })).toThrow(/without TrainingJobName/);
    expect(() => classifyJob('training-job', { TrainingJobName: 'x' })).toThrow(/without TrainingJobStatus/);
  });
});
