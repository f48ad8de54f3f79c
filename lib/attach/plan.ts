import { EndpointBundleSchema, JobBundleSchema, type EndpointBundle, type JobBundle } from '../sagemaker/descriptions';
import { InvalidEventError } from '../aws/errors';
import { isComponentEvent, readEvent, type ComponentEvent, type NormalizedEvent } from '../sagemaker/events';
import { jobDescriptionFromEvent, pipelineDescriptionFromEvent } from '../sagemaker/jobs';
import type { ResourceModel } from '../sagemaker/model';
import { resourceKey, type ResourceRef } from '../sagemaker/resource';
import { endpointLifecycle, normalizeStatus, type Lifecycle } from '../sagemaker/status';
import type { GapRecord, Inventory } from '../store/inventory';
import { converge, type ConvergeResult, type Problem } from './converge';
import { LogGroupNotReadyError } from './errors';
import { monthlyCost, streamedSeries, type CostEstimate } from './cost';
import type { PlannedCall } from './gateway';
import { MemoryInventory } from './memory-inventory';
import { PlanGateway, type PlanWorld } from './plan-gateway';
import { planSettings, type ConvergeSettings } from './settings';
import { classifyBundle, lifecycleOf } from './workflow';

/**
 * `sagewatch plan`: what converging the resource of an event would do, with no AWS call. The
 * same classification and convergence code runs as in the deployed workflow, over the plan
 * gateway (which records each request) and an in-memory inventory (empty unless given).
 */
export interface PlanInput {
  /** The parsed EventBridge event. */
  event: unknown;
  /** `{ endpoint, endpointConfig, models, inferenceComponents }`, or `{ job }` for a job. */
  describe?: unknown;
  /** Defaults to the stack's resources in the event's account and region. */
  settings?: Partial<ConvergeSettings>;
  /** What is attached already; empty by default. */
  inventory?: Inventory;
  /** What exists in the account (subscription filters, missing log groups or topics). */
  world?: PlanWorld;
  now?: number;
}

export interface Plan {
  resource: ResourceRef;
  kinds: string[];
  actions: PlannedCall[];
  /** Describe spelling of the status the plan was made from. */
  status: string;
  lifecycle: Lifecycle;
  /** False when the input cannot say what the resource needs (an endpoint event without --describe). */
  complete: boolean;
  notes: string[];
  gaps: GapRecord[];
  problems: Problem[];
  model?: ResourceModel;
  /** The monthly CloudWatch cost of what the plan creates (lib/attach/cost.ts), free tier not subtracted. */
  cost: CostEstimate;
}

export async function planFromFiles(input: PlanInput): Promise<Plan> {
  const now = input.now ?? Date.now();
  const read = readEvent(input.event);
  const normalized = isComponentEvent(read) ? componentOnEndpoint(read, input.describe) : read;
  const { resource } = normalized;
  const settings = planSettings({
    region: resource.region ?? 'us-east-1',
    account: resource.account ?? '123456789012',
    ...(input.settings ? { overrides: input.settings } : {}),
  });
  const notes: string[] = [];

  let bundle: EndpointBundle | JobBundle | undefined;
  if (input.describe !== undefined) {
    bundle = resource.kind === 'endpoint' ? EndpointBundleSchema.parse(input.describe) : JobBundleSchema.parse(input.describe);
  } else if (resource.kind !== 'endpoint') {
    // A job's event carries (nearly) its Describe*Job output.
    const job = resource.kind === 'pipeline-execution' ? pipelineDescriptionFromEvent(normalized.detail, resource.eventTime) : jobDescriptionFromEvent(resource.kind, normalized.detail, resource);
    bundle = { job };
    notes.push('Planned from the event alone: the deployed workflow describes the job again before acting.');
  }

  if (bundle === undefined) {
    const status = resource.status ?? 'Unknown';
    const lifecycle = endpointLifecycle(normalizeStatus(status));
    return {
      resource,
      kinds: [],
      actions: [],
      status,
      lifecycle,
      complete: false,
      notes: [
        `An endpoint event does not say what kind of endpoint ${resource.name} is (real-time, serverless, async, multi-model, pipeline, inference components): ` +
          'pass --describe with its DescribeEndpoint, DescribeEndpointConfig, DescribeModel and DescribeInferenceComponent outputs to plan its attachments.',
        ...(lifecycle === 'detach' ? [`The event says ${status}: the workflow would detach whatever the inventory lists for it.`] : []),
      ],
      gaps: [],
      problems: [],
      cost: monthlyCost([]),
    };
  }

  const model = classifyBundle(resource, bundle);
  const { status, lifecycle } = lifecycleOf(resource, bundle);
  const inventory = input.inventory ?? new MemoryInventory();
  const gateway = new PlanGateway(await worldOf(input.world, inventory, resource, settings));
  let result: ConvergeResult;
  try {
    result = await converge({ resource, lifecycle, observedAt: now, model }, { gateway, inventory, settings, owner: 'sagewatch-plan', now: () => now });
  } catch (error) {
    if (!(error instanceof LogGroupNotReadyError)) throw error;
    result = error.result;
    notes.push(`Log group ${result.pending.join(', ')} does not exist yet: the workflow retries the subscription with backoff.`);
  }
  if (lifecycle === 'keep') notes.push(`${resource.kind} ${resource.name} is ${status}: what is attached stays as is until it settles.`);
  if (model.ignored) notes.push(`${resource.kind} ${resource.name} is tagged sagewatch:ignore=true: nothing is attached.`);
  if (model.type === 'job') notes.push(...model.notes);

  return {
    resource,
    kinds: result.kinds,
    actions: gateway.actions,
    status,
    lifecycle,
    complete: true,
    notes,
    gaps: result.gaps,
    problems: result.problems,
    model,
    cost: monthlyCost(gateway.actions, result.lifecycle === 'attach' && !model.ignored ? streamedSeries(model) : 0, model),
  };
}

/**
 * An inference-component update or delete names only the component; the deployed workflow
 * describes it to find the endpoint. A plan makes no AWS call: the endpoint is the one --describe
 * gives, and without it there is nothing to plan from.
 */
function componentOnEndpoint(event: ComponentEvent, describe: unknown): NormalizedEvent {
  const parsed = describe === undefined ? undefined : EndpointBundleSchema.safeParse(describe);
  if (!parsed?.success) {
    throw new InvalidEventError(
      `${event.call} names only inference component ${event.inferenceComponent}: pass --describe with the outputs of its endpoint (DescribeEndpoint, DescribeEndpointConfig, DescribeModel, DescribeInferenceComponent)`,
    );
  }
  const name = parsed.data.endpoint.EndpointName;
  const resource: ResourceRef = {
    kind: 'endpoint',
    name,
    ...(event.eventTime ? { eventTime: event.eventTime } : {}),
    ...(event.region ? { region: event.region } : {}),
    ...(event.account ? { account: event.account } : {}),
    tags: {},
  };
  return { resource, detailType: event.detailType, ...(event.eventId ? { eventId: event.eventId } : {}), detail: {}, inferenceComponent: event.inferenceComponent };
}

/**
 * What the plan assumes exists: the given world, plus what the inventory says sagewatch made
 * for this resource (its log filters, delivering to the stack; its subscriptions, to the queue),
 * so planning a detach against an inventory removes exactly what was recorded.
 */
async function worldOf(world: PlanWorld | undefined, inventory: Inventory, resource: ResourceRef, settings: ConvergeSettings): Promise<PlanWorld> {
  const known: PlanWorld = structuredClone(world ?? {});
  for (const attachment of (await inventory.read(resourceKey(resource))).attachments) {
    const details = attachment.details ?? {};
    if (attachment.type === 'log-subscription') {
      const group = details.logGroupName ?? attachment.id;
      const filters = ((known.subscriptionFilters ??= {})[group] ??= []);
      const filterName = details.filterName ?? '';
      if (!filters.some((f) => f.filterName === filterName)) filters.push({ filterName, destinationArn: details.destinationArn ?? settings.logDestinationArn });
    } else if (attachment.type === 'sns-subscription' && details.subscriptionArn) {
      (known.subscriptionEndpoints ??= {})[details.subscriptionArn] ??= details.endpoint ?? settings.notificationsQueueArn;
    }
  }
  return known;
}

/** A readable plan, in the spirit of `terraform plan`. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  lines.push(`${plan.resource.kind} ${plan.resource.name}: ${plan.status} → ${plan.lifecycle}`);
  lines.push(`kinds: ${plan.kinds.length ? plan.kinds.join(', ') : '(unknown)'}`);
  lines.push('');
  if (plan.actions.length === 0) lines.push(plan.complete ? 'No changes.' : 'No plan: not enough information.');
  for (const action of plan.actions) lines.push(`  ${symbolOf(action.action)} ${action.service}:${action.action} ${targetOf(action)}`);
  if (plan.actions.length > 0) {
    const counts = { add: 0, change: 0, destroy: 0 };
    for (const action of plan.actions) counts[verbOf(action.action)]++;
    lines.push('', `Plan: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy.`);
  }
  if (plan.cost.lines.length > 0) {
    lines.push('', 'Monthly CloudWatch cost (us-east-1, before the account-wide free tier):');
    for (const line of plan.cost.lines) {
      lines.push(`  ${line.item.padEnd(37)} ${String(line.quantity).padStart(9)}   $${line.monthlyUsd.toFixed(2)}`);
      if (line.note) lines.push(`    (${line.note})`);
    }
    lines.push(`  ${'total'.padEnd(37)} ${''.padStart(9)}   $${plan.cost.monthlyCostUsd.toFixed(2)}`);
  }
  for (const gap of plan.gaps) lines.push(`! gap: ${gap.message}`);
  for (const problem of plan.problems.filter((p) => !plan.gaps.some((g) => g.key === p.key))) lines.push(`! problem: ${problem.message}`);
  for (const note of plan.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function verbOf(action: string): 'add' | 'change' | 'destroy' {
  if (/^(Delete|Unsubscribe)/.test(action)) return 'destroy';
  if (/^(PutMetricData|Publish)$/.test(action)) return 'change';
  return 'add';
}

function symbolOf(action: string): string {
  return { add: '+', change: '~', destroy: '-' }[verbOf(action)];
}

function targetOf(call: PlannedCall): string {
  const input = call.input as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => input[k]).find((v) => typeof v === 'string' || Array.isArray(v));
  const target = pick('AlarmName', 'DashboardName', 'Name', 'logGroupName', 'TopicArn', 'SubscriptionArn', 'Namespace', 'AlarmNames', 'DashboardNames');
  return Array.isArray(target) ? target.join(', ') : String(target ?? '');
}
