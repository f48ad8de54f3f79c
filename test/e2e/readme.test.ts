import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README is the contract: every command of its ```sh blocks runs verbatim, in order, in a
 * copy of the repository (its own ./.sagewatch), as a newcomer runs them after
 * `npm ci && npm start`, and prints what the text around it says (CLAIMS below; a command
 * without a claim fails the test, so a new block must say what it proves).
 *
 * Not run, by this list only (each with why):
 *  - SKIPPED: `npm ci` (the copy uses this checkout's node_modules), `npm test` (this suite),
 *    and the two long demos (`--chaos`, 2 min; `--endpoints 2000`, 9 min), which
 *    `SAGEWATCH_README_ALL=1 npx vitest run test/e2e/readme.test.ts` runs as well.
 * Blocks whose first line is `# needs AWS ...` are run too, with no credentials anywhere (no
 * keys, no profile files, no instance metadata): each command must stop with a non-zero
 * status and a line naming the missing credentials or Region, and no stack trace.
 */
const root = resolve(import.meta.dirname, '..', '..');
const all = process.env.SAGEWATCH_README_ALL === '1';
const SKIPPED: Array<{ command: RegExp; why: string; long?: true }> = [
  { command: /^npm test\b/, why: 'the suite itself' },
  { command: /^npx sagewatch demo --chaos\b/, why: 'about 2 minutes', long: true },
  { command: /^npm start -- --endpoints 2000\b/, why: 'about 9 minutes', long: true },
];
/** `npm ci && npm start`: the copy is installed already; the rest of the line runs. */
const INSTALL = /^npm ci && /;

interface Ran {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const CLAIMS: Array<{ command: RegExp; check: (ran: Ran) => void }> = [
  {
    command: /^npm start$/,
    check: ({ stdout }) => {
      expect(stdout).toMatch(/correlated (\d+) of \1, lost 0/);
      expect(stdout).toMatch(/caught after \d+ min/);
      expect(stdout).toContain('alerts without a fault: none');
    },
  },
  { command: /^npx sagewatch demo --requests 5000 --seed 7\b/, check: ({ stdout }) => expect(stdout).toMatch(/seed 7, .*5000 async requests/) },
  { command: /^npx sagewatch demo --chaos\b/, check: ({ stdout }) => expect(stdout).toMatch(/lost 0/) },
  {
    command: /^npx sagewatch demo --faults none --json\b/,
    check: ({ stdout }) => expect(Object.keys(json(stdout))).toEqual(expect.arrayContaining(['requests', 'correlated', 'lost'])),
  },
  {
    command: /^npx sagewatch plan --event \S+async-in-service\.json\s+--describe/,
    check: ({ stdout }) => expect(stdout).toMatch(/endpoint doc-ocr-async: InService → attach[\s\S]*\+ cloudwatch:PutMetricAlarm/),
  },
  {
    command: /^npx sagewatch plan --event \S+training-job-state-change\.failed\.json --json/,
    check: ({ stdout }) => {
      const plan = json(stdout) as { resource: unknown; kinds: unknown; actions: Array<Record<string, unknown>> };
      expect(plan).toMatchObject({ resource: expect.any(Object), kinds: expect.any(Array) });
      for (const action of plan.actions) expect(Object.keys(action).sort()).toEqual(['action', 'input', 'service']);
    },
  },
  { command: /^npm start -- --scenario /, check: ({ stdout }) => expect(stdout).toMatch(/F1 error-burst on \S+: caught after/) },
  { command: /^npm start -- --endpoints 2000\b/, check: ({ stdout }) => expect(json(stdout)).toHaveProperty('controlPlane') },
  { command: /^npx sagewatch alerts --since \d+h/, check: ({ stdout }) => expect(stdout).toMatch(/^SENT\s+STATUS[\s\S]*\n\d{4}-/) },
  {
    command: /^npx sagewatch invoke notifySlack /,
    check: ({ stdout, stderr }) => {
      expect(json(stdout)).toMatchObject({ printed: 1 });
      expect(stderr).toContain('"blocks"');
    },
  },
  {
    command: /^npx sagewatch query --inference-id /,
    check: ({ command, stdout }) => {
      const id = command.split(/\s+/)[4]!;
      expect(stdout).toMatch(new RegExp(`^inference id\\s+${id}\\n`));
      expect(stdout).toMatch(/^status\s+Failed$/m);
    },
  },
  {
    command: /^npx sagewatch query --endpoint \S+ --status Failed --since 1h/,
    check: ({ stdout }) => {
      const rows = stdout.trim().split('\n').slice(2);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toMatch(/\sFailed\s/);
    },
  },
  {
    command: /^npx sagewatch query --endpoint \S+ --json/,
    check: ({ stdout }) => {
      const records = JSON.parse(stdout) as Array<{ inferenceId: string }>;
      expect(records.length).toBeGreaterThan(0);
      expect(records[0]!.inferenceId).toMatch(/^[0-9a-f-]{36}$/);
    },
  },
  {
    command: /invoke process(Logs|Notifications) /,
    check: ({ stdout, stderr }) => {
      expect(json(stdout)).toEqual({ batchItemFailures: [] });
      expect(stderr).toContain('planned, nothing changed');
    },
  },
];

/** Commands of the README's ```sh blocks (continued lines joined), and whether their block needs AWS. */
function readmeCommands(text: string): Array<{ command: string; needsAws: boolean; line: number }> {
  const commands: Array<{ command: string; needsAws: boolean; line: number }> = [];
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
const copy = mkdtempSync(join(tmpdir(), 'sagewatch-readme-'));
const home = join(copy, '.home');
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** A copy of the checkout's tracked and new files, with its node_modules linked in. */
async function copyRepository(): Promise<string> {
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
  return dir;
}

/** The environment of a newcomer's shell with no AWS account configured anywhere. */
function newcomerEnv(): NodeJS.ProcessEnv {
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

async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  try {
    // pipefail: a pipeline of AWS CLI calls fails when its first call does.
    const { stdout, stderr } = await run('bash', ['-o', 'pipefail', '-c', command], { cwd, env, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 });
    return { command, code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { command, code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the README, run verbatim', () => {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8'));

  it('has the commands this test knows: npm start first, every local command with a claim to check', () => {
    expect(commands[0]!.command).toBe('npm ci && npm start');
    for (const { command, needsAws } of commands) {
      if (needsAws || SKIPPED.some((s) => s.command.test(command) && !s.long)) continue;
      const runnable = command.replace(INSTALL, '');
      expect(CLAIMS.some((claim) => claim.command.test(runnable)), `no claim checked for: ${command}`).toBe(true);
    }
  });

  it(
    'runs every block in order in a copy of the repository: local commands exit 0 and print what the text says, AWS ones stop cleanly without credentials',
    async () => {
      const dir = await copyRepository();
      const env = newcomerEnv();
      const results: string[] = [];
      for (const { command, needsAws, line } of commands) {
        const skipped = SKIPPED.find((s) => s.command.test(command) && !(s.long && all));
        if (skipped) {
          results.push(`README:${line} skipped (${skipped.why}): ${command}`);
          continue;
        }
        const runnable = command.replace(INSTALL, '');
        const ran = await sh(runnable, dir, env);
        const where = `README:${line} ${command}\n${ran.stderr.slice(-2000)}`;
        if (needsAws) {
          expect(ran.code, where).not.toBe(0);
          expect(`${ran.stdout}\n${ran.stderr}`, where).toMatch(/credentials|region/i);
          expect(ran.stderr, where).not.toMatch(/Traceback|\n\s+at .+:\d+:\d+\)?\n/);
          results.push(`README:${line} refused without credentials (exit ${ran.code}): ${command}`);
          continue;
        }
        expect(ran.code, where).toBe(0);
        const claim = CLAIMS.find((c) => c.command.test(runnable))!;
        claim.check(ran);
        results.push(`README:${line} ok: ${command}`);
      }
      // The record of what ran, for whoever reads the test output.
      process.stderr.write(`${results.join('\n')}\n`);
      expect(results.filter((r) => r.includes(' ok: ')).length).toBeGreaterThanOrEqual(14);
    },
    all ? 1_800_000 : 300_000,
  );
});
