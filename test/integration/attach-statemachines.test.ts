import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, DeleteAlarmsCommand, DeleteMetricStreamCommand, ListMetricStreamsCommand, PutMetricAlarmCommand, PutMetricStreamCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeSubscriptionFiltersCommand, PutSubscriptionFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeInferenceComponentCommand,
  DescribeModelCommand,
  DescribePipelineExecutionCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListInferenceComponentsCommand,
  ListLabelingJobsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as checkResourcesHandler } from '../../functions/check-resources';
import { createHandler as classifyHandler } from '../../functions/classify-resource';
import { createHandler as convergeHandler } from '../../functions/converge-resource';
import { createHandler as describeHandler } from '../../functions/describe-resource';
import { createHandler as findOrphansHandler } from '../../functions/find-orphans';
import { createHandler as listResourcesHandler } from '../../functions/list-resources';
import { createHandler as reportHandler } from '../../functions/report-problems';
import { createHandler as sweepHandler } from '../../functions/sweep-metric-streams';
import { createSnsPublisher } from '../../lib/alerts/publish';
import { createAwsGateway } from '../../lib/attach/aws-gateway';
import { Pacer } from '../../lib/attach/retry';
import { DynamoInventory } from '../../lib/store/inventory';
import { ensureTables } from '../../local/dynamo';
import { LocalStateMachines, loadDefinition } from '../../local/state-machines';
import { ATTACH_MACHINE_PLACEHOLDER, FUNCTION_PLACEHOLDERS } from '../../statemachines/definitions';
import { fixture, SETTINGS } from '../unit/attach-fixtures';
import { TABLES, useDynamo } from '../support/dynamo';

// asl-validator ships no types: the slice of its API the tests use.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

const ROOT = fileURLToPath(new URL('../../statemachines/', import.meta.url));

describe('state machine definitions', () => {
  it.each(['attach', 'reconcile'] as const)('%s.asl.json is valid Amazon States Language', (name) => {
    const { isValid, errorsText } = aslValidator(loadDefinition(name, 'eu-west-1'));
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('uses exactly the documented placeholders, and every task retries with full jitter', () => {
    const documented = [...Object.values(FUNCTION_PLACEHOLDERS), ATTACH_MACHINE_PLACEHOLDER];
    for (const name of ['attach', 'reconcile'] as const) {
      const text = readFileSync(`${ROOT}${name}.asl.json`, 'utf8');
      const used = new Set([...text.matchAll(/\$\{\w+\}/g)].map((m) => m[0]));
      for (const placeholder of used) expect(documented).toContain(placeholder);
      const tasks = [...text.matchAll(/"Type": "Task"/g)].length;
      const full = [...text.matchAll(/"JitterStrategy": "FULL"/g)].length;
      expect(full).toBeGreaterThanOrEqual(tasks);
    }
  });

  it('a broken definition is caught by the validator', () => {
    const broken = loadDefinition('attach') as unknown as { States: Record<string, { Next?: string }> };
    broken.States.Classify!.Next = 'Nowhere';
    expect(aslValidator(broken).isValid).toBe(false);
  });
});

const db = useDynamo();
const sagemaker = mockClient(SageMakerClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
let tableCounter = 0;

async function freshInventory(): Promise<DynamoInventory> {
  const name = `sm-inventory-${++tableCounter}`;
  await ensureTables(db.endpoint(), { ...TABLES, inventory: name });
  return new DynamoInventory(db.client(), name);
}

function machinesFor(inventory: DynamoInventory): LocalStateMachines {
  const sagemakerClient = new SageMakerClient({ region: 'eu-west-1', maxAttempts: 1 });
  const gateway = createAwsGateway(
    { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
    { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} }, pacer: new Pacer(Number.POSITIVE_INFINITY) },
  );
  const publisher = createSnsPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: SETTINGS.alertsTopicArn });
  const sweep = sweepHandler({ gateway, inventory, settings: SETTINGS });
  return new LocalStateMachines(
    {
      describe: describeHandler({ sagemaker: sagemakerClient }),
      classify: classifyHandler(),
      converge: convergeHandler({ gateway, inventory, settings: SETTINGS }),
      report: reportHandler({ publisher }),
      list: listResourcesHandler({ sagemaker: sagemakerClient }),
      check: checkResourcesHandler({ sagemaker: sagemakerClient, gateway, inventory, settings: SETTINGS }),
      orphans: findOrphansHandler({ sagemaker: sagemakerClient, inventory }),
      sweep: async () => sweep(),
    },
    // Retries and waits run instantly in tests; the definitions' own intervals are checked above.
    { instant: true, region: 'eu-west-1' },
  );
}

async function run(name: 'attach' | 'reconcile', input: unknown, inventory: DynamoInventory) {
  return machinesFor(inventory).run(name, input) as Promise<Record<string, unknown>>;
}

function describeBundle(file: string) {
  const raw = fixture(`describe/${file}.json`) as {
    endpoint: { EndpointName: string; EndpointConfigName: string };
    endpointConfig: object;
    models: Array<{ ModelName: string }>;
    tags?: Record<string, string>;
  };
  sagemaker.on(DescribeEndpointCommand, { EndpointName: raw.endpoint.EndpointName }).resolves(raw.endpoint as never);
  sagemaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: raw.endpoint.EndpointConfigName }).resolves(raw.endpointConfig as never);
  for (const model of raw.models) sagemaker.on(DescribeModelCommand, { ModelName: model.ModelName }).resolves(model as never);
  return raw;
}

/** The rule fixtures' CloudTrail records of inference-component calls, as EventBridge delivers them. */
function cloudTrailEvent(file: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/eventbridge/rules/positive/${file}`, import.meta.url)), 'utf8'));
}

function notFound(message: string) {
  return new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

beforeEach(() => {
  for (const stub of [sagemaker, cw, logs, sns]) stub.reset();
  cw.onAnyCommand().resolves({});
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  logs.on(PutSubscriptionFilterCommand).resolves({});
  sns.on(SubscribeCommand).callsFake((input: { TopicArn: string }) => ({ SubscriptionArn: `${input.TopicArn}:0a1b2c3d` }));
  sns.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  sagemaker.on(ListTagsCommand).resolves({ Tags: [] });
});

describe('attach state machine (executed)', () => {
  it('describe → classify → converge for an endpoint event; a second execution changes nothing', async () => {
    const inventory = await freshInventory();
    describeBundle('real-time');
    const event = fixture('endpoint-state-change.in-service.json');

    const output = await run('attach', event, inventory);

    expect(output).toMatchObject({ key: 'endpoint/fraud-scorer', status: 'converged', kinds: ['real-time'], problems: [] });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'fraud-scorer' });
    expect(cw).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 8);
    expect(cw).toHaveReceivedCommandWith(PutMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(logs).toHaveReceivedCommandWith(PutSubscriptionFilterCommand, { logGroupName: '/aws/sagemaker/Endpoints/fraud-scorer', filterName: 'sagewatch_logs' });
    expect((await inventory.read('endpoint/fraud-scorer')).attachments).toHaveLength(11);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);

    cw.resetHistory();
    logs.resetHistory();
    const again = await run('attach', { ...event, id: 'duplicate-delivery' }, inventory);
    expect(again).toMatchObject({ status: 'unchanged' });
    expect(cw.calls()).toHaveLength(0);
    expect(logs.calls()).toHaveLength(0);
  });

  it('also starts from a bare resource reference (CloudTrail inference component calls, manual runs)', async () => {
    const inventory = await freshInventory();
    describeBundle('real-time');
    const output = await run('attach', { resource: { kind: 'endpoint', name: 'fraud-scorer' } }, inventory);
    expect(output).toMatchObject({ key: 'endpoint/fraud-scorer', status: 'converged' });
  });

  it('a CloudTrail UpdateInferenceComponent call converges the endpoint that hosts the component', async () => {
    const inventory = await freshInventory();
    const raw = describeBundle('inference-components') as ReturnType<typeof describeBundle> & { inferenceComponents: Array<{ InferenceComponentName: string }> };
    sagemaker.on(ListInferenceComponentsCommand, { EndpointNameEquals: 'llm-shared' }).resolves({ InferenceComponents: raw.inferenceComponents as never });
    for (const component of raw.inferenceComponents) {
      sagemaker.on(DescribeInferenceComponentCommand, { InferenceComponentName: component.InferenceComponentName }).resolves(component as never);
    }

    const output = await run('attach', cloudTrailEvent('inference-component-update-cloudtrail.json'), inventory);

    expect(output).toMatchObject({ key: 'endpoint/llm-shared', status: 'converged', kinds: ['inference-components'], problems: [] });
    // The component is described first: the call names no endpoint.
    expect(sagemaker.call(0).args[0]).toBeInstanceOf(DescribeInferenceComponentCommand);
    expect(sagemaker.call(0).args[0].input).toEqual({ InferenceComponentName: 'summarizer-ic' });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'llm-shared' });
    expect(cw).toHaveReceivedCommandWith(PutMetricAlarmCommand, { Dimensions: expect.arrayContaining([{ Name: 'InferenceComponentName', Value: 'summarizer-ic' }]) });
  });

  it('a DeleteInferenceComponent call whose component is already gone ends quietly, touching nothing', async () => {
    const inventory = await freshInventory();
    sagemaker.on(DescribeInferenceComponentCommand).rejects(notFound('Could not find inference component "summarizer-ic".'));

    const output = await run('attach', cloudTrailEvent('inference-component-delete-cloudtrail.json'), inventory);

    expect(output).toMatchObject({ found: false, lifecycle: 'keep', inferenceComponent: 'summarizer-ic' });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeEndpointCommand);
    expect(cw.calls()).toHaveLength(0);
    expect(logs.calls()).toHaveLength(0);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('waits while the endpoint is Updating, then converges what it settled into', async () => {
    const inventory = await freshInventory();
    const raw = describeBundle('real-time');
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'fraud-scorer' })
      .resolvesOnce({ ...(raw.endpoint as object), EndpointStatus: 'Updating' } as never)
      .resolves(raw.endpoint as never);
    const output = await run('attach', fixture('endpoint-deployment-state-change.updating.json'), inventory);
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeEndpointCommand, 2);
    expect(output).toMatchObject({ status: 'converged', lifecycle: 'attach' });
  });

  it('retries a throttled describe (Retry with backoff), then succeeds', async () => {
    const inventory = await freshInventory();
    const raw = describeBundle('real-time');
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'fraud-scorer' })
      .rejectsOnce(new SageMakerServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }))
      .resolves(raw.endpoint as never);
    const output = await run('attach', fixture('endpoint-state-change.in-service.json'), inventory);
    expect(output).toMatchObject({ status: 'converged' });
  });

  it('new instrumentation gaps go to the report task, which publishes an alert', async () => {
    const inventory = await freshInventory();
    describeBundle('async-no-topics');
    const event = fixture('endpoint-state-change.async-in-service.json') as { detail: Record<string, unknown> };
    event.detail.EndpointName = 'quiet-async';
    event.detail.EndpointArn = 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/quiet-async';

    await run('attach', event, inventory);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: SETTINGS.alertsTopicArn,
      MessageAttributes: expect.objectContaining({
        kind: { DataType: 'String', StringValue: 'missing-notification-topics' },
        resourceName: { DataType: 'String', StringValue: 'quiet-async' },
      }),
    });
  });

  it('a failure that survives the retries ends in the report task and a failed execution, never silently', async () => {
    const inventory = await freshInventory();
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(new SageMakerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform sagemaker:DescribeEndpoint' }));

    const error = await run('attach', fixture('endpoint-state-change.in-service.json'), inventory).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { cause?: { name?: string } }).cause?.name).toBe('sagewatch.ConvergeFailed');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.MessageAttributes).toMatchObject({
      kind: { DataType: 'String', StringValue: 'attachment-failed' },
      severity: { DataType: 'String', StringValue: 'critical' },
      resourceName: { DataType: 'String', StringValue: 'fraud-scorer' },
    });
    expect(published.Message).toContain('Step Describe failed after its retries: AccessDeniedException');
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
  });

  it('a resource held by another execution is retried, then reported', async () => {
    const inventory = await freshInventory();
    describeBundle('real-time');
    await inventory.lock('endpoint/fraud-scorer', 'someone-else', 0, Date.now() + 3_600_000, Date.now());
    const error = await run('attach', fixture('endpoint-state-change.in-service.json'), inventory).catch((e: unknown) => e);
    expect((error as Error & { cause?: { name?: string } }).cause?.name).toBe('sagewatch.ConvergeFailed');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain('Step Converge failed after its retries: ResourceBusy');
  });
});

describe('reconcile state machine (executed)', () => {
  it('backfills every endpoint and running job (paged), detaches orphans, sweeps metric streams', async () => {
    const inventory = await freshInventory();
    describeBundle('real-time');
    describeBundle('async');
    sagemaker
      .on(ListEndpointsCommand)
      .resolvesOnce({
        Endpoints: [{ EndpointName: 'fraud-scorer', EndpointArn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/fraud-scorer', EndpointStatus: 'InService' } as never],
        NextToken: 'p2',
      })
      .resolvesOnce({ Endpoints: [{ EndpointName: 'doc-ocr-async', EndpointArn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/doc-ocr-async', EndpointStatus: 'InService' } as never] });
    const trainingDetail = fixture('training-job-state-change.in-progress.json').detail as { TrainingJobName: string; TrainingJobArn: string };
    sagemaker
      .on(ListTrainingJobsCommand)
      .resolves({ TrainingJobSummaries: [{ TrainingJobName: trainingDetail.TrainingJobName, TrainingJobArn: trainingDetail.TrainingJobArn, TrainingJobStatus: 'InProgress' } as never] });
    sagemaker.on(DescribeTrainingJobCommand).resolves(trainingDetail as never);
    for (const command of [ListProcessingJobsCommand, ListTransformJobsCommand]) sagemaker.on(command as never).resolves({});
    sagemaker.on(ListHyperParameterTuningJobsCommand).resolves({ HyperParameterTuningJobSummaries: [] });
    sagemaker.on(ListLabelingJobsCommand).resolves({ LabelingJobSummaryList: [] });
    // A pipeline execution whose Executing event was missed, and an earlier one that succeeded.
    const pipelineArn = 'arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn-retrain';
    const executing = `${pipelineArn}/execution/k2x8w0q4m1zt`;
    sagemaker.on(ListPipelinesCommand).resolves({ PipelineSummaries: [{ PipelineName: 'churn-retrain', PipelineArn: pipelineArn }] });
    sagemaker.on(ListPipelineExecutionsCommand).resolves({
      PipelineExecutionSummaries: [
        { PipelineExecutionArn: executing, PipelineExecutionStatus: 'Executing' },
        { PipelineExecutionArn: `${pipelineArn}/execution/a1b2c3d4e5f6`, PipelineExecutionStatus: 'Succeeded' },
      ],
    });
    sagemaker.on(DescribePipelineExecutionCommand, { PipelineExecutionArn: executing }).resolves({
      PipelineArn: pipelineArn,
      PipelineExecutionArn: executing,
      PipelineExecutionDisplayName: 'nightly',
      PipelineExecutionStatus: 'Executing',
      CreationTime: new Date('2024-05-31T23:00:00Z'),
      LastModifiedTime: new Date('2024-05-31T23:00:00Z'),
    });
    // Attached before, deleted while sagewatch was not looking.
    await inventory.putResource({
      key: 'endpoint/old-endpoint',
      kind: 'endpoint',
      name: 'old-endpoint',
      kinds: ['serverless'],
      status: 'InService',
      state: 'attached',
      ignored: false,
      observedAt: 1,
      gaps: [],
      updatedAt: '2024-05-01T00:00:00.000Z',
    });
    await inventory.putAttachment('endpoint/old-endpoint', { type: 'alarm', id: 'sagewatch_endpoint.old-endpoint.variant.AllTraffic.5xx-rate', fingerprint: 'f' });
    await inventory.putAttachment('endpoint/old-endpoint', { type: 'metric-stream', id: 'sagewatch_serverless', fingerprint: 'f' });
    await inventory.addStreamMember('sagewatch_serverless', 'serverless', 'endpoint/old-endpoint');
    sagemaker.on(DescribeEndpointCommand, { EndpointName: 'old-endpoint' }).rejects(notFound('Could not find endpoint "old-endpoint".'));
    // The one stream, a per-kind stream of the version before it, and a stream of someone else.
    cw.on(ListMetricStreamsCommand).resolves({ Entries: [{ Name: 'sagewatch_metrics' }, { Name: 'sagewatch_real-time' }, { Name: 'someone-elses-stream' }] });

    const output = await run('reconcile', {}, inventory);

    expect(sagemaker).toHaveReceivedNthCommandWith(ListEndpointsCommand, 2, { MaxResults: 100, NextToken: 'p2' });
    expect(sagemaker).toHaveReceivedCommandWith(ListTrainingJobsCommand, { MaxResults: 100, StatusEquals: 'InProgress' });
    expect(sagemaker).toHaveReceivedCommandWith(ListPipelineExecutionsCommand, { PipelineName: 'churn-retrain', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 });
    // Only the executing one is described (checked, attached by its child execution, probed for
    // orphans); the succeeded one is not listed.
    expect(new Set(sagemaker.commandCalls(DescribePipelineExecutionCommand).map((c) => c.args[0].input.PipelineExecutionArn))).toEqual(new Set([executing]));
    expect((await inventory.read('pipeline-execution/churn-retrain/a1b2c3d4e5f6')).resource).toBeUndefined();
    for (const key of ['endpoint/fraud-scorer', 'endpoint/doc-ocr-async', 'training-job/churn-xgb-2024-06-01', 'pipeline-execution/churn-retrain/k2x8w0q4m1zt']) {
      expect((await inventory.read(key)).resource, key).toMatchObject({ state: 'attached' });
    }
    expect(sns).toHaveReceivedCommandTimes(SubscribeCommand, 2);
    expect(cw).toHaveReceivedCommandWith(DeleteAlarmsCommand, { AlarmNames: ['sagewatch_endpoint.old-endpoint.variant.AllTraffic.5xx-rate'] });
    expect(cw).toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: 'sagewatch_serverless' });
    expect((await inventory.read('endpoint/old-endpoint')).resource).toMatchObject({ state: 'detached', status: 'Gone' });
    // Streams: the one in use stays, with every attached kind's metrics; the old per-kind one no
    // resource records goes; nothing is deleted that is not sagewatch's.
    expect(new Set(cw.commandCalls(PutMetricStreamCommand).map((c) => c.args[0].input.Name))).toEqual(new Set(['sagewatch_metrics']));
    expect(cw).not.toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: 'sagewatch_metrics' });
    expect(cw).toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: 'sagewatch_real-time' });
    expect(cw).not.toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: 'someone-elses-stream' });
    expect((output.streams as { problems: unknown[] }).problems).toEqual([]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('a failing list call is reported and fails the execution', async () => {
    const inventory = await freshInventory();
    sagemaker.on(ListEndpointsCommand).rejects(new SageMakerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' }));
    const error = await run('reconcile', {}, inventory).catch((e: unknown) => e);
    expect((error as Error & { cause?: { name?: string } }).cause?.name).toBe('sagewatch.ReconcileFailed');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain('Step ListResources failed after its retries: AccessDeniedException');
  });
});

describe('transform jobs: the shared host alarms through the attach and reconcile machines (executed, dynalite)', () => {
  const GPU_IDLE = 'sagewatch_account.transform-job.gpu-idle';
  const MEMORY = 'sagewatch_account.transform-job.memory';
  const ARN = 'arn:aws:sagemaker:eu-west-1:111122223333:transform-job/';

  /** The fixture's DescribeTransformJob output (a GPU job), renamed, on another instance type or in another status if asked. */
  function describedJob(name: string, options: { instanceType?: string; status?: string } = {}) {
    const { job } = fixture('describe/transform-job.in-progress.json') as { job: Record<string, unknown> & { TransformResources: Record<string, unknown> } };
    job.TransformJobName = name;
    job.TransformJobArn = `${ARN}${name}`;
    if (options.instanceType) job.TransformResources.InstanceType = options.instanceType;
    if (options.status) Object.assign(job, { TransformJobStatus: options.status, TransformEndTime: '2024-06-01T09:30:00Z' });
    sagemaker.on(DescribeTransformJobCommand, { TransformJobName: name }).resolves(job as never);
    return job;
  }

  /** AWS's Transform Job State Change event for the described job. */
  function stateChange(job: Record<string, unknown>, id: string) {
    const event = fixture('transform-job-state-change.in-progress.json') as { id: string; resources: string[]; detail: Record<string, unknown> };
    event.id = id;
    event.resources = [String(job.TransformJobArn)];
    event.detail = { ...event.detail, ...job };
    return event;
  }

  /** CloudWatch as far as alarms go: what exists after each put and delete, in call order. */
  function alarmWorld() {
    const alarms = new Set<string>();
    cw.on(PutMetricAlarmCommand).callsFake((input: { AlarmName: string }) => {
      alarms.add(input.AlarmName);
      return {};
    });
    return alarms;
  }

  function listsOnly(transformJobs: Array<Record<string, unknown>>) {
    for (const command of [ListEndpointsCommand, ListTrainingJobsCommand, ListProcessingJobsCommand, ListHyperParameterTuningJobsCommand, ListLabelingJobsCommand, ListPipelinesCommand]) {
      sagemaker.on(command as never).resolves({});
    }
    sagemaker.on(ListTransformJobsCommand).resolves({
      TransformJobSummaries: transformJobs.map((j) => ({ TransformJobName: j.TransformJobName, TransformJobArn: j.TransformJobArn, TransformJobStatus: j.TransformJobStatus })) as never,
    });
    cw.on(ListMetricStreamsCommand).resolves({ Entries: [{ Name: 'sagewatch_metrics' }] });
  }

  const shared = (names: string[] | undefined) => (names ?? []).filter((n) => n === GPU_IDLE || n === MEMORY);
  const deletedShared = () => cw.commandCalls(DeleteAlarmsCommand).flatMap((c) => shared(c.args[0].input.AlarmNames));
  const putShared = () => shared(cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName!));

  it('put by the first job, kept through an unchanged reconcile, deleted with the last job, and never lost to a join racing a leave', async () => {
    const inventory = await freshInventory();
    const machines = machinesFor(inventory);
    const alarms = alarmWorld();
    let racingJoin: (() => Promise<unknown>) | undefined;
    cw.on(DeleteAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }) => {
      // Another job's whole attach runs while this delete is on its way to CloudWatch.
      const join = racingJoin;
      racingJoin = undefined;
      if (join) await join();
      for (const name of input.AlarmNames) alarms.delete(name);
      return {};
    });

    // A GPU job puts both shared alarms; a CPU job joins the memory alarm without a write.
    const gpu = describedJob('embed-catalog-0601');
    await expect(machines.run('attach', stateChange(gpu, 'gpu-running'))).resolves.toMatchObject({ key: 'transform-job/embed-catalog-0601', status: 'converged' });
    expect(putShared()).toEqual([GPU_IDLE, MEMORY]);
    const cpu = describedJob('score-backlog-0601', { instanceType: 'ml.c5.xlarge' });
    cw.resetHistory();
    await expect(machines.run('attach', stateChange(cpu, 'cpu-running'))).resolves.toMatchObject({ key: 'transform-job/score-backlog-0601', status: 'converged' });
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);

    // The hourly reconcile over both running jobs: reads only, no child execution.
    listsOnly([gpu, cpu]);
    cw.resetHistory();
    const attachesBefore = machines.stats.executionsByMachine.attach ?? 0;
    await machines.run('reconcile', {});
    expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect(cw).not.toHaveReceivedCommand(DeleteAlarmsCommand);
    expect(machines.stats.executionsByMachine.attach ?? 0).toBe(attachesBefore);

    // The GPU job completes: the GPU-idle alarm has no member left; memory keeps the CPU job.
    cw.resetHistory();
    await machines.run('attach', stateChange(describedJob('embed-catalog-0601', { status: 'Completed' }), 'gpu-completed'));
    expect(deletedShared()).toEqual([GPU_IDLE]);
    expect([...alarms].sort()).toEqual([MEMORY]);

    // The CPU job completes while a new GPU job starts: the new job joins both alarms while the
    // memory alarm's delete is in flight. The memory alarm must exist when both are done.
    const next = describedJob('embed-catalog-0602');
    racingJoin = () => machines.run('attach', stateChange(next, 'next-running'));
    cw.resetHistory();
    await machines.run('attach', stateChange(describedJob('score-backlog-0601', { instanceType: 'ml.c5.xlarge', status: 'Completed' }), 'cpu-completed'));
    expect(racingJoin).toBeUndefined();
    expect(deletedShared()).toEqual([MEMORY]);
    expect([...alarms].sort()).toEqual([GPU_IDLE, MEMORY]);

    // The new job is gone before its end was seen: reconcile's orphan sweep detaches it, and
    // both shared alarms go with it, their inventory items too.
    sagemaker.on(DescribeTransformJobCommand, { TransformJobName: 'embed-catalog-0602' }).rejects(notFound('Could not find job to update with name embed-catalog-0602'));
    listsOnly([]);
    cw.resetHistory();
    await machines.run('reconcile', {});
    expect(deletedShared().sort()).toEqual([GPU_IDLE, MEMORY]);
    expect([...alarms]).toEqual([]);
    expect((await inventory.listStreams()).filter((record) => record.kind === 'shared-alarm')).toEqual([]);
    expect((await inventory.read('transform-job/embed-catalog-0602')).resource).toMatchObject({ state: 'detached' });
  });
});
