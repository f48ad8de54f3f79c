import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRepository, readmeCommands, root, sh, type Ran, type RepositoryCopy } from '../support/readme';

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
 *  - blocks whose first line is `# needs AWS ...`: test/e2e/readme-aws.test.ts runs those, in
 *    parallel with this file (none of them reads or writes the local store).
 */
const all = process.env.SAGEWATCH_README_ALL === '1';
const SKIPPED: Array<{ command: RegExp; why: string; long?: true }> = [
  { command: /^npm test\b/, why: 'the suite itself' },
  { command: /^npx sagewatch demo --chaos\b/, why: 'about 2 minutes', long: true },
  { command: /^npm start -- --endpoints 2000\b/, why: 'about 9 minutes', long: true },
];
/** `npm ci && npm start`: the copy is installed already; the rest of the line runs. */
const INSTALL = /^npm ci && /;

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

describe('the README, run verbatim', () => {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8')).filter((c) => !c.needsAws);
  let copy: RepositoryCopy | undefined;
  afterAll(() => copy?.remove());

  it('has the commands this test knows: npm start first, every local command with a claim to check', () => {
    expect(commands[0]!.command).toBe('npm ci && npm start');
    for (const { command } of commands) {
      if (SKIPPED.some((s) => s.command.test(command) && !s.long)) continue;
      const runnable = command.replace(INSTALL, '');
      expect(
        CLAIMS.some((claim) => claim.command.test(runnable)),
        `no claim checked for: ${command}`,
      ).toBe(true);
    }
  });

  it(
    'runs every local block in order in a copy of the repository: each command exits 0 and prints what the text says',
    async () => {
      copy = await copyRepository();
      const results: string[] = [];
      for (const { command, line } of commands) {
        const skipped = SKIPPED.find((s) => s.command.test(command) && !(s.long && all));
        if (skipped) {
          results.push(`README:${line} skipped (${skipped.why}): ${command}`);
          continue;
        }
        const runnable = command.replace(INSTALL, '');
        const ran = await sh(runnable, copy.dir, copy.env);
        expect(ran.code, `README:${line} ${command}\n${ran.stderr.slice(-2000)}`).toBe(0);
        CLAIMS.find((c) => c.command.test(runnable))!.check(ran);
        results.push(`README:${line} ok: ${command}`);
      }
      // The record of what ran, for whoever reads the test output.
      process.stderr.write(`${results.join('\n')}\n`);
      expect(results.filter((r) => r.includes(' ok: ')).length).toBeGreaterThanOrEqual(14);
    },
    all ? 1_800_000 : 300_000,
  );
});
