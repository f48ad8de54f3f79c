/**
 * The async request data path as deployed, end to end: the processLogs, processNotifications
 * (with its detectors and alerting) and sweepRequests bundles, each in its own warm process,
 * against dynalite through the metering proxy, and what it all costs per async request.
 *
 * The run, in event time:
 * 1. warm-up and history (not counted): as many requests again as are counted, so the code is
 *    as optimised as in a container that has been running (and the first call, which builds
 *    the clients, is out of the way: bench/cold-start.ts measures it), and an hour of
 *    notifications of the same endpoints, so the detectors read windows as full as in a
 *    steady state. processLogs then runs its warm-up batches `warmUpRounds` times more,
 *    answered by the metering proxy from what dynalite answered the first time (nothing is
 *    written or counted): V8 takes a few thousand writes to optimise the client's path (HTTP,
 *    signing, marshalling), and after one pass its CPU per write is still about three times
 *    its steady state, which a container on a busy stream spends nearly all its life in;
 * 2. the counted requests: every request's data-log lines in Kinesis batches, its notification
 *    in SQS batches of 10, half of them before the lines and half after (they race in
 *    production), one in a hundred never notified (a lost notification);
 * 3. the sweeper's run that comes after the stuck cut-off, which reports the lost ones and
 *    cleans up the index of open requests.
 *
 * With `replayBundle` (bench/replay-process-logs.ts), each processLogs batch, warm-up included,
 * runs a second time right after the real one in a process of its own: the same handler on the
 * same batch at the same clock, over the answers DynamoDB gave the real run, played back
 * without a client (bench/replay-sender.ts). The real run's CPU minus the replay's is what the
 * DynamoDB client costs; the replay's is the handler's own work.
 */
import { parseConfig } from '../lib/config';
import type { FunctionKey } from '../infra/functions';
import type { BenchEnvironment } from './environment';
import { LambdaProcess, type Invocation } from './lambda-process';
import type { LabelUsage, Usage } from './dynamo-meter';
import { kinesisEvent } from '../local/builders';
import type { Recording, ReplayStats } from './replay-sender';
import { DEPLOYED_SQS_BATCH_SIZE, logWorkload, notificationEvents, notificationWorkload, prng, type BenchRequest, type KinesisEvent, type LogWorkload, type SqsEvent } from './workload';

export interface FunctionRun {
  cpuMs: number;
  wallMs: number;
  invocations: number;
  stdoutBytes: number;
  /** Records or messages the function reported failed, and invocations that threw. */
  failures: number;
  errors: string[];
}

export interface RealPathResult {
  requests: number;
  logLines: number;
  notifications: number;
  lostNotifications: number;
  /** Kinesis record payloads (gzip) of the counted requests: what the stream bills. */
  kinesisRecordBytes: number[];
  functions: Record<'processLogs' | 'processNotifications' | 'sweepRequests', FunctionRun>;
  usage: Usage;
  alertsPublished: number;
  sweep?: unknown;
  /** The counted processLogs batches again over the replay of their answers (with `replayBundle`). */
  replay?: { processLogs: FunctionRun; stats: ReplayStats };
}

export const REAL_PATH_FUNCTIONS = ['processLogs', 'processNotifications', 'sweepRequests'] as const;
type PathFunction = (typeof REAL_PATH_FUNCTIONS)[number];

export interface RealPathOptions {
  env: BenchEnvironment;
  bundles: Record<string, { file: string }>;
  workDir: string;
  /** Size of the counted requests' data-log batches together (about 160 bytes a request). */
  storeBytes: number;
  /** Size of the warm-up requests' data-log batches (default: storeBytes). */
  warmUpBytes?: number;
  /** Kinesis batches the counted data logs arrive in. */
  logBatches?: number;
  lostShare?: number;
  seed?: number;
  historyMinutes?: number;
  cpuProfileDir?: string;
  /** The replay bundle of processLogs (bench/replay-process-logs.ts): run every batch over it as well. */
  replayBundle?: string;
  /** More passes over processLogs' warm-up batches, answered from their recording (default 5). */
  warmUpRounds?: number;
}

const MINUTE = 60_000;

export function scheduledEvent(atMs: number): Record<string, unknown> {
  return {
    version: '0',
    id: `bench-${atMs}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(atMs).toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/sagewatch-sweep-requests'],
    detail: {},
  };
}

/** Records of about 5 KB, as a busy log stream delivers them: requests span records. */
const recordsFor = (bytes: number) => Math.max(1, Math.min(500, Math.round(bytes / 5_000)));

function splitBatches(workload: LogWorkload, batches: number): KinesisEvent[] {
  const records = workload.event.Records;
  const size = Math.ceil(records.length / batches);
  const events: KinesisEvent[] = [];
  for (let i = 0; i < records.length; i += size) events.push({ ...kinesisEvent([]), Records: records.slice(i, i + size) });
  return events;
}

function failuresOf(run: Invocation): number {
  const result = run.result as { batchItemFailures?: unknown[] } | undefined;
  return (result?.batchItemFailures?.length ?? 0) + (run.error ? 1 : 0);
}

class Tally {
  readonly runs = Object.fromEntries(REAL_PATH_FUNCTIONS.map((key) => [key, { cpuMs: 0, wallMs: 0, invocations: 0, stdoutBytes: 0, failures: 0, errors: [] as string[] }])) as Record<
    PathFunction,
    FunctionRun
  >;

  add(key: PathFunction, run: Invocation): void {
    const slot = this.runs[key];
    slot.cpuMs += run.cpuMs;
    slot.wallMs += run.wallMs;
    slot.invocations++;
    slot.stdoutBytes += run.stdoutBytes;
    slot.failures += failuresOf(run);
    if (run.error && slot.errors.length < 3) slot.errors.push(run.error);
  }
}

export async function runRealPath(options: RealPathOptions): Promise<RealPathResult> {
  const { env } = options;
  const seed = options.seed ?? 21;
  const config = parseConfig({});
  const processes = {} as Record<PathFunction, LambdaProcess>;
  let replay: LambdaProcess | undefined;
  try {
    for (const key of REAL_PATH_FUNCTIONS) {
      const bundle = options.bundles[key]?.file;
      if (!bundle) throw new Error(`bench: no bundle for ${key}`);
      processes[key] = (
        await LambdaProcess.start({
          key: key as FunctionKey,
          bundle,
          workDir: options.workDir,
          env: await env.functionEnv(key),
          ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
        })
      ).process;
    }
    if (options.replayBundle) {
      // Its own label: the replay sends nothing, and anything it did send would show in the usage.
      replay = (await LambdaProcess.start({ key: 'processLogs', bundle: options.replayBundle, workDir: options.workDir, env: await env.functionEnv('processLogs replay') })).process;
    }
    // Recorded for the replay and for the warm-up rounds.
    env.meter.record('processLogs');
    const replayStats: ReplayStats = { misses: 0, loose: 0, unused: 0, answered: 0 };
    const addStats = (stats: unknown) => {
      const s = stats as ReplayStats;
      replayStats.misses += s.misses;
      replayStats.loose += s.loose;
      replayStats.unused += s.unused;
      replayStats.answered += s.answered;
    };
    const noRecording: Recording = { keys: {}, calls: [] };
    /** A processLogs batch, then the same batch over the replay of its answers; returns what DynamoDB answered. */
    const logs = async (tally: Tally, replayTally: Tally, event: KinesisEvent, clockMs?: number, answeredFrom?: Recording): Promise<Recording> => {
      const at = clockMs ?? Date.now();
      if (answeredFrom) env.meter.answerFrom('processLogs', answeredFrom);
      tally.add('processLogs', await processes.processLogs.invoke(event, clockMs));
      env.meter.answerFrom('processLogs', undefined);
      const recording = answeredFrom ?? (await env.meter.takeRecording('processLogs'));
      if (replay) {
        addStats(await replay.prepare(recording));
        replayTally.add('processLogs', await replay.invoke(event, at));
      }
      return recording;
    };
    const now = Date.now();
    const countedStart = now - 3 * MINUTE;
    const historyStart = countedStart - (options.historyMinutes ?? 60) * MINUTE;

    // 1. Warm-up and history. V8 needs a few hundred requests to optimise the hot paths, as a
    // container that has run for a while has; the warm-up requests get their notifications.
    const warmStart = historyStart - 3 * MINUTE;
    const warmLogs = logWorkload({
      targetBytes: options.warmUpBytes ?? options.storeBytes,
      maxRecords: recordsFor(options.warmUpBytes ?? options.storeBytes),
      seed: seed + 1,
      startMs: warmStart,
      flushOpenRequests: true,
    });
    const warmUp = new Tally();
    const warmReplay = new Tally();
    const warmBatches = splitBatches(warmLogs, options.logBatches ?? 4);
    const warmRecordings: Recording[] = [];
    for (const event of warmBatches) warmRecordings.push(await logs(warmUp, warmReplay, event, warmStart + MINUTE));
    for (let round = 0; round < (options.warmUpRounds ?? 5); round++) {
      for (const [i, event] of warmBatches.entries()) await logs(warmUp, warmReplay, event, warmStart + MINUTE, warmRecordings[i]);
    }
    for (const event of notificationEvents(byCompletion(warmLogs.requests), { seed: seed + 2 })) {
      warmUp.add('processNotifications', await processes.processNotifications.invoke(event, latestCompletion(event) + 2_000));
    }
    const historyMinutes = (countedStart - historyStart) / MINUTE;
    // About one notification per endpoint and minute: every minute bucket of the windows is there.
    // At this rate Lambda's poller takes messages as they come (no batching window): one per batch,
    // so the notification input keeps up, as it does in production, and the sweep may call the lost ones stuck.
    const history = notificationWorkload({ count: historyMinutes * 6, batchSize: 1, seed: seed + 3, startMs: historyStart, spacingMs: 10_000 });
    for (const event of history) warmUp.add('processNotifications', await processes.processNotifications.invoke(event, latestCompletion(event) + 2_000));
    warmUp.add('sweepRequests', await processes.sweepRequests.invoke(scheduledEvent(countedStart), countedStart));
    if (replay) addStats(await replay.prepare(noRecording));
    const warmFailures = [...REAL_PATH_FUNCTIONS.flatMap((key) => warmUp.runs[key].errors.map((e) => `${key}: ${e}`)), ...warmReplay.runs.processLogs.errors.map((e) => `processLogs replay: ${e}`)];
    if (warmFailures.length > 0) throw new Error(`bench: a function failed before the counted run: ${warmFailures.join('; ')}`);

    // 2. The counted requests.
    const workload = logWorkload({ targetBytes: options.storeBytes, maxRecords: recordsFor(options.storeBytes), seed, flushOpenRequests: true, startMs: countedStart });
    const lose = prng(seed + 4);
    const lostShare = options.lostShare ?? 0.01;
    const notified: BenchRequest[] = workload.requests.filter(() => lose() >= lostShare);
    const sqsEvents = notificationEvents(byCompletion(notified), { batchSize: DEPLOYED_SQS_BATCH_SIZE, seed: seed + 5 });
    const early = sqsEvents.filter((_, i) => i % 2 === 0);
    const late = sqsEvents.filter((_, i) => i % 2 === 1);
    const logBatches = splitBatches(workload, options.logBatches ?? 4);

    env.meter.reset();
    const publishedBefore = env.sns.published.length;
    const tally = new Tally();
    const replayTally = new Tally();
    Object.assign(replayStats, { misses: 0, loose: 0, unused: 0, answered: 0 });
    // SNS delivers to the queue as each request finishes and Lambda polls it at once: each batch
    // runs at its latest completion. Run later (at the bench's real now, minutes after the
    // counted traffic's event times), the notification input would look minutes behind, and a
    // sweeper that waits for its watermark would rightly report nothing stuck.
    const notify = async (events: SqsEvent[]) => {
      for (const event of events) tally.add('processNotifications', await processes.processNotifications.invoke(event, latestCompletion(event) + 2_000));
    };
    await notify(early);
    for (const event of logBatches) await logs(tally, replayTally, event);
    if (replay) addStats(await replay.prepare(noRecording));
    await notify(late);
    // 3. The sweep after the stuck cut-off (the schedule runs every 5 minutes).
    const sweepAt = Date.now() + (config.stuckAfterMinutes + 5) * MINUTE;
    const sweep = await processes.sweepRequests.invoke(scheduledEvent(sweepAt), sweepAt);
    tally.add('sweepRequests', sweep);
    await env.sns.settle();

    return {
      requests: workload.requests.length,
      logLines: workload.dataLogLines,
      notifications: notified.length,
      lostNotifications: workload.requests.length - notified.length,
      kinesisRecordBytes: workload.records.map((record) => Buffer.from(record.data, 'base64').length),
      functions: tally.runs,
      usage: env.meter.snapshot(),
      alertsPublished: env.sns.published.length - publishedBefore,
      sweep: sweep.result,
      ...(replay ? { replay: { processLogs: replayTally.runs.processLogs, stats: { ...replayStats } } } : {}),
    };
  } finally {
    await Promise.all([...Object.values(processes), ...(replay ? [replay] : [])].map((lambda) => lambda.close()));
  }
}

/** The queue receives notifications in the order requests finish, not in the order they arrived. */
function byCompletion(requests: readonly BenchRequest[]): BenchRequest[] {
  return [...requests].sort((a, b) => a.completedMs - b.completedMs);
}

function latestCompletion(event: SqsEvent): number {
  let latest = 0;
  for (const record of event.Records) {
    const body = JSON.parse(record.body) as { Message?: string; eventTime?: string };
    const notification = (body.Message ? JSON.parse(body.Message) : body) as { eventTime?: string };
    latest = Math.max(latest, Date.parse(notification.eventTime ?? '') || 0);
  }
  return latest;
}

/** Sums the usage of several labels (functions). */
export function totalUsage(usage: Usage, labels: readonly string[] = Object.keys(usage)): Pick<LabelUsage, 'writeUnits' | 'readUnits' | 'conditionFailures'> & { requests: Record<string, number> } {
  const total = { writeUnits: 0, readUnits: 0, conditionFailures: 0, requests: {} as Record<string, number> };
  for (const label of labels) {
    const u = usage[label];
    if (!u) continue;
    total.writeUnits += u.writeUnits;
    total.readUnits += u.readUnits;
    total.conditionFailures += u.conditionFailures;
    for (const [op, n] of Object.entries(u.requests)) total.requests[op] = (total.requests[op] ?? 0) + n;
  }
  return total;
}
