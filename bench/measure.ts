/** Timing helpers: warm-up, then the median of several runs, each starting from a collected heap. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;

/**
 * A full GC between runs keeps one run's garbage from being collected on the next one's clock.
 * `--expose-gc` cannot be passed through `npm run bench`, so it is switched on at run time.
 */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timeMs(fn: () => unknown): Promise<number> {
  collectGarbage();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs each task `warmup` times untimed, then `runs` times timed, interleaving the tasks so a
 * slow patch of a noisy machine hits all of them alike. Returns each task's run times.
 */
export async function interleaved(tasks: Record<string, () => unknown>, runs: number, warmup: number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  for (let i = 0; i < warmup; i++) for (const task of Object.values(tasks)) await task();
  for (let i = 0; i < runs; i++) {
    for (const [name, task] of Object.entries(tasks)) times[name]!.push(await timeMs(task));
  }
  return times;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
