import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Scenario } from './simulator';

/**
 * SageMaker answered from the simulator's describe outputs: a real SDK client whose request
 * never leaves the process (a middleware answers before signing and sending). List calls page
 * like SageMaker's (at most MaxResults, then a NextToken).
 */
const PAGE = 100;

function page<T>(items: T[], input: Record<string, unknown>): { items: T[]; NextToken?: string } {
  const start = Number(input.NextToken ?? 0);
  const size = Math.min(Number(input.MaxResults ?? PAGE), PAGE);
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length ? { NextToken: String(start + size) } : {}) };
}

export function fixtureSageMaker(scenario: Scenario, region: string): SageMakerClient {
  const endpoints = new Map(scenario.endpoints.map((e) => [e.name, e.describe]));
  const configs = new Map(scenario.endpoints.map((e) => [e.describe.endpoint.EndpointConfigName, e.describe.endpointConfig]));
  const models = new Map(scenario.endpoints.flatMap((e) => e.describe.models.map((m) => [String(m.ModelName), m] as const)));
  const components = scenario.endpoints.flatMap((e) => e.describe.inferenceComponents);
  const jobs = new Map(scenario.jobs.map((j) => [j.spec.name, j.describe]));
  const notFound = (what: string) => Object.assign(new Error(`Could not find ${what}.`), { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  const revive = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (key, v) => (typeof v === 'string' && /(Time|Timestamp)$/.test(key) && !Number.isNaN(Date.parse(v)) ? new Date(v) : v));
  const runningJobs = (type: string) =>
    scenario.jobs.filter(
      (j) => j.spec.type === type && (j.describe as { TrainingJobStatus?: string; ProcessingJobStatus?: string })[type === 'training' ? 'TrainingJobStatus' : 'ProcessingJobStatus'] === 'InProgress',
    );

  const answer = (name: string, input: Record<string, unknown>): unknown => {
    switch (name) {
      case 'DescribeEndpointCommand': {
        const bundle = endpoints.get(String(input.EndpointName));
        if (!bundle) throw notFound(`endpoint "${String(input.EndpointName)}"`);
        return bundle.endpoint;
      }
      case 'DescribeEndpointConfigCommand': {
        const config = configs.get(String(input.EndpointConfigName));
        if (!config) throw notFound(`endpoint configuration "${String(input.EndpointConfigName)}"`);
        return config;
      }
      case 'DescribeModelCommand': {
        const model = models.get(String(input.ModelName));
        if (!model) throw notFound(`model "${String(input.ModelName)}"`);
        return model;
      }
      case 'ListInferenceComponentsCommand':
        return {
          InferenceComponents: components
            .filter((c) => c.EndpointName === input.EndpointNameEquals)
            .map((c) => ({
              InferenceComponentName: c.InferenceComponentName,
              InferenceComponentArn: c.InferenceComponentArn,
              EndpointName: c.EndpointName,
              InferenceComponentStatus: c.InferenceComponentStatus,
            })),
        };
      case 'DescribeInferenceComponentCommand': {
        const component = components.find((c) => c.InferenceComponentName === input.InferenceComponentName);
        if (!component) throw notFound(`inference component "${String(input.InferenceComponentName)}"`);
        return component;
      }
      case 'ListTagsCommand':
        return { Tags: [{ Key: 'team', Value: 'ml-platform' }] };
      case 'DescribeTrainingJobCommand':
      case 'DescribeProcessingJobCommand': {
        const jobName = String(input.TrainingJobName ?? input.ProcessingJobName);
        const job = jobs.get(jobName);
        if (!job) throw notFound(`job "${jobName}"`);
        return job;
      }
      case 'ListEndpointsCommand': {
        const { items, NextToken } = page(
          scenario.endpoints.map((e) => ({ EndpointName: e.name, EndpointArn: e.describe.endpoint.EndpointArn, EndpointStatus: e.describe.endpoint.EndpointStatus })),
          input,
        );
        return { Endpoints: items, ...(NextToken ? { NextToken } : {}) };
      }
      case 'ListTrainingJobsCommand':
        return { TrainingJobSummaries: runningJobs('training').map((j) => ({ TrainingJobName: j.spec.name, TrainingJobStatus: 'InProgress' })) };
      case 'ListProcessingJobsCommand':
        return { ProcessingJobSummaries: runningJobs('processing').map((j) => ({ ProcessingJobName: j.spec.name, ProcessingJobStatus: 'InProgress' })) };
      case 'ListTransformJobsCommand':
        return { TransformJobSummaries: [] };
      case 'ListHyperParameterTuningJobsCommand':
        return { HyperParameterTuningJobSummaries: [] };
      case 'ListLabelingJobsCommand':
        return { LabelingJobSummaryList: [] };
      // The simulator builds no model-building pipelines: none to list, and any named is unknown
      // (SageMaker answers ResourceNotFound for a pipeline that does not exist).
      case 'ListPipelinesCommand':
        return { PipelineSummaries: [] };
      case 'ListPipelineExecutionsCommand':
        throw Object.assign(new Error(`Pipeline ${String(input.PipelineName)} does not exist.`), { name: 'ResourceNotFound', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      default:
        throw Object.assign(new Error(`the local SageMaker stand-in does not answer ${name}`), { name: 'UnsupportedOperation' });
    }
  };

  const client = new SageMakerClient({ region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  client.middlewareStack.add(
    (_next, context) => async (args) =>
      ({ output: { $metadata: { httpStatusCode: 200 }, ...(revive(answer(String(context.commandName), args.input as Record<string, unknown>)) as object) }, response: {} }) as never,
    // After the call counter (also at initialize, added later): every call is counted.
    { step: 'initialize', name: 'sagewatchLocalSageMaker', priority: 'low' },
  );
  return client;
}
