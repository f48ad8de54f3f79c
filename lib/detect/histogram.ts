/**
 * Latency as counts in logarithmic buckets (four per doubling, ~19% wide), so one-minute
 * windows can be summed in DynamoDB with ADD and percentiles read back without keeping values.
 */
const STEPS_PER_DOUBLING = 4;

export function latencyBucket(ms: number): number {
  return Math.max(0, Math.floor(Math.log2(Math.max(0, ms) + 1) * STEPS_PER_DOUBLING));
}

/** The factor between latencies `steps` buckets apart (each bucket is 2^(1/4) ≈ 1.19 times the one below). */
export function bucketRatio(steps: number): number {
  return 2 ** (steps / STEPS_PER_DOUBLING);
}

/** The geometric middle of a bucket: the value a percentile falling into it reports. */
export function bucketValue(bucket: number): number {
  const low = 2 ** (bucket / STEPS_PER_DOUBLING) - 1;
  const high = 2 ** ((bucket + 1) / STEPS_PER_DOUBLING) - 1;
  return Math.round(Math.sqrt(Math.max(low, 0.5) * high));
}

export type Histogram = Map<number, number>;

export function addInto(target: Histogram, source: Histogram): void {
  for (const [bucket, count] of source) target.set(bucket, (target.get(bucket) ?? 0) + count);
}

export function histogramCount(histogram: Histogram): number {
  let n = 0;
  for (const count of histogram.values()) n += count;
  return n;
}

/** The q-quantile (0 < q < 1) of the histogram, or undefined when it is empty. */
export function quantile(histogram: Histogram, q: number): number | undefined {
  const total = histogramCount(histogram);
  if (total === 0) return undefined;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= rank) return bucketValue(bucket);
  }
  return undefined;
}
