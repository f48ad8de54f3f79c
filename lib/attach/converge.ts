// Over 300 lines on purpose: one concept, converging a resource (compare desired with recorded,
// then apply in order); apply() walks every attachment type with one inventory and gateway.
import type { StreamKind } from '../profiles/streams';
import type { LogSink } from '../telemetry/observations';
import { silentLog } from '../telemetry/observations';
import type { ResourceModel } from '../sagemaker/model';
import { resourceKey, type ResourceRef } from '../sagemaker/resource';
import type { Lifecycle } from '../sagemaker/status';
import type { AttachmentRecord, GapRecord, Inventory, InventorySnapshot, ResourceRecord } from '../store/inventory';
import { desiredState, type DesiredAttachment, type DesiredState } from './desired';
import type { MonitoringGateway } from './gateway';
import { errorMessage, errorName } from '../aws/errors';
import { putLogSubscription, removeLogSubscription, slotsFull, type FilterOwnership } from './log-subscription';
import { joinStream, leaveLegacyStream, leaveStream, STREAM_KINDS, streamName } from './metric-stream';
import { joinSharedAlarm, leaveSharedAlarm } from './shared-alarms';
import { fingerprint, subscriptionFilterName } from '../names/owned';
import type { ConvergeSettings } from './settings';
import { LogGroupNotReadyError, ResourceBusyError } from './errors';

/**
 * Level-triggered convergence of one resource: compute what its current state needs, diff it
 * against what the inventory says is attached, and apply the difference. Converging an
 * attached resource again changes nothing and writes nothing. Every failure that survives the
 * gateway's retries becomes a reported problem; nothing is swallowed.
 */
export interface ConvergeRequest {
  resource: ResourceRef;
  lifecycle: Lifecycle;
  /** Epoch ms of the describe the model comes from: an older one never overrides a newer one. */
  observedAt: number;
  /** Absent when the resource is gone. */
  model?: ResourceModel | undefined;
}

export interface ConvergeDeps {
  gateway: MonitoringGateway;
  inventory: Inventory;
  settings: ConvergeSettings;
  /** Identifies this execution in the lock. */
  owner: string;
  now?: () => number;
  /** How long the lock holds if this execution dies (a Lambda lives at most 15 minutes). */
  lockTtlMs?: number;
  /** Keep detached resources' tombstones this long (DynamoDB TTL on `expiresAt`). */
  tombstoneTtlMs?: number;
  log?: LogSink;
}

export type ProblemCode =
  | 'AttachmentFailed'
  | 'LogSubscriptionSlotsFull'
  | 'NotificationTopicMissing'
  | 'AsyncNotificationTopicsMissing'
  | 'InvalidThresholdTag'
  | 'ModelNotDescribed'
  | 'ContainerNameUnknown'
  | 'VariantNotInConfig'
  | 'OutcomeFailed'
  | 'WorkflowFailed';

export interface Problem {
  code: ProblemCode | string;
  /** Stable identity (e.g. the log group, the alarm name): dedupes alerts across runs. */
  key: string;
  message: string;
  /** `cloudwatch:PutMetricAlarm` and the like, for failed calls. */
  action?: string;
  error?: string;
}

export interface ConvergeChanges {
  created: string[];
  updated: string[];
  deleted: string[];
}

export interface ConvergeResult {
  key: string;
  status: 'converged' | 'unchanged' | 'kept' | 'stale';
  lifecycle: Lifecycle;
  kinds: string[];
  changes: ConvergeChanges;
  /** Every instrumentation gap of the resource now (new or not). */
  gaps: GapRecord[];
  /** What to alert about: failures of this run and gaps that are new since the last run. */
  problems: Problem[];
  /** Log groups that do not exist yet: retry later. */
  pending: string[];
  outcome?: string;
}

const DEFAULT_LOCK_TTL_MS = 15 * 60_000;
const DEFAULT_TOMBSTONE_TTL_MS = 7 * 24 * 3600_000;
const DELETE_ALARMS_BATCH = 100;

const label = (a: { type: string; id: string }) => `${a.type}:${a.id}`;
const slot = (a: { type: string; id: string }) => `${a.type}#${a.id}`;

export async function converge(request: ConvergeRequest, deps: ConvergeDeps): Promise<ConvergeResult> {
  const now = deps.now ?? Date.now;
  const key = resourceKey(request.resource);
  const desired = desiredState({ resource: request.resource, lifecycle: request.lifecycle, model: request.model, settings: deps.settings, now: now() });
  const base = { key, lifecycle: request.lifecycle, kinds: desired.kinds, changes: { created: [], updated: [], deleted: [] }, problems: [], pending: [] };

  if (request.lifecycle === 'keep') {
    // Creating, Updating, OutOfService...: whatever is attached stays as it is.
    const snapshot = await deps.inventory.read(key);
    return { ...base, status: 'kept', gaps: snapshot.resource?.gaps ?? [] };
  }

  const before = await deps.inventory.read(key);
  if (before.observedAt !== undefined && before.observedAt > request.observedAt) return { ...base, status: 'stale', gaps: before.resource?.gaps ?? [] };
  if (await isConverged(before, desired, request, deps)) {
    return { ...base, status: 'unchanged', gaps: before.resource?.gaps ?? [], ...(before.outcome ? { outcome: before.outcome } : {}) };
  }

  const lock = await deps.inventory.lock(key, deps.owner, request.observedAt, now() + (deps.lockTtlMs ?? DEFAULT_LOCK_TTL_MS), now());
  if (lock === 'stale') return { ...base, status: 'stale', gaps: before.resource?.gaps ?? [] };
  if (lock === 'busy') throw new ResourceBusyError(`${key} is being converged by another execution`);

  let result: ConvergeResult;
  try {
    // Read again under the lock: another execution may have converged it in between.
    const snapshot = await deps.inventory.read(key);
    result = await apply(key, request, desired, snapshot, deps, now);
  } finally {
    await deps.inventory.unlock(key, deps.owner);
  }
  if (result.pending.length > 0 && result.problems.length === 0) throw new LogGroupNotReadyError(result);
  return result;
}

/**
 * Whether converging would change anything, with reads only (the inventory's record of the
 * resource): what reconcile's check asks before it starts a child attach execution.
 */
export async function needsConverge(request: ConvergeRequest, deps: Pick<ConvergeDeps, 'gateway' | 'inventory' | 'settings' | 'now'>): Promise<boolean> {
  if (request.lifecycle === 'keep') return false;
  const desired = desiredState({ resource: request.resource, lifecycle: request.lifecycle, model: request.model, settings: deps.settings, now: (deps.now ?? Date.now)() });
  const snapshot = await deps.inventory.read(resourceKey(request.resource));
  if (snapshot.observedAt !== undefined && snapshot.observedAt > request.observedAt) return false;
  return !(await isConverged(snapshot, desired, request, deps));
}

/**
 * True when nothing would be written: every desired attachment recorded as is (or still held
 * back by the gap recorded for it), nothing else recorded, the same record. An open gap is
 * looked at again with a read (the log group's filters, the topic), so an account whose gaps
 * stay open costs reads only, and one that closes is converged.
 */
async function isConverged(snapshot: InventorySnapshot, desired: DesiredState, request: ConvergeRequest, deps: Pick<ConvergeDeps, 'gateway' | 'settings'>): Promise<boolean> {
  if (snapshot.resource === undefined) return false;
  if (desired.outcome && snapshot.outcome === undefined) return false;
  const recorded = new Map(snapshot.attachments.map((a) => [slot(a), a]));
  const gaps = new Map(snapshot.resource.gaps.map((gap) => [gap.key, gap]));
  const held: GapRecord[] = [];
  let accounted = 0;
  for (const attachment of desired.attachments) {
    const record = recorded.get(slot(attachment));
    if (record) {
      if (record.fingerprint !== fingerprint(attachment.input)) return false;
      accounted++;
      continue;
    }
    const gap = gaps.get(gapKeyOf(attachment));
    if (!gap || !(await gapStillOpen(attachment, deps))) return false;
    held.push(gap);
  }
  if (accounted !== recorded.size) return false;
  return sameRecord(snapshot.resource, recordFor(request, desired, [...desired.gaps, ...held], snapshot.outcome, 0));
}

/** The key of the gap an attachment leaves when AWS does not let it be made. */
function gapKeyOf(attachment: DesiredAttachment): string {
  if (attachment.type === 'log-subscription') return `LogSubscriptionSlotsFull:${attachment.id}`;
  if (attachment.type === 'sns-subscription') return `NotificationTopicMissing:${attachment.id}`;
  return '';
}

async function gapStillOpen(attachment: DesiredAttachment, deps: Pick<ConvergeDeps, 'gateway' | 'settings'>): Promise<boolean> {
  try {
    if (attachment.type === 'log-subscription') {
      const filters = await deps.gateway.describeSubscriptionFilters({ logGroupName: attachment.id });
      return slotsFull(filters, attachment.input.filterName ?? '', { destinations: [deps.settings.logDestinationArn] });
    }
    if (attachment.type === 'sns-subscription') return !(await deps.gateway.topicExists(attachment.id));
  } catch {
    // Cannot tell: converge, which reports what it finds.
    return false;
  }
  return false;
}

function recordFor(request: ConvergeRequest, desired: DesiredState, gaps: GapRecord[], outcome: string | undefined, nowMs: number): ResourceRecord {
  const attached = desired.attachments.length > 0;
  return {
    key: resourceKey(request.resource),
    kind: request.resource.kind,
    name: request.resource.name,
    ...((request.model?.arn ?? request.resource.arn) ? { arn: request.model?.arn ?? request.resource.arn } : {}),
    kinds: desired.kinds,
    status: request.model?.status ?? 'Gone',
    state: attached ? 'attached' : 'detached',
    ignored: request.model?.ignored ?? false,
    observedAt: request.observedAt,
    gaps,
    ...(outcome ? { outcome } : {}),
    updatedAt: new Date(nowMs).toISOString(),
  };
}

/** Compares what matters, not when it was written or which describe it came from. */
function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  const strip = ({ updatedAt, observedAt, ...rest }: ResourceRecord) => {
    void updatedAt;
    void observedAt;
    return rest;
  };
  return fingerprint(strip(a)) === fingerprint(strip(b));
}

async function apply(key: string, request: ConvergeRequest, desired: DesiredState, snapshot: InventorySnapshot, deps: ConvergeDeps, now: () => number): Promise<ConvergeResult> {
  const { gateway, inventory } = deps;
  const log = deps.log ?? silentLog;
  const changes: ConvergeChanges = { created: [], updated: [], deleted: [] };
  const problems: Problem[] = [];
  const pending: string[] = [];
  const gaps: GapRecord[] = [...desired.gaps];
  const recorded = new Map(snapshot.attachments.map((a) => [slot(a), a]));
  const wanted = new Map(desired.attachments.map((a) => [slot(a), a]));

  const failed = (attachment: { type: string; id: string }, action: string, error: unknown) => {
    log.warn('attachment failed', { key, attachment: label(attachment), action, error: errorName(error), message: errorMessage(error) });
    problems.push({
      code: 'AttachmentFailed',
      key: label(attachment),
      message: `${action} for ${label(attachment)} failed: ${errorName(error)}: ${errorMessage(error)}`,
      action,
      error: errorName(error),
    });
  };
  const created = (attachment: DesiredAttachment, previous: AttachmentRecord | undefined) => (previous ? changes.updated : changes.created).push(label(attachment));

  // Puts: new attachments and those whose request changed.
  for (const attachment of desired.attachments) {
    const previous = recorded.get(slot(attachment));
    const print = fingerprint(attachment.input);
    // Recorded as is: nothing to send. (A full log group or a missing topic is never recorded,
    // so it is looked at again on every run.)
    if (previous?.fingerprint === print) continue;
    const record: AttachmentRecord = { type: attachment.type, id: attachment.id, fingerprint: print };
    try {
      switch (attachment.type) {
        case 'alarm':
          await gateway.putMetricAlarm(attachment.input);
          break;
        case 'dashboard':
          await gateway.putDashboard(attachment.input);
          break;
        case 'log-subscription': {
          const ownership: FilterOwnership = { destinations: [deps.settings.logDestinationArn, previous?.details?.destinationArn], recordedName: previous?.details?.filterName };
          const outcome = await putLogSubscription(gateway, attachment.input, ownership);
          if (outcome.type === 'pending') {
            pending.push(attachment.id);
            continue;
          }
          if (outcome.type === 'full') {
            gaps.push({
              code: 'LogSubscriptionSlotsFull',
              key: `LogSubscriptionSlotsFull:${attachment.id}`,
              message: `log group ${attachment.id} already has two subscription filters (${outcome.filters.join(', ')}); sagewatch does not replace filters it did not create`,
            });
            continue;
          }
          record.details = { logGroupName: attachment.id, filterName: outcome.filterName, ...(attachment.input.destinationArn ? { destinationArn: attachment.input.destinationArn } : {}) };
          break;
        }
        case 'sns-subscription': {
          let subscriptionArn: string;
          try {
            ({ subscriptionArn } = await gateway.subscribe(attachment.input));
          } catch (error) {
            if (errorName(error) !== 'NotFoundException') throw error;
            gaps.push({
              code: 'NotificationTopicMissing',
              key: `NotificationTopicMissing:${attachment.id}`,
              message: `notification topic ${attachment.id} of async endpoint ${request.resource.name} does not exist: its requests cannot be correlated`,
            });
            continue;
          }
          record.details = { subscriptionArn, ...(attachment.input.Endpoint ? { endpoint: attachment.input.Endpoint } : {}) };
          // The queue changed: the old subscription delivers to a queue nobody reads.
          const oldArn = previous?.details?.subscriptionArn;
          if (oldArn && oldArn !== subscriptionArn) await unsubscribe(gateway, oldArn, [previous?.details?.endpoint, deps.settings.notificationsQueueArn]);
          break;
        }
        case 'metric-stream':
          await joinStream(deps, key, attachment.kinds, recordedKinds(previous));
          record.details = { kinds: attachment.kinds.join(',') };
          break;
        case 'shared-alarm':
          await joinSharedAlarm(deps, key, attachment.input);
          break;
      }
      await inventory.putAttachment(key, record);
      created(attachment, previous);
    } catch (error) {
      failed(attachment, actionOf(attachment.type, 'put'), error);
    }
  }

  // Removals: recorded attachments this state does not want, exactly as recorded.
  const unwanted = snapshot.attachments.filter((a) => !wanted.has(slot(a)));
  const alarms = unwanted.filter((a) => a.type === 'alarm');
  for (let i = 0; i < alarms.length; i += DELETE_ALARMS_BATCH) {
    const batch = alarms.slice(i, i + DELETE_ALARMS_BATCH);
    try {
      await gateway.deleteAlarms({ AlarmNames: batch.map((a) => a.id) });
      for (const alarm of batch) {
        await inventory.deleteAttachment(key, 'alarm', alarm.id);
        changes.deleted.push(label(alarm));
      }
    } catch (error) {
      for (const alarm of batch) failed(alarm, 'cloudwatch:DeleteAlarms', error);
    }
  }
  for (const attachment of unwanted.filter((a) => a.type !== 'alarm')) {
    try {
      await remove(attachment, key, deps);
      await inventory.deleteAttachment(key, attachment.type, attachment.id);
      changes.deleted.push(label(attachment));
    } catch (error) {
      failed(attachment, actionOf(attachment.type, 'delete'), error);
    }
  }

  // A job's end: metrics and failure alert, once (the claim is the guard against duplicates).
  let outcome = snapshot.outcome;
  if (desired.outcome && outcome === undefined) {
    const effects = desired.outcome;
    if (await inventory.claimOutcome(key, effects.outcome, effects.at, Math.floor((now() + (deps.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS)) / 1000))) {
      try {
        await gateway.putMetricData(effects.metrics);
        if (effects.alert) await gateway.publish(effects.alert);
        outcome = effects.outcome;
        changes.created.push(`outcome:${effects.outcome}`);
      } catch (error) {
        // Let the next run try again rather than lose the job's end.
        await inventory.releaseOutcome(key);
        problems.push({
          code: 'OutcomeFailed',
          key: `outcome:${key}`,
          message: `reporting the end of ${key} failed: ${errorName(error)}: ${errorMessage(error)}`,
          error: errorName(error),
        });
      }
    } else {
      outcome = effects.outcome;
    }
  }

  // New gaps are reported once; known ones stay recorded without another alert.
  const known = new Set((snapshot.resource?.gaps ?? []).map((gap) => gap.key));
  for (const gap of gaps) if (!known.has(gap.key)) problems.push({ code: gap.code, key: gap.key, message: gap.message });

  const record = recordFor(request, desired, gaps, outcome, now());
  // What is recorded now decides (a failed removal leaves the resource attached); detached
  // ones keep a tombstone for the stale-event guard.
  record.state = (await inventory.read(key)).attachments.length > 0 ? 'attached' : 'detached';
  if (!snapshot.resource || !sameRecord(snapshot.resource, record) || snapshot.observedAt !== request.observedAt) {
    await inventory.putResource(record, record.state === 'detached' ? { expiresAt: Math.floor((now() + (deps.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS)) / 1000) } : {});
  }

  const changed = changes.created.length + changes.updated.length + changes.deleted.length > 0;
  return {
    key,
    status: changed ? 'converged' : 'unchanged',
    lifecycle: request.lifecycle,
    kinds: desired.kinds,
    changes,
    gaps,
    problems,
    pending,
    ...(outcome ? { outcome } : {}),
  };
}

/**
 * Removes a subscription sagewatch recorded, only if it still delivers to this stack's
 * notifications queue (now, or the one recorded when it was made): IAM cannot narrow sns:Unsubscribe (SNS defines no condition key for it),
 * so the code checks what it is about to remove.
 */
async function unsubscribe(gateway: MonitoringGateway, subscriptionArn: string, queues: Array<string | undefined>): Promise<void> {
  const endpoint = await gateway.subscriptionEndpoint(subscriptionArn);
  if (endpoint === undefined || !queues.includes(endpoint)) return;
  try {
    await gateway.unsubscribe({ SubscriptionArn: subscriptionArn });
  } catch (error) {
    if (errorName(error) !== 'NotFoundException') throw error;
  }
}

async function remove(attachment: AttachmentRecord, key: string, deps: ConvergeDeps): Promise<void> {
  const { gateway } = deps;
  switch (attachment.type) {
    case 'alarm':
      await gateway.deleteAlarms({ AlarmNames: [attachment.id] });
      return;
    case 'dashboard':
      try {
        await gateway.deleteDashboards({ DashboardNames: [attachment.id] });
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFound') throw error;
      }
      return;
    case 'log-subscription':
      // Only the filter sagewatch put there: by the name it recorded, if it still delivers to sagewatch.
      await removeLogSubscription(gateway, attachment.details?.logGroupName ?? attachment.id, subscriptionFilterName(deps.settings.namePrefix), {
        destinations: [deps.settings.logDestinationArn, attachment.details?.destinationArn],
        recordedName: attachment.details?.filterName,
      });
      return;
    case 'sns-subscription':
      if (attachment.details?.subscriptionArn) await unsubscribe(gateway, attachment.details.subscriptionArn, [attachment.details.endpoint, deps.settings.notificationsQueueArn]);
      return;
    case 'metric-stream':
      if (attachment.id === streamName(deps.settings)) await leaveStream(deps, key, attachment.details?.kinds === undefined ? STREAM_KINDS : recordedKinds(attachment));
      else await leaveLegacyStream(deps, attachment.id, key);
      return;
    case 'shared-alarm':
      await leaveSharedAlarm(deps, key, attachment.id);
      return;
  }
}

/** The kinds a resource's stream record was made for (empty for a per-kind stream of an earlier version). */
function recordedKinds(record: AttachmentRecord | undefined): StreamKind[] {
  const kinds = record?.details?.kinds;
  return kinds ? (kinds.split(',').filter((kind) => (STREAM_KINDS as readonly string[]).includes(kind)) as StreamKind[]) : [];
}

function actionOf(type: AttachmentRecord['type'], verb: 'put' | 'delete'): string {
  const actions: Record<AttachmentRecord['type'], [string, string]> = {
    alarm: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
    dashboard: ['cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'],
    'log-subscription': ['logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter'],
    'sns-subscription': ['sns:Subscribe', 'sns:Unsubscribe'],
    'metric-stream': ['cloudwatch:PutMetricStream', 'cloudwatch:DeleteMetricStream'],
    'shared-alarm': ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
  };
  return actions[type][verb === 'put' ? 0 : 1];
}
