/**
 * One function's execution environment: a fresh Node process (bench/lambda-child.ts) that
 * imports the function's deployed bundle and runs its handler on the events it is sent, with
 * the environment Lambda gives it and the V8 heap capped to its deployed memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_SPECS, type FunctionKey } from '../infra/functions';
import { bundleOptions } from '../scripts/bundle';
import type { ChildReply, ChildRequest } from './lambda-child';

export interface Invocation {
  cpuMs: number;
  wallMs: number;
  stdoutBytes: number;
  result?: unknown;
  error?: string;
}

/** What Lambda's environment provides before init; importing a bundle must not need more. */
export function lambdaEnv(key: FunctionKey, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: `sagewatch-bench-${key}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(FUNCTION_SPECS[key].memorySize),
    POWERTOOLS_SERVICE_NAME: 'sagewatch',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

let childFile: Promise<string> | undefined;

/** Builds the child runtime once per bench run (into `workDir`). */
export function buildChild(workDir: string): Promise<string> {
  childFile ??= (async () => {
    const file = join(workDir, 'lambda-child.mjs');
    await build(bundleOptions(resolve(import.meta.dirname, 'lambda-child.ts'), file));
    return file;
  })();
  return childFile;
}

export class LambdaProcess {
  private readonly child: ChildProcess;
  private readonly waiting: Array<(message: ChildReply) => void> = [];
  private nextId = 0;
  private stderr = '';
  private exited?: string;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message: ChildReply) => this.waiting.shift()?.(message));
    child.on('exit', (code, signal) => {
      this.exited = `exited with ${signal ?? code}${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
      for (const resolveWaiter of this.waiting.splice(0)) resolveWaiter({ type: 'failed', error: this.exited });
    });
  }

  /**
   * Starts a fresh environment for `key` and imports `bundle` in it. The V8 heap is capped at
   * 90% of the deployed memory, about what Lambda's Node runtime leaves its heap.
   */
  static async start(options: {
    key: FunctionKey;
    bundle: string;
    workDir: string;
    env?: Record<string, string>;
    /** Write a V8 CPU profile of the whole process there when it ends (`node --cpu-prof`). */
    cpuProfileDir?: string;
  }): Promise<{ process: LambdaProcess; importCpuMs: number; importWallMs: number }> {
    const memory = FUNCTION_SPECS[options.key].memorySize;
    const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${options.key}-${Date.now()}-${process.pid}.cpuprofile`] : [];
    const child = fork(await buildChild(options.workDir), [], {
      env: lambdaEnv(options.key, options.env),
      execArgv: [`--max-old-space-size=${Math.floor(memory * 0.9)}`, ...profile],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const lambda = new LambdaProcess(child);
    const imported = await lambda.request({ type: 'import', file: options.bundle });
    if (imported.type !== 'imported') {
      await lambda.close();
      throw new Error(`bench: ${options.key} bundle failed to import: ${imported.type === 'failed' ? imported.error : imported.type}`);
    }
    return { process: lambda, importCpuMs: imported.cpuMs, importWallMs: imported.wallMs };
  }

  private request(message: ChildRequest): Promise<ChildReply> {
    if (this.exited) return Promise.resolve({ type: 'failed', error: this.exited });
    return new Promise<ChildReply>((resolveReply) => {
      this.waiting.push(resolveReply);
      this.child.send(message);
    });
  }

  /** Runs the handler once; `clockMs` sets the time it sees when it starts. */
  async invoke(event: unknown, clockMs?: number): Promise<Invocation> {
    const id = this.nextId++;
    const reply = await this.request({ type: 'invoke', id, event, ...(clockMs === undefined ? {} : { clockMs }) });
    if (reply.type !== 'invoked') throw new Error(`bench: the function died: ${reply.type === 'failed' ? reply.error : reply.type}`);
    return reply;
  }

  /** Hands `data` to the bundle's own `prepare` export (a bench entry's set-up), outside any measured call. */
  async prepare(data: unknown): Promise<unknown> {
    const reply = await this.request({ type: 'prepare', data });
    if (reply.type !== 'prepared') throw new Error(`bench: prepare failed: ${reply.type === 'failed' ? reply.error : reply.type}`);
    return reply.result;
  }

  /** Peak resident set size of the process so far (what Lambda's "Max Memory Used" reports). */
  async maxRssMb(): Promise<number> {
    const reply = await this.request({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error(`bench: the function died: ${reply.type === 'failed' ? reply.error : reply.type}`);
    return reply.maxRssMb;
  }

  /** Ends the process the way it ends itself (so a CPU profile is written), killing it if it hangs. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolveExit) => this.child.once('exit', () => resolveExit()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
