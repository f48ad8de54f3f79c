/**
 * Every function's deployed bundle (scripts/bundle.ts, SDK included): its size, and the time a
 * fresh Node process takes to import it, which is most of a cold start's init phase.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleFunctions } from '../scripts/bundle';
import { median } from './measure';

const run = promisify(execFile);

export interface BundleResult {
  bytes: number;
  importMs: number;
  file: string;
}

/** What Lambda's environment provides before init; importing a bundle must not need more. */
export function lambdaLikeEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'sagewatch-bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    POWERTOOLS_SERVICE_NAME: 'sagewatch',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function importMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: lambdaLikeEnv() });
  return Number(stdout);
}

export async function measureBundles(options: { outRoot: string; importRuns: number }): Promise<Record<string, BundleResult>> {
  const built = await bundleFunctions(undefined, { outRoot: options.outRoot });
  const results: Record<string, BundleResult> = {};
  for (const [key, { bytes, file }] of Object.entries(built)) {
    const times: number[] = [];
    for (let i = 0; i < options.importRuns; i++) times.push(await importMs(file));
    results[key] = { bytes, importMs: median(times), file };
  }
  return results;
}
