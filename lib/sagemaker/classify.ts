import { isIgnored, thresholdsFromTags } from '../profiles/thresholds';
import type { EndpointBundle, InferenceComponentDescription, ModelDescription } from './descriptions';
import { isGpuInstanceType, type ClassificationIssue, type ComponentModel, type ContainerModel, type EndpointModel, type VariantHosting, type VariantModel } from './model';
import type { Tags } from './resource';
import { ENDPOINT_KINDS, type EndpointKind } from '../profiles/kinds';
import { normalizeStatus } from './status';

/**
 * Classification of an endpoint from its describe bundle. Pure: the same bundle always gives
 * the same model, which is what makes converging twice a no-op.
 *
 * - serverless: the variant has a ServerlessConfig; with ProvisionedConcurrency > 0 it is the
 *   provisioned-concurrency kind;
 * - inference components: the variant names no model (components bring their own) or
 *   components are placed on it;
 * - otherwise instance based: async when the endpoint has an AsyncInferenceConfig, real-time
 *   when not;
 * - multi-model when a container of the variant's model has `Mode: MultiModel`;
 * - inference pipeline when the model has several containers invoked serially (the default;
 *   `InferenceExecutionConfig.Mode: Direct` is a multi-container endpoint, not a pipeline).
 */
const GONE_COMPONENT_STATUSES = new Set(['Deleting', 'Failed']);

export function classifyEndpoint(bundle: EndpointBundle, eventTags: Tags = {}): EndpointModel {
  const { endpoint, endpointConfig } = bundle;
  // ListTags is the current tag set: an event's tags may predate a tag's removal.
  const tags: Tags = bundle.tags ?? eventTags;
  const issues: ClassificationIssue[] = [];
  const models = new Map(bundle.models.map((model) => [model.ModelName, model]));
  const asyncConfig = endpointConfig.AsyncInferenceConfig ?? endpoint.AsyncInferenceConfig;
  const configVariants = new Map(endpointConfig.ProductionVariants.map((variant) => [variant.VariantName, variant]));

  // The endpoint's live variants decide which exist; the config (matching the live config) says how they run.
  const variantNames = endpoint.ProductionVariants?.length
    ? endpoint.ProductionVariants.map((variant) => variant.VariantName)
    : endpointConfig.ProductionVariants.map((variant) => variant.VariantName);

  const variants = variantNames.map((variantName): VariantModel => {
    const live = endpoint.ProductionVariants?.find((variant) => variant.VariantName === variantName);
    const config = configVariants.get(variantName);
    if (!config) issues.push({ code: 'VariantNotInConfig', message: `variant ${variantName} is not in endpoint config ${endpointConfig.EndpointConfigName}` });
    const components = bundle.inferenceComponents
      .filter((component) => (component.VariantName ?? variantName) === variantName && (component.EndpointName ?? endpoint.EndpointName) === endpoint.EndpointName)
      // A component being deleted or that failed to deploy serves nothing worth an alarm.
      .filter((component) => !GONE_COMPONENT_STATUSES.has(component.InferenceComponentStatus ?? ''))
      .map(componentModel)
      .sort((a, b) => a.name.localeCompare(b.name));

    const serverlessConfig = config?.ServerlessConfig ?? live?.CurrentServerlessConfig;
    const hosting: VariantHosting = serverlessConfig
      ? (serverlessConfig.ProvisionedConcurrency ?? 0) > 0
        ? 'serverless-provisioned-concurrency'
        : 'serverless'
      : (config && !config.ModelName) || components.length > 0
        ? 'inference-components'
        : 'instance';

    const modelName = config?.ModelName;
    const model = modelName ? models.get(modelName) : undefined;
    if (modelName && !model) issues.push({ code: 'ModelNotDescribed', message: `model ${modelName} of variant ${variantName} was not described` });
    const containers = model ? containersOf(model) : [];
    const pipeline = model ? isPipeline(model) : false;
    if (pipeline) {
      for (const [index, container] of containers.entries()) {
        if (!container.name) {
          issues.push({
            code: 'ContainerNameUnknown',
            message: `container ${index + 1} of pipeline model ${modelName} has no ContainerHostname: its ContainerLatency is watched by one Metrics Insights alarm over the variant's containers, with no dashboard line of its own`,
          });
        }
      }
    }

    const kinds = new Set<EndpointKind>();
    if (hosting === 'instance') kinds.add(asyncConfig ? 'async' : 'real-time');
    else kinds.add(hosting);
    if (containers.some((container) => container.mode === 'MultiModel')) kinds.add('multi-model');
    if (pipeline) kinds.add('inference-pipeline');

    const instanceType = config?.InstanceType;
    const instanceCount = live?.CurrentInstanceCount ?? live?.DesiredInstanceCount ?? config?.InitialInstanceCount;
    return {
      name: variantName,
      hosting,
      kinds: ordered(kinds),
      ...(modelName ? { modelName } : {}),
      ...(instanceType ? { instanceType } : {}),
      ...(instanceCount !== undefined ? { instanceCount } : {}),
      gpu: isGpuInstanceType(instanceType),
      ...(serverlessConfig
        ? {
            serverless: {
              ...(serverlessConfig.MemorySizeInMB !== undefined ? { memorySizeInMB: serverlessConfig.MemorySizeInMB } : {}),
              ...(serverlessConfig.MaxConcurrency !== undefined ? { maxConcurrency: serverlessConfig.MaxConcurrency } : {}),
              ...(serverlessConfig.ProvisionedConcurrency !== undefined ? { provisionedConcurrency: serverlessConfig.ProvisionedConcurrency } : {}),
            },
          }
        : {}),
      containers,
      inferenceComponents: components,
    };
  });

  const { overrides, invalid } = thresholdsFromTags(tags);
  for (const { tag, value } of invalid) {
    issues.push({ code: 'InvalidThresholdTag', message: `tag ${tag}="${value}" is not a non-negative number; the default threshold is used` });
  }

  const notification = asyncConfig?.OutputConfig?.NotificationConfig;
  return {
    type: 'endpoint',
    name: endpoint.EndpointName,
    ...(endpoint.EndpointArn ? { arn: endpoint.EndpointArn } : {}),
    status: normalizeStatus(endpoint.EndpointStatus ?? 'Unknown'),
    ...(endpointConfig.EndpointConfigName ? { configName: endpointConfig.EndpointConfigName } : {}),
    kinds: ordered(new Set(variants.flatMap((variant) => variant.kinds))),
    variants,
    ...(asyncConfig
      ? {
          async: {
            ...(notification?.SuccessTopic ? { successTopic: notification.SuccessTopic } : {}),
            ...(notification?.ErrorTopic ? { errorTopic: notification.ErrorTopic } : {}),
            ...(asyncConfig.OutputConfig?.S3OutputPath ? { s3OutputPath: asyncConfig.OutputConfig.S3OutputPath } : {}),
            ...(asyncConfig.OutputConfig?.S3FailurePath ? { s3FailurePath: asyncConfig.OutputConfig.S3FailurePath } : {}),
          },
        }
      : {}),
    tags,
    ignored: isIgnored(tags),
    overrides,
    issues,
  };
}

function containersOf(model: ModelDescription): ContainerModel[] {
  const containers = model.Containers?.length ? model.Containers : model.PrimaryContainer ? [model.PrimaryContainer] : [];
  return containers.map((container) => ({
    ...(container.ContainerHostname ? { name: container.ContainerHostname } : {}),
    ...(container.Image ? { image: container.Image } : {}),
    mode: container.Mode === 'MultiModel' ? 'MultiModel' : 'SingleModel',
  }));
}

function isPipeline(model: ModelDescription): boolean {
  return (model.Containers?.length ?? 0) > 1 && model.InferenceExecutionConfig?.Mode !== 'Direct';
}

function componentModel(component: InferenceComponentDescription): ComponentModel {
  const accelerators = component.Specification?.ComputeResourceRequirements?.NumberOfAcceleratorDevicesRequired ?? 0;
  const copies = component.RuntimeConfig?.CurrentCopyCount ?? component.RuntimeConfig?.DesiredCopyCount;
  return {
    name: component.InferenceComponentName,
    ...(component.InferenceComponentArn ? { arn: component.InferenceComponentArn } : {}),
    ...(component.InferenceComponentStatus ? { status: component.InferenceComponentStatus } : {}),
    ...(component.Specification?.ModelName ? { modelName: component.Specification.ModelName } : {}),
    gpu: accelerators > 0,
    ...(copies !== undefined ? { copies } : {}),
  };
}

function ordered(kinds: Set<EndpointKind>): EndpointKind[] {
  return ENDPOINT_KINDS.filter((kind) => kinds.has(kind));
}
