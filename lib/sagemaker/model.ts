import type { StageThresholds } from '../profiles/thresholds';
import type { JobOutcome } from './status';
import type { Tags } from './resource';
import type { EndpointKind, JobKind } from '../profiles/kinds';

/**
 * What classification says about a resource: plain data that the converge step turns into
 * attachments, the plan prints, and Step Functions carries between tasks.
 */

/** Something classification could not do and a human should know about. */
export interface ClassificationIssue {
  code: 'InvalidThresholdTag' | 'ModelNotDescribed' | 'ContainerNameUnknown' | 'VariantNotInConfig';
  message: string;
}

export interface ContainerModel {
  /** The ContainerName dimension value (the container's hostname); absent when SageMaker did not say. */
  name?: string;
  image?: string;
  mode: 'SingleModel' | 'MultiModel';
}

export interface ComponentModel {
  name: string;
  arn?: string;
  status?: string;
  modelName?: string;
  gpu: boolean;
  copies?: number;
}

export type VariantHosting = 'instance' | 'serverless' | 'serverless-provisioned-concurrency' | 'inference-components';

export interface VariantModel {
  name: string;
  hosting: VariantHosting;
  kinds: EndpointKind[];
  modelName?: string;
  instanceType?: string;
  instanceCount?: number;
  gpu: boolean;
  serverless?: { memorySizeInMB?: number; maxConcurrency?: number; provisionedConcurrency?: number };
  containers: ContainerModel[];
  inferenceComponents: ComponentModel[];
}

export interface EndpointModel {
  type: 'endpoint';
  name: string;
  arn?: string;
  status: string;
  configName?: string;
  kinds: EndpointKind[];
  variants: VariantModel[];
  async?: { successTopic?: string; errorTopic?: string; s3OutputPath?: string; s3FailurePath?: string };
  tags: Tags;
  ignored: boolean;
  /** Per-resource thresholds from its tags. */
  overrides: StageThresholds;
  issues: ClassificationIssue[];
}

export interface JobModel {
  type: 'job';
  kind: JobKind;
  name: string;
  arn?: string;
  status: string;
  running: boolean;
  outcome?: JobOutcome;
  instanceType?: string;
  instanceCount?: number;
  gpu: boolean;
  /** Host dimension values known in advance (`<job>/algo-<n>`); empty when they are not. */
  hosts: string[];
  failureReason?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  tags: Tags;
  ignored: boolean;
  overrides: StageThresholds;
  issues: ClassificationIssue[];
  notes: string[];
}

export type ResourceModel = EndpointModel | JobModel;

/** Instance families with NVIDIA GPUs: the only ones that publish GPUUtilization. */
export function isGpuInstanceType(instanceType: string | undefined): boolean {
  return instanceType !== undefined && /^ml\.(p\d|g\d)/.test(instanceType);
}
