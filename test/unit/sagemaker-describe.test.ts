import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeInferenceComponentCommand,
  DescribeModelCommand,
  DescribePipelineExecutionCommand,
  DescribeTrainingJobCommand,
  ListInferenceComponentsCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeResource, endpointOfInferenceComponent, isNotFoundError } from '../../lib/sagemaker/describe';
import { fixture } from './attach-fixtures';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'eu-west-1' });

function validation(message: string) {
  return new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

beforeEach(() => sagemaker.reset());

describe('describeResource: endpoints', () => {
  it('real-time: DescribeEndpoint, DescribeEndpointConfig, DescribeModel per model, ListTags; no component listing', async () => {
    const raw = fixture('describe/real-time.json') as Record<string, Record<string, unknown> & { ModelName?: string }> & { models: Array<{ ModelName: string }> };
    sagemaker.on(DescribeEndpointCommand).resolves({ ...(raw.endpoint as object), $metadata: {} } as never);
    sagemaker.on(DescribeEndpointConfigCommand).resolves(raw.endpointConfig as never);
    sagemaker.on(DescribeModelCommand).resolves(raw.models[0] as never);
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'team', Value: 'risk' }] });

    const outcome = await describeResource(client, { kind: 'endpoint', name: 'fraud-scorer', tags: {} });

    expect(sagemaker).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'fraud-scorer' });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeEndpointConfigCommand, { EndpointConfigName: 'fraud-scorer-config-v3' });
    expect(sagemaker).toHaveReceivedCommandExactlyOnceWith(DescribeModelCommand, { ModelName: 'fraud-model-v3' });
    expect(sagemaker).toHaveReceivedCommandWith(ListTagsCommand, { ResourceArn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/fraud-scorer' });
    expect(sagemaker).not.toHaveReceivedCommand(ListInferenceComponentsCommand);
    expect(outcome.found).toBe(true);
    if (!outcome.found || outcome.kind !== 'endpoint') throw new Error('expected an endpoint bundle');
    expect(outcome.bundle.endpoint).not.toHaveProperty('$metadata');
    expect(outcome.bundle.models.map((m) => m.ModelName)).toEqual(['fraud-model-v3']);
    expect(outcome.bundle.tags).toEqual({ team: 'risk' });
  });

  it('inference components: ListInferenceComponents (paged) then DescribeInferenceComponent each', async () => {
    const raw = fixture('describe/inference-components.json') as { endpoint: object; endpointConfig: object; inferenceComponents: Array<{ InferenceComponentName: string }> };
    sagemaker.on(DescribeEndpointCommand).resolves(raw.endpoint as never);
    sagemaker.on(DescribeEndpointConfigCommand).resolves(raw.endpointConfig as never);
    sagemaker
      .on(ListInferenceComponentsCommand, { EndpointNameEquals: 'llm-shared' })
      .resolvesOnce({ InferenceComponents: [{ InferenceComponentName: 'summarizer-ic' } as never], NextToken: 'page-2' })
      .resolvesOnce({ InferenceComponents: [{ InferenceComponentName: 'embedder-ic' } as never] });
    for (const component of raw.inferenceComponents) {
      sagemaker.on(DescribeInferenceComponentCommand, { InferenceComponentName: component.InferenceComponentName }).resolves(component as never);
    }
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });

    const outcome = await describeResource(client, { kind: 'endpoint', name: 'llm-shared', tags: {} });

    expect(sagemaker).toHaveReceivedNthCommandWith(ListInferenceComponentsCommand, 1, { EndpointNameEquals: 'llm-shared' });
    expect(sagemaker).toHaveReceivedNthCommandWith(ListInferenceComponentsCommand, 2, { EndpointNameEquals: 'llm-shared', NextToken: 'page-2' });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeInferenceComponentCommand, { InferenceComponentName: 'summarizer-ic' });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeInferenceComponentCommand, { InferenceComponentName: 'embedder-ic' });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeModelCommand);
    if (!outcome.found || outcome.kind !== 'endpoint') throw new Error('expected an endpoint bundle');
    expect(outcome.bundle.inferenceComponents.map((c) => c.InferenceComponentName)).toEqual(['summarizer-ic', 'embedder-ic']);
  });

  it('"Could not find endpoint" means gone, not an error', async () => {
    sagemaker.on(DescribeEndpointCommand).rejects(validation('Could not find endpoint "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/fraud-scorer".'));
    expect(await describeResource(client, { kind: 'endpoint', name: 'fraud-scorer', tags: {} })).toEqual({ found: false });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeEndpointConfigCommand);
  });

  it('a deleted endpoint config or model still describes the endpoint', async () => {
    const raw = fixture('describe/real-time.json') as { endpoint: object };
    sagemaker.on(DescribeEndpointCommand).resolves(raw.endpoint as never);
    sagemaker.on(DescribeEndpointConfigCommand).rejects(validation('Could not find endpoint configuration "fraud-scorer-config-v3".'));
    sagemaker.on(ListInferenceComponentsCommand).resolves({ InferenceComponents: [] });
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });
    const outcome = await describeResource(client, { kind: 'endpoint', name: 'fraud-scorer', tags: {} });
    if (!outcome.found || outcome.kind !== 'endpoint') throw new Error('expected an endpoint bundle');
    expect(outcome.bundle.endpointConfig).toEqual({ EndpointConfigName: 'fraud-scorer-config-v3', ProductionVariants: [] });
  });

  it('other errors (throttling, access) are thrown for the workflow to retry or report', async () => {
    sagemaker.on(DescribeEndpointCommand).rejects(new SageMakerServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }));
    await expect(describeResource(client, { kind: 'endpoint', name: 'x', tags: {} })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('describeResource: jobs', () => {
  it('DescribeTrainingJob by name, ListTags on the training job ARN (not the tuning job it came from)', async () => {
    const job = { ...(fixture('describe/training-job.failed.json').job as object), TuningJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/parent' };
    sagemaker.on(DescribeTrainingJobCommand).resolves(job as never);
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'project', Value: 'churn' }] });
    const outcome = await describeResource(client, { kind: 'training-job', name: 'churn-xgb-2024-06-01', tags: {} });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: 'churn-xgb-2024-06-01' });
    expect(sagemaker).toHaveReceivedCommandWith(ListTagsCommand, { ResourceArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-xgb-2024-06-01' });
    expect(outcome).toMatchObject({ found: true, kind: 'training-job', bundle: { tags: { project: 'churn' } } });
  });

  it('pipeline executions by ARN, without tags', async () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn-retrain/execution/k3v9q2x7m1p4';
    sagemaker.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionArn: arn, PipelineExecutionStatus: 'Failed', FailureReason: 'Step train failed' });
    const outcome = await describeResource(client, { kind: 'pipeline-execution', name: 'churn-retrain/k3v9q2x7m1p4', arn, tags: {} });
    expect(sagemaker).toHaveReceivedCommandWith(DescribePipelineExecutionCommand, { PipelineExecutionArn: arn });
    expect(sagemaker).not.toHaveReceivedCommand(ListTagsCommand);
    expect(outcome).toMatchObject({ found: true, bundle: { job: { FailureReason: 'Step train failed' } } });
  });

  it('"Requested resource not found" means gone', async () => {
    sagemaker.on(DescribeTrainingJobCommand).rejects(validation('Requested resource not found.'));
    expect(await describeResource(client, { kind: 'training-job', name: 'nope', tags: {} })).toEqual({ found: false });
  });
});

describe('isNotFoundError', () => {
  it('tells "not found" from other validation errors', () => {
    expect(isNotFoundError(validation('Could not find model "m".'))).toBe(true);
    expect(isNotFoundError({ name: 'ResourceNotFound', message: 'x' })).toBe(true);
    expect(isNotFoundError(validation('1 validation error detected: Value at endpointName failed to satisfy constraint'))).toBe(false);
    expect(isNotFoundError(new Error('Could not find endpoint'))).toBe(false);
    expect(isNotFoundError(undefined)).toBe(false);
  });
});

describe('endpointOfInferenceComponent', () => {
  it('the endpoint DescribeInferenceComponent names, also while the component is Deleting; undefined once it is gone', async () => {
    sagemaker
      .on(DescribeInferenceComponentCommand, { InferenceComponentName: 'summarizer-ic' })
      .resolves({ InferenceComponentName: 'summarizer-ic', EndpointName: 'llm-shared', InferenceComponentStatus: 'Deleting' } as never);
    sagemaker.on(DescribeInferenceComponentCommand, { InferenceComponentName: 'gone-ic' }).rejects(validation('Could not find inference component "gone-ic".'));
    expect(await endpointOfInferenceComponent(client, 'summarizer-ic')).toBe('llm-shared');
    expect(await endpointOfInferenceComponent(client, 'gone-ic')).toBeUndefined();
  });

  it('any other failure is an error, not a gone component', async () => {
    sagemaker.on(DescribeInferenceComponentCommand).rejects(new SageMakerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' }));
    await expect(endpointOfInferenceComponent(client, 'summarizer-ic')).rejects.toThrow('denied');
  });
});
