import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { undetectable } from './demo-summary';
import type { DemoSummary } from './runtime';

/**
 * Runs scenario files through the real CLI (`sagewatch demo --scenario FILE --seed S --json`),
 * each in its own process and $SAGEWATCH_HOME, and judges the outcome: every fault caught in
 * time, no false alert, nothing lost or counted twice. Used by the scenario tests and by
 * `npm run scenarios` (every file, more seeds).
 */

const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

export interface ScenarioRun {
  file: string;
  seed: number;
  summary: DemoSummary;
  problems: string[];
}

export async function runScenario(file: string, seed?: number): Promise<ScenarioRun> {
  const home = mkdtempSync(join(tmpdir(), 'sagewatch-scenario-'));
  try {
    const args = ['bin/sagewatch.js', 'demo', '--scenario', resolve(root, file), '--json', ...(seed !== undefined ? ['--seed', String(seed)] : [])];
    const { stdout } = await run(process.execPath, args, { cwd: root, env: { ...process.env, SAGEWATCH_HOME: home }, maxBuffer: 64 * 1024 * 1024 });
    const summary = JSON.parse(stdout) as DemoSummary;
    return { file, seed: summary.seed, summary, problems: problemsOf(summary) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** What makes a run fail, in words; empty when it passed. */
export function problemsOf(summary: DemoSummary): string[] {
  const problems: string[] = [];
  for (const miss of summary.missed) {
    const fault = summary.injected.find((f) => f.id === miss.faultId);
    // A fault that changed fewer requests than its detector needs (a short burst on a quiet endpoint) cannot be caught by design.
    if (fault && undetectable(fault)) continue;
    problems.push(`${miss.faultId} ${miss.reason}`);
  }
  for (const alert of summary.falseAlerts) problems.push(`false alert at minute ${alert.atMinute}: ${alert.kind} on ${alert.resource}`);
  if (summary.lost > 0) problems.push(`${summary.lost} requests not correlated`);
  if (summary.duplicatesCounted > 0) problems.push(`${summary.duplicatesCounted} derived metrics counted twice`);
  if (summary.deadLetters > 0) problems.push(`${summary.deadLetters} dead letters`);
  return problems;
}

/** One line per run: each fault's detection delay (or MISS), and the false alerts. */
export function describeRun(r: ScenarioRun): string {
  const faults = r.summary.injected.map((f) => {
    const hit = r.summary.detected.find((d) => d.faultId === f.id);
    if (hit) return `${f.id} ${hit.delayMinutes} min`;
    return undetectable(f) ? `${f.id} undetectable (${f.affectedRequests} requests affected, ${f.detectableFrom} needed)` : `${f.id} MISS`;
  });
  return `${r.file} seed ${r.seed}: ${faults.join(', ') || 'no faults'}; false alerts ${r.summary.falseAlerts.length}${r.problems.length > 0 ? `  <- ${r.problems.join('; ')}` : ''}`;
}
