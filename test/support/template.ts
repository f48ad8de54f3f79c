import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown; [k: string]: unknown }>;
  Outputs?: Record<string, unknown>;
  [k: string]: unknown;
}

const root = resolve(import.meta.dirname, '..', '..');

/** Runs the real `npm run package` pipeline (bundles + osls package, offline) into a temp dir. */
export async function packageTemplate(stage = 'test'): Promise<{ template: CfnTemplate; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sagewatch-package-'));
  const run = promisify(execFile);
  await run(process.execPath, ['bin/run-ts.js', 'scripts/bundle.ts'], { cwd: root });
  await run(process.execPath, [resolve(root, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', stage, '--region', 'eu-west-1', '--package', dir], {
    cwd: root,
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  });
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { template, dir };
}
