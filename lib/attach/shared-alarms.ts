import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { errorName } from '../aws/errors';
import { JOB_PROFILES, type JobProfile } from '../profiles/jobs';
import type { JobKind } from '../profiles/kinds';
import { resolveThresholds } from '../profiles/thresholds';
import { SCOPE_DIMENSIONS, type AlarmSpec } from '../profiles/types';
import type { Inventory } from '../store/inventory';
import { alarmName, fingerprint, SHARED_TAGS } from '../names/owned';
import { alarmInput } from './alarms';
import type { MonitoringGateway } from './gateway';
import type { ConvergeSettings } from './settings';

/**
 * Alarms the stack owns for several resources at once: the Metrics Insights alarms over every
 * transform-job host (their only dimension, `Host = <job>/<instance-id>`, cannot be named in
 * advance, and Metrics Insights' WHERE has only `=`, `!=` and AND, no prefix match, so no query
 * can be narrowed to one job). Each alarm lives while a resource needs it: its members are kept
 * in an inventory item of their own (`<alarm>.members`, a string set, as the metric stream's),
 * the request last applied in another (`<alarm>`). The first member's join puts the alarm, the
 * last one's leave deletes it; a concurrent join or leave is caught by reading again after acting.
 */
/** A resource's membership of a shared alarm, with the request that makes the alarm: joined, not owned. */
export interface SharedAlarmAttachment {
  type: 'shared-alarm';
  id: string;
  input: PutMetricAlarmCommandInput;
}

export interface SharedAlarmDeps {
  gateway: MonitoringGateway;
  inventory: Inventory;
  settings: ConvergeSettings;
}

/**
 * Hosts named `<job>/<instance-id>` (transform jobs): one Metrics Insights alarm per spec over
 * every host of the kind in the account and Region, GROUP BY Host, so each host is a contributor
 * evaluated on its own. Metrics Insights' WHERE has `=`, `!=` and AND only (no prefix match), so
 * no query can be narrowed to one job's hosts: the alarm is shared, with the stack's default
 * thresholds (a job's threshold tags cannot apply to an alarm that watches other jobs too), and
 * also sees the hosts of jobs sagewatch does not attach (tagged sagewatch:ignore, say).
 */
export function sharedHostAlarm(kind: JobKind, spec: AlarmSpec, settings: ConvergeSettings): SharedAlarmAttachment {
  const name = alarmName(settings.namePrefix, 'account', kind, spec.id);
  const input = alarmInput(spec, {
    alarmName: name,
    dimensions: [],
    where: `Every host of every running ${kind} in the account and Region, each on its own`,
    thresholds: resolveThresholds(settings.thresholds, {}),
    actions: [settings.alertsTopicArn],
    tags: SHARED_TAGS,
    query: { schema: SCOPE_DIMENSIONS['job-hosts'], where: [], groupBy: SCOPE_DIMENSIONS['job-hosts'] },
  });
  return { type: 'shared-alarm', id: name, input };
}

const KIND = 'shared-alarm';
const APPLY_ROUNDS = 3;

/** The inventory item holding an alarm's members (an inventory key, never an AWS name). */
export function sharedAlarmMembers(alarmName: string): string {
  return `${alarmName}.members`;
}

/** `member` needs the alarm `input` puts: joins its members, then brings the alarm to that request. */
export async function joinSharedAlarm(deps: SharedAlarmDeps, member: string, input: PutMetricAlarmCommandInput): Promise<void> {
  const name = input.AlarmName!;
  await deps.inventory.addStreamMember(sharedAlarmMembers(name), KIND, member);
  await applySharedAlarm(deps, name, input);
}

/**
 * `member` no longer needs the alarm: it is deleted once no member is left. The leave carries
 * the alarm's request too: a job that joins while the delete is on its way sees the alarm as
 * applied and puts nothing, so only the leave, reading the members again after deleting, can
 * put it back.
 */
export async function leaveSharedAlarm(deps: SharedAlarmDeps, member: string, name: string): Promise<void> {
  const members = await deps.inventory.removeStreamMember(sharedAlarmMembers(name), member);
  if (members.members.length === 0) await deps.inventory.claimStreamDeletion(sharedAlarmMembers(name));
  await applySharedAlarm(deps, name, sharedAlarmInputs(deps.settings).get(name));
}

/**
 * Every shared alarm the stack defines, by name: each host alarm of a job kind whose hosts
 * cannot be named in advance. An alarm of another stage or an earlier version is not among
 * them; its leave only deletes.
 */
export function sharedAlarmInputs(settings: ConvergeSettings): Map<string, PutMetricAlarmCommandInput> {
  const inputs = new Map<string, PutMetricAlarmCommandInput>();
  for (const [kind, profile] of Object.entries(JOB_PROFILES) as Array<[JobKind, JobProfile]>) {
    if (profile.hosts !== 'instance-id') continue;
    for (const spec of profile.alarms) {
      if (spec.scope !== 'job-hosts') continue;
      const alarm = sharedHostAlarm(kind, spec, settings);
      inputs.set(alarm.id, alarm.input);
    }
  }
  return inputs;
}

/**
 * Puts the alarm when it has members and its request changed (with `input`; without it a
 * member's leave only deletes), deletes it when it has none.
 */
async function applySharedAlarm(deps: SharedAlarmDeps, name: string, input?: PutMetricAlarmCommandInput): Promise<void> {
  const { gateway, inventory } = deps;
  for (let round = 0; round < APPLY_ROUNDS; round++) {
    const records = await inventory.readStreams([name, sharedAlarmMembers(name)]);
    const applied = records.find((record) => record.name === name);
    const members = records.find((record) => record.name === sharedAlarmMembers(name))?.members.length ?? 0;
    if (members === 0) {
      if (!applied) return;
      try {
        await gateway.deleteAlarms({ AlarmNames: [name] });
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFound') throw error;
      }
      await inventory.claimStreamDeletion(name);
      continue;
    }
    if (!input) return;
    const print = fingerprint(input);
    if (applied?.fingerprint === print) return;
    await gateway.putMetricAlarm(input);
    await inventory.setStreamFingerprint(name, KIND, print);
  }
}
