import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { InvalidEventError } from '../aws/errors';
import { classifyEndpoint } from '../sagemaker/classify';
import { describeResource, endpointOfInferenceComponent } from '../sagemaker/describe';
import { EndpointBundleSchema, JobBundleSchema, type EndpointBundle, type JobBundle } from '../sagemaker/descriptions';
import { isComponentEvent, readEvent, type ComponentEvent } from '../sagemaker/events';
import { classifyJob } from '../sagemaker/jobs';
import type { ResourceModel } from '../sagemaker/model';
import { ResourceRefSchema, tagsFrom, type ResourceRef } from '../sagemaker/resource';
import { endpointLifecycle, endpointSettling, normalizeStatus, type Lifecycle } from '../sagemaker/status';
import { converge, type ConvergeDeps, type ConvergeResult } from './converge';

/**
 * The three steps of the attach workflow as plain functions over JSON: each state machine
 * task calls one (functions/), and `sagewatch plan` runs the same classification and
 * convergence locally. Inputs are validated: they cross Step Functions and files.
 */
const LIFECYCLES = ['attach', 'keep', 'detach'] as const;

export const DescribeInputSchema = z
  .object({
    /** The EventBridge event that started the execution. */
    event: z.optional(z.unknown()),
    resource: z.optional(ResourceRefSchema),
    /** How many times the workflow has already waited for this resource to settle. */
    attempt: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  })
  .check(z.refine((input) => input.event !== undefined || input.resource !== undefined, { message: 'either event or resource is required' }));
export type DescribeInput = z.input<typeof DescribeInputSchema>;

export type DescribeOutput = ResourceDescribeOutput | UnresolvedDescribeOutput;

export interface ResourceDescribeOutput {
  resource: ResourceRef;
  /** Epoch ms when the resource was described: orders convergences of the same resource. */
  describedAt: number;
  found: boolean;
  status: string;
  lifecycle: Lifecycle;
  /** Creating, Updating...: the workflow waits and describes again. */
  settling: boolean;
  attempt: number;
  bundle?: EndpointBundle | JobBundle;
}

/**
 * An inference-component call whose component is gone before its endpoint was known: nothing
 * to converge from it (`keep` ends the execution); the hourly reconcile converges every
 * endpoint, which removes what was attached for the component.
 */
export interface UnresolvedDescribeOutput {
  unresolved: string;
  inferenceComponent: string;
  describedAt: number;
  found: false;
  status: 'Gone';
  lifecycle: 'keep';
  settling: false;
  attempt: number;
}

/**
 * The resource to describe: the input's, or the event's. An inference-component update or
 * delete names only the component: its endpoint is the resource, level-triggered like any
 * endpoint event (the whole endpoint converges, every component included).
 */
export async function resourceOfInput(input: z.output<typeof DescribeInputSchema>, sagemaker: SageMakerClient): Promise<ResourceRef | ComponentEvent> {
  if (input.resource) return input.resource;
  const read = readEvent(input.event);
  if (!isComponentEvent(read)) return read.resource;
  const endpoint = await endpointOfInferenceComponent(sagemaker, read.inferenceComponent);
  if (endpoint === undefined) return read;
  return {
    kind: 'endpoint',
    name: endpoint,
    ...(read.eventTime ? { eventTime: read.eventTime } : {}),
    ...(read.region ? { region: read.region } : {}),
    ...(read.account ? { account: read.account } : {}),
    tags: {},
  };
}

export async function describeStep(raw: unknown, deps: { sagemaker: SageMakerClient; now?: () => number }): Promise<DescribeOutput> {
  const parsed = DescribeInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidEventError(`invalid describe input: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const input = parsed.data;
  const resource = await resourceOfInput(input, deps.sagemaker);
  if (!('kind' in resource)) {
    return {
      unresolved: `${resource.call}: inference component ${resource.inferenceComponent} is gone, so its endpoint is unknown; the hourly reconcile converges it`,
      inferenceComponent: resource.inferenceComponent,
      describedAt: (deps.now ?? Date.now)(),
      found: false,
      status: 'Gone',
      lifecycle: 'keep',
      settling: false,
      attempt: input.attempt,
    };
  }
  const outcome = await describeResource(deps.sagemaker, resource);
  const describedAt = (deps.now ?? Date.now)();
  if (!outcome.found) return { resource, describedAt, found: false, status: 'Gone', lifecycle: 'detach', settling: false, attempt: input.attempt };
  const { status, lifecycle, settling } = lifecycleOf(resource, outcome.bundle);
  return { resource, describedAt, found: true, status, lifecycle, settling, attempt: input.attempt, bundle: outcome.bundle };
}

/** Status and lifecycle of a described resource, in the Describe spelling. */
export function lifecycleOf(resource: ResourceRef, bundle: EndpointBundle | JobBundle): { status: string; lifecycle: Lifecycle; settling: boolean } {
  if (resource.kind === 'endpoint') {
    const status = normalizeStatus(String((bundle as EndpointBundle).endpoint.EndpointStatus ?? 'Unknown'));
    return { status, lifecycle: endpointLifecycle(status), settling: endpointSettling(status) };
  }
  const model = classifyJob(resource.kind, (bundle as JobBundle).job);
  return { status: model.status, lifecycle: model.running ? 'attach' : 'detach', settling: false };
}

export const ClassifyInputSchema = z.object({
  resource: ResourceRefSchema,
  describedAt: z.number(),
  found: z.boolean(),
  status: z._default(z.string(), 'Unknown'),
  lifecycle: z.enum(LIFECYCLES),
  bundle: z.optional(z.unknown()),
});

export interface ClassifyOutput {
  resource: ResourceRef;
  describedAt: number;
  lifecycle: Lifecycle;
  status: string;
  model?: ResourceModel;
}

export function classifyStep(raw: unknown): ClassifyOutput {
  const input = ClassifyInputSchema.parse(raw);
  const { resource, describedAt, lifecycle, status } = input;
  if (!input.found || input.bundle === undefined) return { resource, describedAt, lifecycle, status };
  return { resource, describedAt, lifecycle, status, model: classifyBundle(resource, input.bundle) };
}

export function classifyBundle(resource: ResourceRef, bundle: unknown): ResourceModel {
  if (resource.kind === 'endpoint') return classifyEndpoint(EndpointBundleSchema.parse(bundle), resource.tags);
  const job = JobBundleSchema.parse(bundle);
  return classifyJob(resource.kind, job.job, job.tags ?? (Object.keys(tagsFrom(job.job.Tags)).length > 0 ? tagsFrom(job.job.Tags) : resource.tags));
}

export const ConvergeInputSchema = z.object({
  resource: ResourceRefSchema,
  describedAt: z.number(),
  lifecycle: z.enum(LIFECYCLES),
  // Produced by classifyStep of the same deployment: checked for its discriminant only.
  model: z.optional(z.looseObject({ type: z.enum(['endpoint', 'job']) })),
});

export interface ConvergeOutput extends ConvergeResult {
  resource: ResourceRef;
}

export async function convergeStep(raw: unknown, deps: ConvergeDeps): Promise<ConvergeOutput> {
  const input = ConvergeInputSchema.parse(raw);
  const result = await converge({ resource: input.resource, lifecycle: input.lifecycle, observedAt: input.describedAt, model: input.model as ResourceModel | undefined }, deps);
  return { resource: input.resource, ...result };
}
