/**
 * Every function's deployed bundle (scripts/bundle.ts, SDK included): its size, the CPU a fresh
 * process spends importing it (most of a cold start's init), and, for the functions the bench
 * can invoke for real, the first call: import plus the first invocation, which also builds the
 * SDK clients, resolves credentials and opens the first connections. Each figure is the median
 * over `runs` fresh processes.
 */
import { bundleFunctions } from '../scripts/bundle';
import type { FunctionKey } from '../infra/functions';
import type { BenchEnvironment } from './environment';
import { LambdaProcess } from './lambda-process';
import { median } from './measure';

export interface BundleResult {
  bytes: number;
  file: string;
  /** CPU (user + system) of the import, and its wall time. */
  importMs: number;
  importWallMs: number;
}

export interface ColdStart {
  /** CPU of import + first invocation in a fresh process, and the same invocation's CPU when warm. */
  firstCallMs: number;
  firstCallWallMs: number;
  warmCallMs: number;
}

export function buildBundles(outRoot: string): Promise<Record<string, { bytes: number; file: string }>> {
  return bundleFunctions(undefined, { outRoot });
}

export async function measureImports(options: { built: Record<string, { bytes: number; file: string }>; runs: number; workDir: string; env: BenchEnvironment }): Promise<Record<string, BundleResult>> {
  const results: Record<string, BundleResult> = {};
  for (const [key, { bytes, file }] of Object.entries(options.built)) {
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = await LambdaProcess.start({ key: key as FunctionKey, bundle: file, workDir: options.workDir, env: await options.env.functionEnv('imports') });
      cpu.push(started.importCpuMs);
      wall.push(started.importWallMs);
      await started.process.close();
    }
    results[key] = { bytes, file, importMs: median(cpu), importWallMs: median(wall) };
  }
  return results;
}

/**
 * First calls of the functions in `events` (function key → its first event, built fresh for
 * each run so no run finds the store already holding its requests).
 */
export async function measureColdStarts(options: {
  built: Record<string, { file: string }>;
  events: Record<string, (run: number) => unknown>;
  runs: number;
  workDir: string;
  env: BenchEnvironment;
}): Promise<Record<string, ColdStart>> {
  const results: Record<string, ColdStart> = {};
  for (const [key, eventFor] of Object.entries(options.events)) {
    const first: number[] = [];
    const firstWall: number[] = [];
    const warm: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const {
        process: lambda,
        importCpuMs,
        importWallMs,
      } = await LambdaProcess.start({
        key: key as FunctionKey,
        bundle: options.built[key]!.file,
        workDir: options.workDir,
        env: await options.env.functionEnv('coldStarts'),
      });
      try {
        const call = await lambda.invoke(eventFor(2 * run));
        if (call.error) throw new Error(`bench: ${key}'s first call failed: ${call.error}`);
        first.push(importCpuMs + call.cpuMs);
        firstWall.push(importWallMs + call.wallMs);
        warm.push((await lambda.invoke(eventFor(2 * run + 1))).cpuMs);
      } finally {
        await lambda.close();
      }
    }
    results[key] = { firstCallMs: median(first), firstCallWallMs: median(firstWall), warmCallMs: median(warm) };
  }
  return results;
}
