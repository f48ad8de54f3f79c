import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeRun, runScenario, type ScenarioRun } from './scenario-runner';

/**
 * `npm run scenarios [-- --seeds N] [--only TEXT] [--jobs J] [--json]`: plays every file in
 * scenarios/ with its own seed and N random seeds nobody picked (printed, so a failure can be
 * replayed with `npm start -- --scenario FILE --seed S`), and fails if any run misses a fault,
 * raises a false alert or loses a request. The long scenarios live here, not in `npm test`.
 */
const { values } = parseArgs({
  options: { seeds: { type: 'string' }, only: { type: 'string' }, jobs: { type: 'string' }, json: { type: 'boolean' } },
});
const extraSeeds = Number(values.seeds ?? 2);
const jobs = Math.max(1, Number(values.jobs ?? 2));
const files = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json') && (!values.only || f.includes(values.only)))
  .sort()
  .map((f) => `scenarios/${f}`);

const work: Array<{ file: string; seed?: number }> = [];
for (const file of files) {
  work.push({ file });
  for (let i = 0; i < extraSeeds; i++) work.push({ file, seed: randomInt(1, 2 ** 31) });
}

const results: ScenarioRun[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < work.length) {
    const item = work[next++]!;
    try {
      const result = await runScenario(item.file, item.seed);
      results.push(result);
      if (!values.json) console.log(describeRun(result));
    } catch (error) {
      const message = (error as { stderr?: string; message?: string }).stderr || (error as Error).message;
      console.log(`${item.file} seed ${item.seed ?? '(file)'}: FAILED TO RUN: ${message.trim().split('\n').pop()}`);
      process.exitCode = 1;
    }
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
if (values.json) {
  console.log(
    JSON.stringify(
      results.map((r) => ({ file: r.file, seed: r.seed, detected: r.summary.detected, missed: r.summary.missed, falseAlerts: r.summary.falseAlerts, problems: r.problems })),
      null,
      2,
    ),
  );
}
const failed = results.filter((r) => r.problems.length > 0);
console.error(`${results.length} runs, ${failed.length} failed`);
if (failed.length > 0) process.exitCode = 1;
