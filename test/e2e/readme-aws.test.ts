import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRepository, readmeCommands, root, sh, type RepositoryCopy } from '../support/readme';

/**
 * The README's blocks that need an AWS account (first line `# needs AWS ...`) are run, not
 * skipped: verbatim, in a copy of the repository, with no credentials anywhere (no keys, no
 * profile files, no instance metadata). Each command must stop with a non-zero status and a
 * line naming the missing credentials or Region, and no stack trace. (The local blocks are
 * test/e2e/readme.test.ts.)
 */
describe("the README's AWS blocks, without an AWS account", () => {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8')).filter((c) => c.needsAws);
  let copy: RepositoryCopy | undefined;
  afterAll(() => copy?.remove());

  it('marks the deploy, removal and AWS CLI blocks as needing AWS', () => {
    const text = commands.map((c) => c.command).join('\n');
    expect(text).toMatch(/^npm run deploy -- --stage prod --region eu-west-1$/m);
    expect(text).toMatch(/^npx osls remove /m);
    expect(text).toMatch(/^aws ssm put-parameter /m);
    expect(text).toMatch(/^aws cloudwatch describe-alarms /m);
  });

  it('stops every one of them cleanly, naming what is missing', async () => {
    copy = await copyRepository();
    const results: string[] = [];
    for (const { command, line } of commands) {
      const ran = await sh(command, copy.dir, copy.env);
      const where = `README:${line} ${command}\n${ran.stderr.slice(-2000)}`;
      expect(ran.code, where).not.toBe(0);
      expect(`${ran.stdout}\n${ran.stderr}`, where).toMatch(/credentials|region/i);
      expect(ran.stderr, where).not.toMatch(/Traceback|\n\s+at .+:\d+:\d+\)?\n/);
      results.push(`README:${line} refused without credentials (exit ${ran.code}): ${command}`);
    }
    process.stderr.write(`${results.join('\n')}\n`);
    expect(results.length).toBeGreaterThanOrEqual(7);
  }, 300_000);
});
