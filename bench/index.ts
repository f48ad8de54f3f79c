/**
 * `npm run bench [-- --json] [--runs N]`: what sagewatch's data path costs per event, measured
 * against the physical floor of its input in the same run, so the figures hold on a noisy
 * machine. No AWS: the store is a counting sink for timings and dynalite for request counts.
 * See README.md "Performance" for what the numbers mean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FUNCTION_SPECS } from '../infra/functions';
import { applyLocalAwsDefaults } from '../local/environment';
import { measureBundles, type BundleResult } from './bundles';
import { interleaved, median, round } from './measure';
import { measureMemory, measureSdkCost } from './memory';
import { createLogPipeline, createNotificationPipeline, decodeFloor } from './pipeline';
import { withDiscardedStdout } from './sinks';
import { measureStore } from './store';
import { DEFAULT_BATCH_BYTES, logWorkload, notificationWorkload } from './workload';

export interface BenchReport {
  processLogs: {
    records: number;
    logEvents: number;
    decodeFloorMs: number;
    pipelineMs: number;
    ratio: number;
    eventsPerSecond: number;
    peakRssMb: number;
    deployedMemoryMb: number;
  };
  processNotifications: { notificationsPerSecond: number };
  store: { writesPerRequest: number; readsPerRequest: number };
  bundles: Record<string, { bytes: number; importMs: number }>;
}

export const TARGETS = {
  ratio: 1.5,
  writesPerRequest: 2,
  readsPerRequest: 0,
  /** 400 KB, counted in thousands: the stricter reading. */
  bundleBytes: 400_000,
  importMs: 150,
  /** Share of the deployed memory size that peak RSS may reach. */
  memoryShare: 0.5,
};

const USAGE = `usage: npm run bench -- [--json] [--runs N] [--warmup N] [--batch-bytes B] [--notifications N]
                          [--store-bytes B] [--import-runs N] [--memory-invocations N] [--sdk-bytes B]`;

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      runs: { type: 'string', default: '11' },
      warmup: { type: 'string', default: '2' },
      'batch-bytes': { type: 'string', default: String(DEFAULT_BATCH_BYTES) },
      notifications: { type: 'string', default: '20000' },
      'store-bytes': { type: 'string', default: '200000' },
      'import-runs': { type: 'string', default: '5' },
      'memory-invocations': { type: 'string', default: '3' },
      'sdk-bytes': { type: 'string', default: '1000000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer >= ${min}\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  return {
    json: values.json === true,
    runs: int('runs', 1),
    warmup: int('warmup', 0),
    batchBytes: int('batch-bytes', 2_000),
    notifications: int('notifications', 10),
    storeBytes: int('store-bytes', 2_000),
    importRuns: int('import-runs', 1),
    memoryInvocations: int('memory-invocations', 1),
    sdkBytes: int('sdk-bytes', 2_000),
  };
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  const opts = options();
  // The deployed functions' settings, whatever the caller's shell has.
  applyLocalAwsDefaults();
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const workDir = mkdtempSync(join(tmpdir(), 'sagewatch-bench-'));
  try {
    progress('building bundles and timing their import in fresh processes');
    const bundles = await measureBundles({ outRoot: workDir, importRuns: opts.importRuns });

    progress(`generating a Kinesis batch of ${opts.batchBytes} bytes`);
    const workload = logWorkload({ targetBytes: opts.batchBytes });
    const pipeline = createLogPipeline();
    progress(`timing processLogs: ${opts.warmup} warm-up and ${opts.runs} measured runs`);
    const { result: logTimes } = await withDiscardedStdout(() =>
      interleaved({ floor: () => decodeFloor(workload.records), pipeline: () => pipeline(workload.event) }, opts.runs, opts.warmup),
    );
    const floorMs = median(logTimes.floor!);
    const pipelineMs = median(logTimes.pipeline!);
    // Each pipeline run against the floor run just before it: a cross-check that a slow patch of
    // the machine did not fall on one side only.
    const pairedRatio = median(logTimes.pipeline!.map((ms, i) => ms / logTimes.floor![i]!));

    progress(`timing processNotifications over ${opts.notifications} notifications`);
    const sqsEvents = notificationWorkload({ count: opts.notifications });
    const notify = createNotificationPipeline();
    const { result: notificationTimes } = await withDiscardedStdout(() =>
      interleaved(
        {
          notifications: async () => {
            for (const event of sqsEvents) await notify(event);
          },
        },
        opts.runs,
        opts.warmup,
      ),
    );
    const notificationsMs = median(notificationTimes.notifications!);

    progress('counting DynamoDB requests per async request against dynalite');
    const store = await measureStore({ batchBytes: opts.storeBytes });

    progress('measuring peak RSS of the processLogs bundle on the batch');
    const memory = await measureMemory({ event: workload.event, invocations: opts.memoryInvocations, workDir });

    progress('measuring the CPU of the deployed store and SDK per DynamoDB write');
    const sdkWorkload = logWorkload({ targetBytes: opts.sdkBytes, seed: 5 });
    const sdk = await measureSdkCost({ event: sdkWorkload.event, workDir });

    const report: BenchReport = {
      processLogs: {
        records: workload.records.length,
        logEvents: workload.logEvents,
        decodeFloorMs: round(floorMs),
        pipelineMs: round(pipelineMs),
        ratio: round(pipelineMs / floorMs, 2),
        eventsPerSecond: Math.round(workload.logEvents / (pipelineMs / 1000)),
        peakRssMb: round(memory.peakRssMb),
        deployedMemoryMb: FUNCTION_SPECS.processLogs.memorySize,
      },
      processNotifications: { notificationsPerSecond: Math.round(opts.notifications / (notificationsMs / 1000)) },
      store: { writesPerRequest: round(store.writesPerRequest, 3), readsPerRequest: round(store.readsPerRequest, 3) },
      bundles: Object.fromEntries(Object.entries(bundles).map(([key, b]) => [key, { bytes: b.bytes, importMs: round(b.importMs) }])),
    };

    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const spread = (values: number[]) => `min ${round(Math.min(...values))} / max ${round(Math.max(...values))}`;
    const check = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
    const p = report.processLogs;
    const lines = [
      `processLogs — one Kinesis batch: ${workload.payloadBytes} bytes of event JSON, ${p.records} records, ${p.logEvents} log events`,
      `  (${workload.dataLogLines} data-log lines of ${workload.requests.length} requests, ${round(workload.decodedBytes / 1e6)} MB of subscription JSON once decoded)`,
      `  decode floor   ${p.decodeFloorMs} ms   (median of ${opts.runs}; ${spread(logTimes.floor!)})`,
      `  pipeline       ${p.pipelineMs} ms   (median of ${opts.runs}; ${spread(logTimes.pipeline!)})`,
      `  ${check(p.ratio <= TARGETS.ratio)} ratio ${p.ratio} (target <= ${TARGETS.ratio}; median of the run-by-run ratios ${round(pairedRatio, 2)})`,
      `       ${p.eventsPerSecond} log events/s, ${Math.round(workload.requests.length / (pipelineMs / 1000))} requests/s on one core`,
      `  ${check(p.peakRssMb <= p.deployedMemoryMb * TARGETS.memoryShare)} peak RSS ${p.peakRssMb} MB of ${p.deployedMemoryMb} MB deployed (target <= ${
        p.deployedMemoryMb * TARGETS.memoryShare
      } MB; ${round(memory.rssAfterInitMb)} MB after init, ${opts.memoryInvocations} invocation(s))`,
      `  with the deployed store and SDK (every UpdateItem answered at once by a local endpoint):`,
      `       ${round(sdk.cpuMs / sdk.writes * 1000, 1)} ms of CPU per 1,000 writes, ${round(sdk.cpuMs)} ms CPU / ${round(sdk.wallMs)} ms wall for a batch of ${sdkWorkload.logEvents} events (${sdk.writes} writes)`,
      `processNotifications — ${opts.notifications} notifications in SQS batches of 10`,
      `       ${report.processNotifications.notificationsPerSecond} notifications/s (median run ${round(notificationsMs)} ms)`,
      `store — ${store.requests} async requests (${store.logLines} data-log lines, every request with its notification) against dynalite`,
      `  ${check(store.writesPerRequest <= TARGETS.writesPerRequest)} ${report.store.writesPerRequest} writes per request (target <= ${TARGETS.writesPerRequest})`,
      `  ${check(store.readsPerRequest <= TARGETS.readsPerRequest)} ${report.store.readsPerRequest} reads per request (target 0)`,
      `       requests sent: ${Object.entries(store.operations).map(([op, n]) => `${op} ${n}`).join(', ')}`,
      `       write request units per request: table ${round(store.writeUnits.table, 2)} (dynalite: ${round(store.tableWriteUnitsPerRequest, 2)}), ${Object.entries(
        store.writeUnits.indexes,
      )
        .map(([name, n]) => `index ${name} ${round(n, 2)}`)
        .join(', ')}: ${round(store.writeUnits.total, 2)} in all`,
      `       (${round(store.writeUnits.largeItemShare * 100)}% of writes leave an item over 1 KB; finished records ≈ ${store.itemKb.median} KB, max ${store.itemKb.max} KB)`,
      `       the same log batch redelivered: ${round(store.redelivery.writesPerRequest, 3)} writes and ${round(store.redelivery.readsPerRequest, 3)} reads per request`,
      '       (dynalite ignores ReturnValuesOnConditionCheckFailure, so a redelivery reads once here; DynamoDB returns the item and no read is made)',
      'bundles — minified ESM, SDK included, import time in a fresh Node process (median)',
      ...Object.entries(bundles).map(
        ([key, b]: [string, BundleResult]) =>
          `  ${check(b.bytes < TARGETS.bundleBytes && b.importMs < TARGETS.importMs)} ${key.padEnd(22)} ${round(b.bytes / 1000)} KB  ${round(b.importMs)} ms   (targets < ${
            TARGETS.bundleBytes / 1000
          } KB, < ${TARGETS.importMs} ms)`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
