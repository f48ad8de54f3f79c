import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../local/runtime';

const root = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function demo(args: string[]): Promise<{ summary: DemoSummary; home: string }> {
  const home = mkdtempSync(join(tmpdir(), 'sagewatch-e2e-'));
  const { stdout } = await run(process.execPath, ['bin/sagewatch.js', 'demo', '--json', ...args], {
    cwd: root,
    env: { ...process.env, SAGEWATCH_HOME: home },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { summary: JSON.parse(stdout) as DemoSummary, home };
}

function expectHealthyRun(summary: DemoSummary) {
  expect(summary.lost).toBe(0);
  expect(summary.correlated).toBe(summary.requests);
  expect(summary.duplicatesCounted).toBe(0);
  expect(summary.falseAlerts).toEqual([]);
  expect(summary.deadLetters).toBe(0);
  expect(summary.kinesisFailures).toBe(0);
  expect(summary.slackDuplicates).toBe(0);
  // Every injected fault is caught by the alert meant for it, on the right resource.
  expect(summary.injected.length).toBeGreaterThanOrEqual(5);
  expect(summary.detected.map((d) => d.faultId).sort()).toEqual(summary.injected.map((f) => f.id).sort());
  for (const hit of summary.detected) {
    const fault = summary.injected.find((f) => f.id === hit.faultId)!;
    expect(hit.alert.resource).toBe(fault.resource);
  }
  // Every alert published reached Slack exactly once.
  expect(summary.alertsDeliveredToSlack).toBe(summary.alertsSent);
}

describe('sagewatch demo (end to end, embedded emulators)', () => {
  it('correlates every request, catches every injected fault and raises no false alert', async () => {
    const { summary, home } = await demo(['--requests', '400', '--seed', '7']);
    expectHealthyRun(summary);
    expect(summary.requests).toBeGreaterThanOrEqual(400);
    expect(summary.attached.length).toBe(summary.endpoints.length + 3);
    expect(new Set(summary.endpoints.map((e) => e.kind)).size).toBe(8);

    // The records stay behind for `sagewatch query`.
    const burst = summary.detected.find((d) => d.alert.kind === 'failure-burst')!;
    const { stdout } = await run(process.execPath, ['bin/sagewatch.js', 'query', '--endpoint', burst.alert.resource, '--status', 'Failed', '--json'], {
      cwd: root,
      env: { ...process.env, SAGEWATCH_HOME: home },
    });
    const records = JSON.parse(stdout) as Array<{ status: string; endpointName: string }>;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.status === 'Failed' && r.endpointName === burst.alert.resource)).toBe(true);
  }, 180_000);

  it('gives the same result for the same seed', async () => {
    const [a, b] = [await demo(['--requests', '150', '--seed', '11', '--faults', 'none']), await demo(['--requests', '150', '--seed', '11', '--faults', 'none'])];
    const strip = ({ elapsedMs: _e, ...rest }: DemoSummary) => rest;
    expect(strip(a.summary)).toEqual(strip(b.summary));
    expect(a.summary.injected).toEqual([]);
    expect(a.summary.falseAlerts).toEqual([]);
  }, 180_000);

  it('loses nothing and counts nothing twice under infrastructure chaos', async () => {
    const { summary } = await demo(['--requests', '300', '--seed', '3', '--chaos']);
    expectHealthyRun(summary);
    expect(summary.chaos!.throttledWrites).toBeGreaterThan(0);
    expect(summary.chaos!.crashedInvocations).toBeGreaterThan(0);
    expect(summary.chaos!.duplicatedMessages).toBeGreaterThan(0);
    expect(summary.chaos!.redeliveredBatches).toBeGreaterThan(0);
  }, 300_000);
});
