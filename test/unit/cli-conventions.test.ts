import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../cli/color';
import { cli } from '../support/cli';

const EVENT = 'events/sagemaker/endpoint-state-change.async-in-service.json';
const DESCRIBE = 'events/sagemaker/describe/async.json';
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe('CLI usage errors: one line on stderr, exit 2, a suggestion', () => {
  it('suggests the command meant by a typo', async () => {
    expectUsageError(await cli(['quer']), /^sagewatch: unknown command 'quer' \(did you mean query\?\)$/m);
    expectUsageError(await cli(['pln', '--event', EVENT]), /did you mean plan\?/);
  });

  it('suggests the flag meant by a typo', async () => {
    expectUsageError(await cli(['query', '--endpont', 'x']), /unknown option '--endpont' \(did you mean --endpoint\?\)/);
    expectUsageError(await cli(['demo', '--request', '10']), /did you mean --requests\?/);
  });

  it('reads `--limit -3` as a bad value, not as an unknown flag', async () => {
    expectUsageError(await cli(['query', '--endpoint', 'x', '--limit', '-3']), /'--limit <n>' argument '-3' is invalid\. expected a whole number of at least 1/);
    expectUsageError(await cli(['alerts', '--limit', '2.5']), /argument '2\.5' is invalid/);
    expectUsageError(await cli(['demo', '--requests', 'many']), /'--requests <n>' argument 'many' is invalid/);
  });

  it('refuses help for a command that does not exist, with a suggestion when one is close', async () => {
    expectUsageError(await cli(['help', 'bogus']), /unknown command 'bogus'; commands: demo, replay, invoke, query, alerts, plan/);
    expectUsageError(await cli(['help', 'qeury']), /unknown command 'qeury' \(did you mean query\?\)/);
  });

  it('names a missing argument, an extra one and a value outside the choices', async () => {
    expectUsageError(await cli(['invoke']), /missing required argument 'function'/);
    expectUsageError(await cli(['demo', 'extra']), /too many arguments for 'demo'/);
    expectUsageError(await cli(['plan', '--event', EVENT, '--output', 'yaml']), /argument 'yaml' is invalid\. Allowed choices are table, json/);
    expectUsageError(await cli(['query']), /query needs --inference-id ID or --endpoint NAME/);
    expectUsageError(await cli(['query', '--endpoint', 'x', '--json', '--output', 'table']), /contradict/);
  });

  it('prints usage to stderr with exit 2 when called with nothing', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: sagewatch <command> \[options\]/);
  });
});

describe('CLI help and version exit 0 on stdout', () => {
  it('shows help for the program and for a command', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Commands:\n\s+demo/);
    }
    const query = await cli(['help', 'query']);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(/--inference-id <id>/);
    expect(query.stdout).toMatch(/--output <format>/);
    expect(query.stdout).toMatch(/Global Options:[\s\S]*--debug[\s\S]*--no-color/);
    expect((await cli(['query', '--help'])).stdout).toBe(query.stdout);
  });

  it('prints the package version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('CLI output formats', () => {
  it('--json is --output json, and table is the default', async () => {
    const json = await cli(['plan', '--event', EVENT, '--describe', DESCRIBE, '--json']);
    const output = await cli(['plan', '--event', EVENT, '--describe', DESCRIBE, '--output', 'json']);
    expect(json.code).toBe(0);
    expect(output).toEqual(json);
    const plan = JSON.parse(json.stdout) as { actions: Array<{ action: string }> };
    expect(plan.actions.some((a) => a.action === 'PutMetricAlarm')).toBe(true);
    const table = await cli(['plan', '--event', EVENT, '--describe', DESCRIBE]);
    expect(table.code).toBe(0);
    expect(() => JSON.parse(table.stdout)).toThrow();
    expect((await cli(['plan', '--event', EVENT, '--describe', DESCRIBE, '--output', 'table'])).stdout).toBe(table.stdout);
  });
});

describe('CLI errors show a stack trace only with --debug', () => {
  it('one line without --debug, the stack with it', async () => {
    const plain = await cli(['plan', '--event', 'package.json']);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(/^sagewatch: cannot plan: /);
    const debug = await cli(['plan', '--event', 'package.json', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toBe(plain.stderr.trimEnd());
    expect(debug.stderr).toMatch(/\n\s+at .+\.ts:\d+/);
  });

  it("a missing file is the user's mistake: exit 2, one line", async () => {
    expectUsageError(await cli(['plan', '--event', 'no-such-event.json']), /^sagewatch: event file not found: no-such-event\.json$/m);
  });
});

describe('colour only where a person reads it', () => {
  const tty = { isTTY: true };
  it('on a terminal, not on a pipe', () => {
    expect(colorEnabled(tty, { env: {} })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { env: {} })).toBe(false);
    expect(colorEnabled({}, { env: {} })).toBe(false);
  });
  it('never with --no-color, NO_COLOR or a dumb terminal; FORCE_COLOR forces it on a pipe', () => {
    expect(colorEnabled(tty, { flag: false, env: {} })).toBe(false);
    expect(colorEnabled(tty, { env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled(tty, { env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled(tty, { env: { TERM: 'dumb' } })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled(tty, { flag: false, env: { FORCE_COLOR: '1' } })).toBe(false);
  });
});
