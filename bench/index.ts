/**
 * `npm run bench [-- --json]`: what the async request data path costs as deployed. The
 * function bundles run in their own processes against dynalite through a metering proxy that
 * bills every request as DynamoDB would; CPU is counted per process (process.cpuUsage), so
 * the figures hold on a busy machine. See README.md "Performance" and "Cost".
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { FUNCTION_SPECS } from '../infra/functions';
import { applyLocalAwsDefaults } from '../local/environment';
import { buildBundles, measureColdStarts, measureImports } from './bundles';
import { costPerMillionRequests, storagePerMillionRequestsMonthUsd } from './cost';
import { startEnvironment } from './environment';
import { interleaved, median, round } from './measure';
import { measureMemory } from './memory';
import { createLogPipeline, decodeFloor } from './pipeline';
import { REAL_PATH_FUNCTIONS, runRealPath, scheduledEvent, totalUsage } from './real-path';
import { clientCpuPerWrite, goalChecks, mark, toJson, type BenchFigures } from './report';
import { withDiscardedStdout } from './sinks';
import { bundleOptions } from '../scripts/bundle';
import { DEFAULT_BATCH_BYTES, DEPLOYED_SQS_BATCH_SIZE, logWorkload, notificationWorkload, worstCaseWorkload } from './workload';

const USAGE = `usage: npm run bench -- [--json] [--store-bytes B] [--runs N] [--warmup N] [--batch-bytes B] [--warmup-rounds N]
                          [--import-runs N] [--memory-invocations N] [--memory-data-lines N] [--cpu-prof DIR]`;

function parseBenchArgs() {
  return parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'store-bytes': { type: 'string', default: '100000' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      'warmup-rounds': { type: 'string', default: '5' },
      'batch-bytes': { type: 'string', default: String(DEFAULT_BATCH_BYTES) },
      'import-runs': { type: 'string', default: '3' },
      'memory-invocations': { type: 'string', default: '2' },
      'memory-data-lines': { type: 'string', default: '500' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}

function options() {
  let values: ReturnType<typeof parseBenchArgs>['values'];
  try {
    ({ values } = parseBenchArgs());
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      process.stderr.write(`bench: --${name} must be an integer >= ${min}\n${USAGE}\n`);
      process.exit(2);
    }
    return value;
  };
  return {
    json: values.json === true,
    storeBytes: int('store-bytes', 5_000),
    runs: int('runs', 1),
    warmup: int('warmup', 0),
    warmUpRounds: int('warmup-rounds', 0),
    batchBytes: int('batch-bytes', 2_000),
    importRuns: int('import-runs', 1),
    memoryInvocations: int('memory-invocations', 1),
    memoryDataLines: int('memory-data-lines', 0),
    cpuProfileDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
  };
}

const started = performance.now();
const progress = (message: string) => process.stderr.write(`bench: [${Math.round((performance.now() - started) / 1000)} s] ${message}\n`);

/** A small Kinesis batch of a few requests' data-log lines (and the control message CloudWatch Logs sends). */
function firstLogBatch(seed: number): unknown {
  const workload = logWorkload({ targetBytes: 12_000, maxRecords: 3, seed, startMs: Date.now() - 60_000, flushOpenRequests: true });
  if (workload.requests.length === 0) throw new Error('bench: the first-call batch holds no requests');
  return workload.event;
}

async function main(): Promise<void> {
  const opts = options();
  applyLocalAwsDefaults();
  // The in-process diagnostic runs with the deployed functions' settings, whatever the shell has.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'sagewatch-bench-'));
  const env = await startEnvironment();
  try {
    progress('building the function bundles');
    const built = await buildBundles(workDir);
    const replayBundle = join(workDir, 'replay-process-logs.mjs');
    await build(bundleOptions(resolve(import.meta.dirname, 'replay-process-logs.ts'), replayBundle));

    progress(
      `running the data path as deployed against dynalite (${opts.storeBytes} bytes of data logs, after a warm-up, ${opts.warmUpRounds} more passes of processLogs over it, and an hour of history)`,
    );
    const path = await runRealPath({
      env,
      bundles: built,
      workDir,
      storeBytes: opts.storeBytes,
      replayBundle,
      warmUpRounds: opts.warmUpRounds,
      ...(opts.cpuProfileDir ? { cpuProfileDir: opts.cpuProfileDir } : {}),
    });
    const storage = await env.meter.storage(env.config.requestsTable);

    progress(`first calls and imports in fresh processes (${opts.importRuns} each)`);
    const coldStarts = await measureColdStarts({
      built,
      runs: opts.importRuns,
      workDir,
      env,
      events: {
        processLogs: (run) => firstLogBatch(100 + run),
        processNotifications: (run) => notificationWorkload({ count: DEPLOYED_SQS_BATCH_SIZE, seed: 200 + run, startMs: Date.now() - 60_000 })[0],
        sweepRequests: () => scheduledEvent(Date.now()),
      },
    });
    const bundles = await measureImports({ built, runs: opts.importRuns, workDir, env });

    progress(`processLogs against its decode floor on a ${opts.batchBytes}-byte batch (diagnostic, sink store, ${opts.runs} runs)`);
    const batch = logWorkload({ targetBytes: opts.batchBytes });
    const pipeline = createLogPipeline();
    const { result: times } = await withDiscardedStdout(() => interleaved({ floor: () => decodeFloor(batch.records), pipeline: () => pipeline(batch.event) }, opts.runs, opts.warmup));
    const floorMs = median(times.floor!);
    const pipelineMs = median(times.pipeline!);

    progress(`peak RSS of processLogs on the worst-case batch (${opts.memoryInvocations} in one process)`);
    const worstCase = Array.from({ length: opts.memoryInvocations }, (_, i) => worstCaseWorkload({ seed: 31 + i, dataLogEvents: opts.memoryDataLines, startMs: Date.now() - 5 * 60_000 + i * 60_000 }));
    const memory = await measureMemory({ batches: worstCase, bundle: built.processLogs!.file, env, workDir });

    // Per async request.
    const requests = path.requests;
    const total = totalUsage(path.usage, REAL_PATH_FUNCTIONS);
    const logsUsage = path.usage.processLogs;
    const logWrites = ['UpdateItem', 'PutItem', 'DeleteItem', 'BatchWriteItem'].reduce((sum, op) => sum + (logsUsage?.requests[op] ?? 0), 0);
    const runs = path.functions;
    const replay = path.replay!;
    const logCalls = Object.values(logsUsage?.requests ?? {}).reduce((sum, n) => sum + n, 0);
    const clientMs = runs.processLogs.cpuMs - replay.processLogs.cpuMs;
    const cpuPerNotification = runs.processNotifications.cpuMs / path.notifications;
    const kinesisKb = path.kinesisRecordBytes.reduce((sum, bytes) => sum + Math.ceil(bytes / 1024), 0);
    const kinesisBytes = path.kinesisRecordBytes.reduce((sum, bytes) => sum + bytes, 0);
    const cost = costPerMillionRequests({
      writeUnitsPerRequest: total.writeUnits / requests,
      readUnitsPerRequest: total.readUnits / requests,
      lambdas: REAL_PATH_FUNCTIONS.map((key) => ({
        key,
        memoryMb: FUNCTION_SPECS[key].memorySize,
        cpuMsPerRequest: runs[key].cpuMs / requests,
        // The sweeper runs on a schedule whatever the traffic: its invocations are not per request.
        invocationsPerRequest: key === 'sweepRequests' ? 0 : runs[key].invocations / requests,
      })),
      sqsRequestsPerRequest: (path.notifications * (1 + 2 / DEPLOYED_SQS_BATCH_SIZE)) / requests,
      kinesisBilledKbPerRequest: kinesisKb / requests,
      kinesisBytesPerRequest: kinesisBytes / requests,
      logBytesPerRequest: REAL_PATH_FUNCTIONS.reduce((sum, key) => sum + runs[key].stdoutBytes, 0) / requests,
      snsPublishesPerRequest: path.alertsPublished / requests,
    });
    const figures: BenchFigures = {
      writeUnitsPerRequest: total.writeUnits / requests,
      readUnitsPerRequest: total.readUnits / requests,
      ratio: pipelineMs / floorMs,
      logsCpuMsPerRequest: runs.processLogs.cpuMs / requests,
      logsCpuMsPerWrite: runs.processLogs.cpuMs / Math.max(1, logWrites),
      logsClientCpuMsPerWrite: clientCpuPerWrite(runs.processLogs.cpuMs, replay.processLogs.cpuMs, logWrites),
      logsHandlerCpuMsPerRequest: replay.processLogs.cpuMs / requests,
      replayMisses: replay.stats.misses,
      peakRssMb: memory.peakRssMb,
      deployedMemoryMb: memory.deployedMemoryMb,
      cpuMsPerNotification: cpuPerNotification,
      coldStarts,
      bundles,
      costPerMillionRequestsUsd: cost.totalUsd,
    };

    progress('done');
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(toJson(figures), null, 2)}\n`);
      return;
    }
    const goals = goalChecks(figures);
    const perRequest = (n: number, digits = 2) => round(n / requests, digits);
    const failures = REAL_PATH_FUNCTIONS.filter((key) => runs[key].failures > 0).map((key) => `${key} ${runs[key].failures} (${runs[key].errors.join('; ')})`);
    const usageLines = Object.entries(path.usage).map(([label, u]) => {
      const tables = Object.entries(u.tables)
        .map(([table, t]) => {
          const indexes = Object.entries(t.indexes).map(([name, i]) => `${name} ${perRequest(i.units)}`);
          return `${table}: ${perRequest(t.writeUnits)} table${indexes.length ? `, ${indexes.join(', ')}` : ''} write units, ${perRequest(t.readUnits)} read units`;
        })
        .join('; ');
      return (
        `       ${label.padEnd(21)} ${perRequest(u.writeUnits)} W ${perRequest(u.readUnits)} R — ${tables}\n` +
        `       ${''.padEnd(21)} requests: ${Object.entries(u.requests)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')}; ${u.conditionFailures} failed conditions${Object.keys(u.errors).length ? `; errors ${JSON.stringify(u.errors)}` : ''}`
      );
    });
    const c = coldStarts;
    const lines = [
      `store — ${requests} async requests (${path.logLines} data-log lines; ${path.notifications} notified, ${path.lostNotifications} notification(s) lost) through`,
      '  processLogs, processNotifications (detectors and alerting) and sweepRequests, as deployed, against dynalite',
      `  ${mark(goals.writeUnits.ok)} ${goals.writeUnits.text}`,
      `  ${mark(goals.readUnits.ok)} ${goals.readUnits.text}`,
      '       per request, by function (W write units, R read units, as DynamoDB bills them):',
      ...usageLines,
      `       stored: ≈ ${Math.round(storage.bytes / Math.max(1, storage.items))} bytes per request (item and index entries, 100 bytes overhead each); ${path.alertsPublished} alert(s) published`,
      ...(failures.length ? [`  WARNING failed records or invocations: ${failures.join('; ')}`] : []),
      'processLogs',
      `  ${mark(goals.cpuPerWrite.ok)} ${goals.cpuPerWrite.text}`,
      `       client: ${round(clientMs)} ms = ${round(runs.processLogs.cpuMs)} ms real − ${round(replay.processLogs.cpuMs)} ms replay, for ${logWrites} writes and ${logCalls - logWrites} reads (${round(clientMs / Math.max(1, logCalls), 3)} ms per call): marshalling, signing, HTTP, parsing and unmarshalling the answers`,
      `       warm: processLogs and its replay ran the warm-up batches ${1 + opts.warmUpRounds} times first (--warmup-rounds ${opts.warmUpRounds}: the passes after the first are answered from the first's recording); V8 needs thousands of writes to optimise the client's path`,
      `       real: the whole handler as deployed against dynalite, ${round(figures.logsCpuMsPerRequest, 3)} ms CPU per request, ${round(figures.logsCpuMsPerWrite, 3)} ms per write: ${round(runs.processLogs.cpuMs)} ms for ${requests} requests, ${logWrites} writes in ${runs.processLogs.invocations} batches (${round(runs.processLogs.wallMs)} ms wall)`,
      `       replay: the same handler on the same batches over DynamoDB's recorded answers, no client: ${round(figures.logsHandlerCpuMsPerRequest, 3)} ms CPU per request (decode, parse, merge planning, store inputs, metrics, logs); ${replay.stats.answered} answers replayed (${replay.stats.loose} by operation and table: random keys), ${replay.stats.misses} missed, ${replay.stats.unused} unused`,
      `  ${mark(goals.memory.ok)} ${goals.memory.text}`,
      `       worst case: ${worstCase.map((w) => `${w.payloadBytes} bytes, ${w.records.length} records, ${w.logEvents} events, ${w.dataLogLines} data-log lines, ${round(w.decodedBytes / 1e6)} MB decoded`)[0]}; ${opts.memoryInvocations} batch(es) in one process`,
      `       ${round(memory.rssAfterImportMb)} MB after import; ${memory.invocations.map((i) => `${round(i.cpuMs)} ms CPU / ${round(i.wallMs)} ms wall${i.failedRecords ? `, ${i.failedRecords} failed records` : ''}${i.error ? `, ${i.error}` : ''}`).join('; ')}${memory.died ? `; DIED: ${memory.died}` : ''}`,
      `       diagnostic: ratio ${round(figures.ratio, 2)} to the decode floor (sink store, ${batch.payloadBytes}-byte batch of ${batch.logEvents} events): floor ${round(floorMs)} ms, pipeline ${round(pipelineMs)} ms, median of ${opts.runs}`,
      'processNotifications',
      `  ${mark(goals.cpuPerNotification.ok)} ${goals.cpuPerNotification.text}`,
      `       ${round(runs.processNotifications.cpuMs)} ms for ${path.notifications} notifications in ${runs.processNotifications.invocations} batches (${round(runs.processNotifications.wallMs)} ms wall)`,
      'sweepRequests',
      `       ${round(runs.sweepRequests.cpuMs)} ms CPU for one sweep after the stuck cut-off (${round(runs.sweepRequests.cpuMs / requests, 3)} ms per request): ${JSON.stringify(path.sweep)}`,
      `cold start — import + first invocation in a fresh process, CPU (median of ${opts.importRuns})`,
      ...Object.entries(c).map(([key, s]) => `       ${key.padEnd(22)} ${round(s.firstCallMs)} ms (wall ${round(s.firstCallWallMs)} ms); the second call ${round(s.warmCallMs)} ms`),
      `bundles — minified ESM, SDK included; import CPU in a fresh process (median of ${opts.importRuns})`,
      ...Object.entries(bundles).map(([key, b]) => `       ${key.padEnd(22)} ${round(b.bytes / 1000)} KB  ${round(b.importMs)} ms (wall ${round(b.importWallMs)} ms)`),
      `cost — $${round(cost.totalUsd, 2)} per million async requests (us-east-1, lib/pricing)`,
      ...cost.lines.map((line) => `       ${line.item.padEnd(28)} $${round(line.usd, 3).toFixed(3).padStart(7)}   ${line.detail}`),
      `       not included: DynamoDB storage ($${round(storagePerMillionRequestsMonthUsd(storage.bytes / Math.max(1, storage.items)), 2)} per million requests and month kept), the stream's hours, the sweeper's schedule, metrics and alarms, free tiers`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await env.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
