import type { StandardUnit } from '@aws-sdk/client-cloudwatch';

/**
 * The SageMaker metrics sagewatch knows, exactly as the seed documents spell them (AWS's typos
 * included: `InvocationsProcesssed`, the namespace `AWS/Sagemaker/ModelBuildingPipeline`).
 * Statistics use CloudWatch's API names (`Maximum` for the pages' "Max", `SampleCount` for
 * "Sample Count"); `percentiles` is true only where the page lists "Percentiles".
 */
export type Statistic = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';

export interface MetricDef {
  namespace: string;
  name: string;
  unit: StandardUnit;
  stats: readonly Statistic[];
  percentiles: boolean;
  /** The dimension combinations the metric is published with. */
  dimensions: readonly (readonly string[])[];
}

export const NS = {
  sagemaker: 'AWS/SageMaker',
  endpoints: '/aws/sagemaker/Endpoints',
  components: '/aws/sagemaker/InferenceComponents',
  training: '/aws/sagemaker/TrainingJobs',
  processing: '/aws/sagemaker/ProcessingJobs',
  transform: '/aws/sagemaker/TransformJobs',
  pipelines: 'AWS/Sagemaker/ModelBuildingPipeline',
  // The seed's Ground Truth table does not print its namespace. `/aws/sagemaker/LabelingJobs` is
  // its log group; the metrics are published as `AWS/Sagemaker/LabelingJobs` (lower-case m, like
  // ModelBuildingPipeline), the spelling CloudWatch exporters and dashboard tools list.
  labeling: 'AWS/Sagemaker/LabelingJobs',
} as const;

const ALL: readonly Statistic[] = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'];
const AVG_SUM: readonly Statistic[] = ['Average', 'Sum'];
const AVG_MAX_MIN: readonly Statistic[] = ['Average', 'Maximum', 'Minimum'];
const SUM: readonly Statistic[] = ['Sum'];
const SUM_COUNT: readonly Statistic[] = ['Sum', 'SampleCount'];
const MAX: readonly Statistic[] = ['Maximum'];

const VARIANT = [['EndpointName', 'VariantName']] as const;
const VARIANT_OR_COMPONENT = [['EndpointName', 'VariantName'], ['InferenceComponentName']] as const;
const ENDPOINT = [['EndpointName']] as const;
const COMPONENT = [['InferenceComponentName']] as const;
const CONTAINER = [['EndpointName', 'VariantName', 'ContainerName']] as const;
const HOST = [['Host']] as const;

function metric(namespace: string, name: string, unit: StandardUnit, stats: readonly Statistic[], dimensions: MetricDef['dimensions'], percentiles = false): MetricDef {
  return { namespace, name, unit, stats, percentiles, dimensions };
}

/** AWS/SageMaker invocation metrics (Monitor SageMaker with CloudWatch; inference pipeline page). */
export const INVOCATION_METRICS = {
  // The general page lists Sum; the inference pipeline page adds Sample Count. Sum is what both agree on.
  Invocations: metric(NS.sagemaker, 'Invocations', 'None', SUM, VARIANT_OR_COMPONENT),
  Invocation4XXErrors: metric(NS.sagemaker, 'Invocation4XXErrors', 'None', AVG_SUM, VARIANT_OR_COMPONENT),
  Invocation5XXErrors: metric(NS.sagemaker, 'Invocation5XXErrors', 'None', AVG_SUM, VARIANT_OR_COMPONENT),
  InvocationModelErrors: metric(NS.sagemaker, 'InvocationModelErrors', 'None', AVG_SUM, VARIANT_OR_COMPONENT),
  InvocationsPerInstance: metric(NS.sagemaker, 'InvocationsPerInstance', 'None', SUM, VARIANT),
  InvocationsPerCopy: metric(NS.sagemaker, 'InvocationsPerCopy', 'None', SUM, COMPONENT),
  ConcurrentRequestsPerCopy: metric(NS.sagemaker, 'ConcurrentRequestsPerCopy', 'None', ['Minimum', 'Maximum'], COMPONENT),
  ConcurrentRequestsPerModel: metric(NS.sagemaker, 'ConcurrentRequestsPerModel', 'None', ['Minimum', 'Maximum'], VARIANT),
  // No percentiles on the page for the latency metrics: alarms use Average, never pNN.
  ModelLatency: metric(NS.sagemaker, 'ModelLatency', 'Microseconds', ALL, VARIANT_OR_COMPONENT),
  OverheadLatency: metric(NS.sagemaker, 'OverheadLatency', 'Microseconds', ALL, VARIANT_OR_COMPONENT),
  ModelSetupTime: metric(NS.sagemaker, 'ModelSetupTime', 'Microseconds', ['Average', 'Minimum', 'Maximum', 'SampleCount'], VARIANT, true),
  ContainerLatency: metric(NS.sagemaker, 'ContainerLatency', 'Microseconds', ALL, CONTAINER),
} as const;

/** Multi-model endpoint model loading metrics (AWS/SageMaker) and instance metric (/aws/sagemaker/Endpoints). */
export const MULTI_MODEL_METRICS = {
  ModelLoadingWaitTime: metric(NS.sagemaker, 'ModelLoadingWaitTime', 'Microseconds', ALL, VARIANT),
  ModelUnloadingTime: metric(NS.sagemaker, 'ModelUnloadingTime', 'Microseconds', ALL, VARIANT),
  ModelDownloadingTime: metric(NS.sagemaker, 'ModelDownloadingTime', 'Microseconds', ALL, VARIANT),
  ModelLoadingTime: metric(NS.sagemaker, 'ModelLoadingTime', 'Microseconds', ALL, VARIANT),
  ModelCacheHit: metric(NS.sagemaker, 'ModelCacheHit', 'None', ['Average', 'Sum', 'SampleCount'], VARIANT),
  LoadedModelCount: metric(NS.endpoints, 'LoadedModelCount', 'None', ALL, VARIANT),
} as const;

/**
 * Serverless metrics. The page gives no dimensions; they are published per variant like the
 * invocation metrics they sit beside.
 */
export const SERVERLESS_METRICS = {
  ServerlessConcurrentExecutionsUtilization: metric(NS.sagemaker, 'ServerlessConcurrentExecutionsUtilization', 'None', AVG_MAX_MIN, VARIANT),
  ServerlessProvisionedConcurrencyExecutions: metric(NS.sagemaker, 'ServerlessProvisionedConcurrencyExecutions', 'Count', AVG_MAX_MIN, VARIANT),
  ServerlessProvisionedConcurrencyUtilization: metric(NS.sagemaker, 'ServerlessProvisionedConcurrencyUtilization', 'None', AVG_MAX_MIN, VARIANT),
  ServerlessProvisionedConcurrencyInvocations: metric(NS.sagemaker, 'ServerlessProvisionedConcurrencyInvocations', 'Count', AVG_MAX_MIN, VARIANT),
  ServerlessProvisionedConcurrencySpilloverInvocations: metric(NS.sagemaker, 'ServerlessProvisionedConcurrencySpilloverInvocations', 'Count', AVG_MAX_MIN, VARIANT),
} as const;

/**
 * Asynchronous inference metrics (AWS/SageMaker). The two editions of the page disagree on
 * `TimeInBacklog`: the current HTML edition says Milliseconds, the older markdown edition
 * Microseconds. Milliseconds is kept: it is the newer edition, and it matches
 * `TotalProcessingTime`, of which the backlog time is a part.
 */
export const ASYNC_METRICS = {
  ApproximateBacklogSize: metric(NS.sagemaker, 'ApproximateBacklogSize', 'Count', AVG_MAX_MIN, ENDPOINT),
  ApproximateBacklogSizePerInstance: metric(NS.sagemaker, 'ApproximateBacklogSizePerInstance', 'Count', AVG_MAX_MIN, ENDPOINT),
  ApproximateAgeOfOldestRequest: metric(NS.sagemaker, 'ApproximateAgeOfOldestRequest', 'Seconds', AVG_MAX_MIN, ENDPOINT),
  HasBacklogWithoutCapacity: metric(NS.sagemaker, 'HasBacklogWithoutCapacity', 'Count', ['Average'], ENDPOINT),
  RequestDownloadFailures: metric(NS.sagemaker, 'RequestDownloadFailures', 'Count', SUM, VARIANT),
  ResponseUploadFailures: metric(NS.sagemaker, 'ResponseUploadFailures', 'Count', SUM, VARIANT),
  NotificationFailures: metric(NS.sagemaker, 'NotificationFailures', 'Count', SUM, VARIANT),
  RequestDownloadLatency: metric(NS.sagemaker, 'RequestDownloadLatency', 'Microseconds', ALL, VARIANT),
  ResponseUploadLatency: metric(NS.sagemaker, 'ResponseUploadLatency', 'Microseconds', ALL, VARIANT),
  ExpiredRequests: metric(NS.sagemaker, 'ExpiredRequests', 'Count', SUM, VARIANT),
  InvocationFailures: metric(NS.sagemaker, 'InvocationFailures', 'Count', SUM, VARIANT),
  InvocationsProcesssed: metric(NS.sagemaker, 'InvocationsProcesssed', 'Count', SUM, VARIANT),
  TimeInBacklog: metric(NS.sagemaker, 'TimeInBacklog', 'Milliseconds', ALL, VARIANT),
  TotalProcessingTime: metric(NS.sagemaker, 'TotalProcessingTime', 'Milliseconds', ALL, VARIANT),
} as const;

/**
 * The metrics AWS says asynchronous endpoints never publish ("such metrics include"): no alarm
 * or widget is ever built on them for an async variant, whatever other kind it also is.
 */
export const ASYNC_UNPUBLISHED = ['OverheadLatency', 'Invocations', 'InvocationsPerInstance'] as const;

// The instance tables give units but no statistics; CloudWatch's standard statistics apply.
function instanceMetrics(namespace: string, dimensions: MetricDef['dimensions']) {
  return {
    CPUUtilization: metric(namespace, 'CPUUtilization', 'Percent', ALL, dimensions),
    // The inference pipeline page spells it `MemoryUtilizaton`: a typo of the page only, the
    // general page and CloudWatch both say MemoryUtilization.
    MemoryUtilization: metric(namespace, 'MemoryUtilization', 'Percent', ALL, dimensions),
    GPUUtilization: metric(namespace, 'GPUUtilization', 'Percent', ALL, dimensions),
    GPUMemoryUtilization: metric(namespace, 'GPUMemoryUtilization', 'Percent', ALL, dimensions),
  };
}

function withDisk(namespace: string, dimensions: MetricDef['dimensions']) {
  return { ...instanceMetrics(namespace, dimensions), DiskUtilization: metric(namespace, 'DiskUtilization', 'Percent', ALL, dimensions) };
}

/** /aws/sagemaker/Endpoints instance metrics, per variant. */
export const ENDPOINT_INSTANCE_METRICS = {
  ...withDisk(NS.endpoints, VARIANT),
  CPUReservation: metric(NS.endpoints, 'CPUReservation', 'Percent', ALL, VARIANT),
  GPUReservation: metric(NS.endpoints, 'GPUReservation', 'Percent', ALL, VARIANT),
  MemoryReservation: metric(NS.endpoints, 'MemoryReservation', 'Percent', ALL, VARIANT),
  CPUUtilizationNormalized: metric(NS.endpoints, 'CPUUtilizationNormalized', 'Percent', ALL, VARIANT),
  GPUUtilizationNormalized: metric(NS.endpoints, 'GPUUtilizationNormalized', 'Percent', ALL, VARIANT),
  GPUMemoryUtilizationNormalized: metric(NS.endpoints, 'GPUMemoryUtilizationNormalized', 'Percent', ALL, VARIANT),
} as const;

/** /aws/sagemaker/InferenceComponents, per component. */
export const COMPONENT_METRICS = {
  CPUUtilizationNormalized: metric(NS.components, 'CPUUtilizationNormalized', 'Percent', ALL, COMPONENT),
  GPUMemoryUtilizationNormalized: metric(NS.components, 'GPUMemoryUtilizationNormalized', 'Percent', ALL, COMPONENT),
  GPUUtilizationNormalized: metric(NS.components, 'GPUUtilizationNormalized', 'Percent', ALL, COMPONENT),
  MemoryUtilizationNormalized: metric(NS.components, 'MemoryUtilizationNormalized', 'Percent', ALL, COMPONENT),
} as const;

/** Job instance metrics, `Host` dimension. DiskUtilization "is not supported for batch transform jobs". */
export const TRAINING_INSTANCE_METRICS = withDisk(NS.training, HOST);
export const PROCESSING_INSTANCE_METRICS = withDisk(NS.processing, HOST);
export const TRANSFORM_INSTANCE_METRICS = instanceMetrics(NS.transform, HOST);

const PIPELINE = [['PipelineName']] as const;
const PIPELINE_STEP = [['PipelineName', 'StepName']] as const;

/** AWS/Sagemaker/ModelBuildingPipeline; account-wide without dimensions, or per pipeline. */
export const PIPELINE_METRICS = {
  ExecutionStarted: metric(NS.pipelines, 'ExecutionStarted', 'Count', AVG_SUM, [[], ...PIPELINE]),
  ExecutionFailed: metric(NS.pipelines, 'ExecutionFailed', 'Count', AVG_SUM, [[], ...PIPELINE]),
  ExecutionSucceeded: metric(NS.pipelines, 'ExecutionSucceeded', 'Count', AVG_SUM, [[], ...PIPELINE]),
  ExecutionStopped: metric(NS.pipelines, 'ExecutionStopped', 'Count', AVG_SUM, [[], ...PIPELINE]),
  ExecutionDuration: metric(NS.pipelines, 'ExecutionDuration', 'Milliseconds', ALL, [[], ...PIPELINE]),
  StepStarted: metric(NS.pipelines, 'StepStarted', 'Count', AVG_SUM, PIPELINE_STEP),
  StepFailed: metric(NS.pipelines, 'StepFailed', 'Count', AVG_SUM, PIPELINE_STEP),
  StepSucceeded: metric(NS.pipelines, 'StepSucceeded', 'Count', AVG_SUM, PIPELINE_STEP),
  StepStopped: metric(NS.pipelines, 'StepStopped', 'Count', AVG_SUM, PIPELINE_STEP),
  StepDuration: metric(NS.pipelines, 'StepDuration', 'Milliseconds', ALL, PIPELINE_STEP),
} as const;

const LABELING_JOB = [['LabelingJobName']] as const;
// Worker and job-count metrics have no dimension table on the page: account level.
const ACCOUNT = [[]] as const;

/** Ground Truth metrics. */
export const LABELING_METRICS = {
  ActiveWorkers: metric(NS.labeling, 'ActiveWorkers', 'None', SUM_COUNT, ACCOUNT),
  DatasetObjectsAutoAnnotated: metric(NS.labeling, 'DatasetObjectsAutoAnnotated', 'None', MAX, LABELING_JOB),
  DatasetObjectsHumanAnnotated: metric(NS.labeling, 'DatasetObjectsHumanAnnotated', 'None', MAX, LABELING_JOB),
  DatasetObjectsLabelingFailed: metric(NS.labeling, 'DatasetObjectsLabelingFailed', 'None', MAX, LABELING_JOB),
  JobsFailed: metric(NS.labeling, 'JobsFailed', 'None', SUM_COUNT, ACCOUNT),
  JobsSucceeded: metric(NS.labeling, 'JobsSucceeded', 'None', SUM_COUNT, ACCOUNT),
  JobsStopped: metric(NS.labeling, 'JobsStopped', 'None', SUM_COUNT, ACCOUNT),
  TasksAccepted: metric(NS.labeling, 'TasksAccepted', 'None', SUM_COUNT, ACCOUNT),
  TasksDeclined: metric(NS.labeling, 'TasksDeclined', 'None', SUM_COUNT, ACCOUNT),
  TasksReturned: metric(NS.labeling, 'TasksReturned', 'None', SUM_COUNT, ACCOUNT),
  TasksSubmitted: metric(NS.labeling, 'TasksSubmitted', 'None', SUM_COUNT, ACCOUNT),
  TimeSpent: metric(NS.labeling, 'TimeSpent', 'Seconds', SUM_COUNT, ACCOUNT),
  TotalDatasetObjectsLabeled: metric(NS.labeling, 'TotalDatasetObjectsLabeled', 'None', MAX, LABELING_JOB),
} as const;
