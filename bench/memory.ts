/**
 * The processLogs handler on one batch in its own process, so that nothing of the bench
 * (workload, timings, dynalite) is counted: the handler and the sink store are bundled with the
 * functions' esbuild options and run with plain Node. Measures peak RSS with the sink store, and
 * the CPU the deployed store and SDK spend per write against an endpoint that answers at once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../scripts/bundle';
import { lambdaLikeEnv } from './bundles';

export interface ChildResult {
  peakRssMb: number;
  rssAfterInitMb: number;
  /** CPU (user + system, all threads) and wall time of the last invocation. */
  cpuMs: number;
  wallMs: number;
}

async function buildChild(workDir: string): Promise<string> {
  const child = join(workDir, 'memory-child.mjs');
  await build(bundleOptions(resolve(import.meta.dirname, 'memory-child.ts'), child));
  return child;
}

function runChild(child: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise<ChildResult>((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let report = '';
    let errors = '';
    proc.stdio[3]!.on('data', (chunk: Buffer) => (report += chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0 || report === '') reject(new Error(`bench child exited with ${code}: ${errors.slice(-2000)}`));
      else resolvePromise(JSON.parse(report) as ChildResult);
    });
  });
}

/** Peak RSS while the handler processes `event` (sink store), over `invocations` warm invocations. */
export async function measureMemory(options: { event: unknown; invocations: number; workDir: string }): Promise<ChildResult> {
  const child = await buildChild(options.workDir);
  const eventFile = join(options.workDir, 'process-logs-batch.json');
  writeFileSync(eventFile, JSON.stringify(options.event));
  return runChild(child, ['sink', eventFile, String(options.invocations)], lambdaLikeEnv());
}

/**
 * CPU per DynamoDB write on the deployed path (marshalling, signing, HTTP), which is most of
 * what a batch costs in Lambda: the handler with its real store sends every UpdateItem to a
 * local endpoint that answers `{}` at once. The second invocation is the one reported.
 */
export async function measureSdkCost(options: { event: unknown; workDir: string }): Promise<ChildResult & { writes: number }> {
  const child = await buildChild(options.workDir);
  const eventFile = join(options.workDir, 'process-logs-sdk-batch.json');
  writeFileSync(eventFile, JSON.stringify(options.event));
  let writes = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      writes++;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await runChild(child, ['sdk', eventFile, '2'], { ...lambdaLikeEnv(), AWS_ENDPOINT_URL_DYNAMODB: endpoint });
    return { ...result, writes: writes / 2 };
  } finally {
    await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  }
}
