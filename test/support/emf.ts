import { vi } from 'vitest';

export interface EmfBlob {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

/**
 * Captures what Powertools writes to stdout while `fn` runs and returns the EMF documents:
 * the metrics CloudWatch would extract from the function's logs.
 */
export async function captureEmf<T>(fn: () => Promise<T>): Promise<{ result: T; emf: EmfBlob[] }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  try {
    const result = await fn();
    const emf = chunks
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as EmfBlob);
    return { result, emf };
  } finally {
    spy.mockRestore();
  }
}

/** Sum of one metric's values across EMF documents whose dimensions include `where`. */
export function metricSum(emf: EmfBlob[], name: string, where: Record<string, string> = {}, namespace = 'sagewatch'): number {
  let sum = 0;
  for (const blob of emf) {
    const directive = blob._aws.CloudWatchMetrics[0]!;
    if (directive.Namespace !== namespace || !directive.Metrics.some((m) => m.Name === name)) continue;
    if (!Object.entries(where).every(([k, v]) => blob[k] === v)) continue;
    const value = blob[name];
    const values = Array.isArray(value) ? (value as number[]) : [value as number];
    sum += values.reduce((a, b) => a + b, 0);
  }
  return sum;
}

/** The dimension sets under which a metric was published. */
export function dimensionSetsOf(emf: EmfBlob[], name: string): string[][] {
  const sets: string[][] = [];
  for (const blob of emf) {
    const directive = blob._aws.CloudWatchMetrics[0]!;
    if (directive.Metrics.some((m) => m.Name === name)) sets.push(...directive.Dimensions);
  }
  return sets;
}
