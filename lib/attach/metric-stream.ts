import type { PutMetricStreamCommandInput } from '@aws-sdk/client-cloudwatch';
import { hasStream, streamIncludeFilters, type StreamKind } from '../profiles/streams';
import { ENDPOINT_KINDS, JOB_KINDS } from '../profiles/kinds';
import type { Inventory, StreamRecord } from '../store/inventory';
import { errorMessage, errorName } from '../aws/errors';
import type { MonitoringGateway } from './gateway';
import type { Problem } from './converge';
import { fingerprint, metricStreamName, SHARED_TAGS } from '../names/owned';
import type { ConvergeSettings } from './settings';

/**
 * One metric stream for the whole stack (`<prefix>_metrics`). Its include filters are the union
 * of the metrics of the kinds something is attached for, so no (namespace, metric) pair is in
 * two streams and no data point reaches Firehose twice. Each kind keeps its members (the
 * resources attached with it) in an inventory item of its own; the stream's filters follow
 * which kinds have members, and the stream is deleted when none has. Per-kind streams of
 * earlier versions (`<prefix>_<kind>`) are deleted by their owned names once no resource is
 * recorded on them: the resources move as they converge, the sweep removes what is left.
 */
export interface StreamDeps {
  gateway: MonitoringGateway;
  inventory: Inventory;
  settings: ConvergeSettings;
}

/** Every kind with metrics of its own, in a fixed order (tuning jobs have none). */
export const STREAM_KINDS: readonly StreamKind[] = ([...ENDPOINT_KINDS, ...JOB_KINDS] as StreamKind[]).filter(hasStream);
const ALL_KINDS: readonly StreamKind[] = [...ENDPOINT_KINDS, ...JOB_KINDS];
// A concurrent join or leave can interleave with ours: read again after acting, a few times.
const APPLY_ROUNDS = 3;

export function streamName(settings: ConvergeSettings): string {
  return metricStreamName(settings.namePrefix, 'metrics');
}

/** The inventory item holding a kind's members (an inventory key, never an AWS name). */
export function memberRecordName(settings: ConvergeSettings, kind: StreamKind): string {
  return `${streamName(settings)}.${kind}`;
}

/** The stream's request for these kinds. */
export function streamInput(kinds: readonly StreamKind[], settings: ConvergeSettings): PutMetricStreamCommandInput {
  return {
    Name: streamName(settings),
    IncludeFilters: streamIncludeFilters(...STREAM_KINDS.filter((kind) => kinds.includes(kind))),
    FirehoseArn: settings.metricStreamFirehoseArn,
    RoleArn: settings.metricStreamRoleArn,
    OutputFormat: settings.metricStreamOutputFormat,
    Tags: SHARED_TAGS,
  };
}

function kindsWithMembers(records: StreamRecord[], settings: ConvergeSettings): StreamKind[] {
  const byName = new Map(records.map((record) => [record.name, record]));
  return STREAM_KINDS.filter((kind) => (byName.get(memberRecordName(settings, kind))?.members.length ?? 0) > 0);
}

/** The resource `member` now needs the stream for `kinds` (and no longer for `previous` ones it left). */
export async function joinStream(deps: StreamDeps, member: string, kinds: readonly StreamKind[], previous: readonly StreamKind[] = []): Promise<void> {
  for (const kind of kinds) await deps.inventory.addStreamMember(memberRecordName(deps.settings, kind), kind, member);
  await leaveKinds(
    deps,
    member,
    previous.filter((kind) => !kinds.includes(kind)),
  );
  await applyStream(deps);
}

/** The resource `member` no longer needs the stream. */
export async function leaveStream(deps: StreamDeps, member: string, kinds: readonly StreamKind[]): Promise<void> {
  await leaveKinds(deps, member, kinds);
  await applyStream(deps);
}

async function leaveKinds(deps: StreamDeps, member: string, kinds: readonly StreamKind[]): Promise<void> {
  for (const kind of kinds) {
    const name = memberRecordName(deps.settings, kind);
    const record = await deps.inventory.removeStreamMember(name, member);
    if (record.members.length === 0) await deps.inventory.claimStreamDeletion(name);
  }
}

/** Brings the stream to what its members need: puts it when its filters change, deletes it when no kind has members. */
export async function applyStream(deps: StreamDeps): Promise<'put' | 'deleted' | 'unchanged'> {
  const { gateway, inventory, settings } = deps;
  const name = streamName(settings);
  const names = [name, ...STREAM_KINDS.map((kind) => memberRecordName(settings, kind))];
  let outcome: 'put' | 'deleted' | 'unchanged' = 'unchanged';
  for (let round = 0; round < APPLY_ROUNDS; round++) {
    const records = await inventory.readStreams(names);
    const applied = records.find((record) => record.name === name);
    const kinds = kindsWithMembers(records, settings);
    if (kinds.length === 0) {
      if (!applied) return outcome;
      await deleteStream(gateway, name);
      await inventory.claimStreamDeletion(name);
      outcome = 'deleted';
      continue;
    }
    const input = streamInput(kinds, settings);
    const print = fingerprint(input);
    if (applied?.fingerprint === print) return outcome;
    await gateway.putMetricStream(input);
    await inventory.setStreamFingerprint(name, 'metrics', print);
    outcome = 'put';
  }
  return outcome;
}

async function deleteStream(gateway: MonitoringGateway, name: string): Promise<void> {
  try {
    await gateway.deleteMetricStream({ Name: name });
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
}

/** A per-kind stream of an earlier version that a resource still records: removed with its last member. */
export async function leaveLegacyStream(deps: StreamDeps, name: string, member: string): Promise<void> {
  const stream = await deps.inventory.removeStreamMember(name, member);
  if (stream.members.length === 0 && (await deps.inventory.claimStreamDeletion(name))) await deleteStream(deps.gateway, name);
}

export interface SweepResult {
  created: string[];
  deleted: string[];
  problems: Problem[];
}

/**
 * Reconcile's sweep: the stream exists with the filters its members need (recreated if it
 * vanished), or not at all; per-kind streams of earlier versions that no resource records any
 * more are deleted. Only names this stack owns are ever deleted.
 */
export async function sweepMetricStreams(deps: StreamDeps): Promise<SweepResult> {
  const { gateway, inventory, settings } = deps;
  const result: SweepResult = { created: [], deleted: [], problems: [] };
  const existing = new Set(await gateway.listMetricStreams({}));
  const records = await inventory.listStreams();
  const byName = new Map(records.map((record) => [record.name, record]));
  const attempt = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      result.problems.push({
        code: 'AttachmentFailed',
        key: `metric-stream:${name}`,
        message: `reconciling metric stream ${name} failed: ${errorName(error)}: ${errorMessage(error)}`,
        error: errorName(error),
      });
    }
  };

  const name = streamName(settings);
  await attempt(name, async () => {
    const kinds = kindsWithMembers(records, settings);
    if (kinds.length > 0) {
      const input = streamInput(kinds, settings);
      const print = fingerprint(input);
      if (existing.has(name) && byName.get(name)?.fingerprint === print) return;
      await gateway.putMetricStream(input);
      await inventory.setStreamFingerprint(name, 'metrics', print);
      result.created.push(name);
    } else if (existing.has(name) || byName.has(name)) {
      if (existing.has(name)) {
        await deleteStream(gateway, name);
        result.deleted.push(name);
      }
      await inventory.claimStreamDeletion(name);
    }
  });

  for (const kind of ALL_KINDS) {
    const legacy = metricStreamName(settings.namePrefix, kind);
    if ((byName.get(legacy)?.members.length ?? 0) > 0) continue;
    await attempt(legacy, async () => {
      if (byName.has(legacy) && !(await inventory.claimStreamDeletion(legacy))) return;
      if (existing.has(legacy)) {
        await deleteStream(gateway, legacy);
        result.deleted.push(legacy);
      }
    });
  }
  return result;
}
