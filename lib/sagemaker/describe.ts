import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeInferenceComponentCommand,
  DescribeLabelingJobCommand,
  DescribeModelCommand,
  DescribePipelineExecutionCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  paginateListInferenceComponents,
  paginateListTags,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  EndpointConfigDescriptionSchema,
  EndpointDescriptionSchema,
  InferenceComponentDescriptionSchema,
  ModelDescriptionSchema,
  type EndpointBundle,
  type EndpointConfigDescription,
  type InferenceComponentDescription,
  type JobBundle,
  type ModelDescription,
} from './descriptions';
import { classifyJob } from './jobs';
import { tagsFrom, type ResourceRef, type Tags } from './resource';
import type { JobKind } from '../profiles/kinds';
import { normalizeStatus } from './status';

/**
 * Describes a resource as it is now, through an injected SageMaker client. "Not found" is an
 * answer (the resource is gone and its monitoring must go), not an error.
 */
export type DescribeOutcome = { found: true; kind: 'endpoint'; bundle: EndpointBundle } | { found: true; kind: JobKind; bundle: JobBundle } | { found: false };

/**
 * SageMaker reports a missing endpoint, config, model or job as a ValidationException whose
 * message says so ("Could not find endpoint ...", "Requested resource not found"); newer APIs
 * use ResourceNotFound.
 */
export function isNotFoundError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException') return true;
  return name === 'ValidationException' && typeof message === 'string' && /could not find|not found|does not exist|cannot be found/i.test(message);
}

async function orGone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}

/** SDK outputs carry `$metadata`; the bundle travels through Step Functions and files without it. */
function withoutMetadata<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata, ...rest } = output as T & { $metadata?: unknown };
  void $metadata;
  return rest;
}

/**
 * The endpoint hosting an inference component: what a CloudTrail Update/DeleteInferenceComponent
 * call leaves out. Undefined once the component is gone (a delete that completed before its
 * event arrived); while it is Deleting, SageMaker still describes it with its endpoint.
 */
export async function endpointOfInferenceComponent(client: SageMakerClient, name: string): Promise<string | undefined> {
  const component = await orGone(client.send(new DescribeInferenceComponentCommand({ InferenceComponentName: name })));
  return component?.EndpointName || undefined;
}

/**
 * Whether the resource still exists and its status, with one call: the reconcile sweep's check
 * of inventory entries, cheaper than a full describe.
 */
export async function probeResource(client: SageMakerClient, ref: ResourceRef): Promise<{ found: false } | { found: true; status: string }> {
  const { kind } = ref;
  if (kind === 'endpoint') {
    const endpoint = await orGone(client.send(new DescribeEndpointCommand({ EndpointName: ref.name })));
    return endpoint?.EndpointName ? { found: true, status: normalizeStatus(endpoint.EndpointStatus ?? 'Unknown') } : { found: false };
  }
  const output = await orGone(describeJobCall(client, { ...ref, kind }));
  if (!output) return { found: false };
  return { found: true, status: classifyJob(kind, withoutMetadata(output) as Record<string, unknown>, {}).status };
}

export async function describeResource(client: SageMakerClient, ref: ResourceRef): Promise<DescribeOutcome> {
  const { kind } = ref;
  if (kind === 'endpoint') return describeEndpoint(client, ref.name);
  return describeJob(client, { ...ref, kind });
}

async function describeEndpoint(client: SageMakerClient, name: string): Promise<DescribeOutcome> {
  const endpointOutput = await orGone(client.send(new DescribeEndpointCommand({ EndpointName: name })));
  if (!endpointOutput?.EndpointName) return { found: false };
  const endpoint = EndpointDescriptionSchema.parse(withoutMetadata(endpointOutput));

  const configName = endpoint.EndpointConfigName;
  const configOutput = configName ? await orGone(client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))) : undefined;
  // A config deleted under a live endpoint still leaves the endpoint to watch; classification
  // reports its variants as not in the config.
  const endpointConfig: EndpointConfigDescription = configOutput
    ? EndpointConfigDescriptionSchema.parse(withoutMetadata(configOutput))
    : { EndpointConfigName: configName ?? name, ProductionVariants: [] };

  const modelNames = [...new Set(endpointConfig.ProductionVariants.map((variant) => variant.ModelName).filter((n): n is string => !!n))];
  const models: ModelDescription[] = [];
  for (const modelName of modelNames) {
    const model = await orGone(client.send(new DescribeModelCommand({ ModelName: modelName })));
    if (model?.ModelName) models.push(ModelDescriptionSchema.parse(withoutMetadata(model)));
  }

  // Only variants that name no model can host inference components.
  const inferenceComponents: InferenceComponentDescription[] = [];
  if (!configOutput || endpointConfig.ProductionVariants.some((variant) => !variant.ModelName)) {
    for await (const page of paginateListInferenceComponents({ client }, { EndpointNameEquals: name })) {
      for (const summary of page.InferenceComponents ?? []) {
        if (!summary.InferenceComponentName) continue;
        const component = await orGone(client.send(new DescribeInferenceComponentCommand({ InferenceComponentName: summary.InferenceComponentName })));
        if (component?.InferenceComponentName) inferenceComponents.push(InferenceComponentDescriptionSchema.parse(withoutMetadata(component)));
      }
    }
  }

  const tags = endpoint.EndpointArn ? await listTags(client, endpoint.EndpointArn) : undefined;
  return {
    found: true,
    kind: 'endpoint',
    bundle: {
      endpoint,
      endpointConfig,
      models,
      inferenceComponents,
      ...(tags ? { tags } : {}),
    },
  };
}

async function describeJob(client: SageMakerClient, ref: ResourceRef & { kind: JobKind }): Promise<DescribeOutcome> {
  const output = await orGone(describeJobCall(client, ref));
  if (!output) return { found: false };
  const job = withoutMetadata(output) as Record<string, unknown>;
  // Pipeline executions take no tags of their own (their pipeline does).
  const arn = ref.kind === 'pipeline-execution' ? undefined : (jobArn(ref.kind, job) ?? ref.arn);
  const tags = arn ? await listTags(client, arn) : undefined;
  return { found: true, kind: ref.kind, bundle: { job, ...(tags ? { tags } : {}) } };
}

function describeJobCall(client: SageMakerClient, ref: ResourceRef & { kind: JobKind }): Promise<object> {
  switch (ref.kind) {
    case 'training-job':
      return client.send(new DescribeTrainingJobCommand({ TrainingJobName: ref.name }));
    case 'processing-job':
      return client.send(new DescribeProcessingJobCommand({ ProcessingJobName: ref.name }));
    case 'transform-job':
      return client.send(new DescribeTransformJobCommand({ TransformJobName: ref.name }));
    case 'hyper-parameter-tuning-job':
      return client.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: ref.name }));
    case 'labeling-job':
      return client.send(new DescribeLabelingJobCommand({ LabelingJobName: ref.name }));
    case 'pipeline-execution':
      if (!ref.arn) throw new Error(`pipeline execution ${ref.name} has no ARN to describe it by`);
      return client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: ref.arn }));
  }
}

// A training job's description also names the tuning or labeling job it came from: pick by kind.
const ARN_FIELDS: Record<Exclude<JobKind, 'pipeline-execution'>, string> = {
  'training-job': 'TrainingJobArn',
  'processing-job': 'ProcessingJobArn',
  'transform-job': 'TransformJobArn',
  'hyper-parameter-tuning-job': 'HyperParameterTuningJobArn',
  'labeling-job': 'LabelingJobArn',
};

function jobArn(kind: Exclude<JobKind, 'pipeline-execution'>, job: Record<string, unknown>): string | undefined {
  const value = job[ARN_FIELDS[kind]];
  return typeof value === 'string' ? value : undefined;
}

async function listTags(client: SageMakerClient, arn: string): Promise<Tags> {
  const tags: Tags = {};
  for await (const page of paginateListTags({ client }, { ResourceArn: arn })) Object.assign(tags, tagsFrom(page.Tags));
  return tags;
}
