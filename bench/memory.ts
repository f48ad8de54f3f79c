/**
 * Peak memory of processLogs on the worst-case batch (bench/workload.ts worstCaseWorkload): the
 * deployed bundle in a fresh process at its deployed memory, writing to dynalite (unmetered,
 * the figure is RSS), on one batch after another as a warm container receives them.
 */
import { FUNCTION_SPECS } from '../infra/functions';
import type { BenchEnvironment } from './environment';
import { LambdaProcess } from './lambda-process';
import type { LogWorkload } from './workload';

export interface MemoryResult {
  peakRssMb: number;
  rssAfterImportMb: number;
  deployedMemoryMb: number;
  /** CPU and wall time of each invocation, and its failed records (a full batch must not fail). */
  invocations: Array<{ cpuMs: number; wallMs: number; failedRecords: number; error?: string }>;
  /** Set when the process ran out of its deployed memory. */
  died?: string;
}

export async function measureMemory(options: { batches: LogWorkload[]; bundle: string; env: BenchEnvironment; workDir: string }): Promise<MemoryResult> {
  const deployedMemoryMb = FUNCTION_SPECS.processLogs.memorySize;
  const { process: lambda } = await LambdaProcess.start({
    key: 'processLogs',
    bundle: options.bundle,
    workDir: options.workDir,
    env: await options.env.functionEnv(undefined),
  });
  const invocations: MemoryResult['invocations'] = [];
  let rssAfterImportMb = 0;
  try {
    rssAfterImportMb = await lambda.maxRssMb();
    for (const batch of options.batches) {
      const run = await lambda.invoke(batch.event);
      const failures = (run.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
      invocations.push({ cpuMs: run.cpuMs, wallMs: run.wallMs, failedRecords: failures, ...(run.error ? { error: run.error } : {}) });
    }
    return { peakRssMb: await lambda.maxRssMb(), rssAfterImportMb, deployedMemoryMb, invocations };
  } catch (error) {
    return { peakRssMb: Number.NaN, rssAfterImportMb, deployedMemoryMb, invocations, died: String(error) };
  } finally {
    await lambda.close();
  }
}
