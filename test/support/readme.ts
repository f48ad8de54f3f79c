import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Running the README's ```sh blocks as a newcomer would (test/e2e/readme-*.test.ts): the
 * commands, each block marked `# needs AWS` or not, a copy of the repository to run them in,
 * and a shell with no AWS account configured anywhere.
 */
export const root = resolve(import.meta.dirname, '..', '..');

export interface ReadmeCommand {
  command: string;
  needsAws: boolean;
  line: number;
}

export interface Ran {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Commands of the README's ```sh blocks (continued lines joined), and whether their block needs AWS. */
export function readmeCommands(text: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```sh\s*$/.test(lines[i]!)) continue;
    const body: Array<{ text: string; line: number }> = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push({ text: lines[i]!.trim(), line: i + 1 });
    const needsAws = /^# needs AWS\b/.test(body[0]?.text ?? '');
    let current: { command: string; line: number } | undefined;
    for (const { text: part, line } of body) {
      if (current === undefined && (part === '' || part.startsWith('#'))) continue;
      const joined = current ? `${current.command} ${part}` : part;
      current = { command: joined.replace(/\s*\\$/, ''), line: current?.line ?? line };
      if (!part.endsWith('\\')) {
        commands.push({ command: withoutComment(current.command), needsAws, line: current.line });
        current = undefined;
      }
    }
  }
  return commands;
}

/** Drops a trailing `  # comment` that is outside quotes (bash would ignore it too). */
function withoutComment(command: string): string {
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && /\s/.test(command[i - 1] ?? '')) return command.slice(0, i).trim();
  }
  return command.trim();
}

const run = promisify(execFile);

export interface RepositoryCopy {
  dir: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** A copy of the checkout's tracked and new files, with its node_modules linked in, and the shell to run in it. */
export async function copyRepository(): Promise<RepositoryCopy> {
  const copy = mkdtempSync(join(tmpdir(), 'sagewatch-readme-'));
  const home = join(copy, '.home');
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const dir = join(copy, 'sagewatch');
  for (const file of stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(root, file), join(dir, file));
    } catch (error) {
      // A file deleted in the checkout but not yet staged.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(home);
  return { dir, env: newcomerEnv(home), remove: () => rmSync(copy, { recursive: true, force: true }) };
}

/** The environment of a newcomer's shell with no AWS account configured anywhere. */
function newcomerEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|SAGEWATCH_|POWERTOOLS_|VITEST|NODE_OPTIONS$|npm_)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    NO_COLOR: '1',
  };
}

export async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  try {
    // pipefail: a pipeline of AWS CLI calls fails when its first call does.
    const { stdout, stderr } = await run('bash', ['-o', 'pipefail', '-c', command], { cwd, env, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 });
    return { command, code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { command, code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
