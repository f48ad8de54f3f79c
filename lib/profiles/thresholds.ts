import type { StandardUnit } from '@aws-sdk/client-cloudwatch';
// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import { en } from 'zod/v4/locales';

// English validation messages, as full zod registers them (see lib/sagemaker/resource.ts).
if (!globalConfig.localeError) z.config(en());

/**
 * Default alarm thresholds, in the units people think in (milliseconds, ratios, percent).
 * Three layers, last wins: these defaults, the stage's parameters (`ConvergeSettings.thresholds`),
 * and the resource's own tags (`sagewatch:latency-avg-ms=250`).
 */
export type ThresholdUnit = 'ms' | 'seconds' | 'ratio' | 'percent' | 'count' | 'stddev';

export interface ThresholdDef {
  default: number;
  unit: ThresholdUnit;
  /** The tag that overrides it on one resource. */
  tag: string;
  description: string;
}

export const THRESHOLDS = {
  modelLatencyMs: {
    default: 1000,
    unit: 'ms',
    // Average, not p99: the seed lists no percentiles for ModelLatency, and an alarm on a
    // statistic CloudWatch does not compute would sit in INSUFFICIENT_DATA forever.
    tag: 'sagewatch:latency-avg-ms',
    description: 'average ModelLatency above this many ms',
  },
  overheadLatencyMs: { default: 200, unit: 'ms', tag: 'sagewatch:overhead-latency-avg-ms', description: 'average OverheadLatency above this many ms' },
  coldStartP99Ms: { default: 30_000, unit: 'ms', tag: 'sagewatch:cold-start-p99-ms', description: 'p99 ModelSetupTime (serverless cold start) above this many ms' },
  error5xxRate: { default: 0.01, unit: 'ratio', tag: 'sagewatch:5xx-rate', description: 'share of invocations answered 5xx' },
  error4xxRate: { default: 0.1, unit: 'ratio', tag: 'sagewatch:4xx-rate', description: 'share of invocations answered 4xx' },
  concurrencyUtilization: { default: 0.9, unit: 'ratio', tag: 'sagewatch:concurrency-utilization', description: 'serverless concurrent executions / max concurrency' },
  provisionedConcurrencyUtilization: {
    default: 0.9,
    unit: 'ratio',
    tag: 'sagewatch:provisioned-concurrency-utilization',
    description: 'executions / provisioned concurrency',
  },
  spilloverInvocations: { default: 0, unit: 'count', tag: 'sagewatch:spillover-invocations', description: 'invocations spilled over to on-demand capacity per minute' },
  memoryPercent: { default: 90, unit: 'percent', tag: 'sagewatch:memory-percent', description: 'instance memory utilisation' },
  diskPercent: { default: 90, unit: 'percent', tag: 'sagewatch:disk-percent', description: 'instance disk utilisation' },
  idleGpuPercent: { default: 5, unit: 'percent', tag: 'sagewatch:idle-gpu-percent', description: 'GPU utilisation under which a running job counts as idle' },
  backlogAgeSeconds: { default: 900, unit: 'seconds', tag: 'sagewatch:backlog-age-seconds', description: 'age of the oldest queued async request' },
  asyncFailureRate: { default: 0.05, unit: 'ratio', tag: 'sagewatch:async-failure-rate', description: 'InvocationFailures / InvocationsProcesssed' },
  expiredRequests: { default: 0, unit: 'count', tag: 'sagewatch:expired-requests', description: 'async requests expired in the queue per 5 minutes' },
  s3Failures: { default: 0, unit: 'count', tag: 'sagewatch:s3-failures', description: 'request download or response upload failures per 5 minutes' },
  notificationFailures: { default: 0, unit: 'count', tag: 'sagewatch:notification-failures', description: 'SNS notification failures per 5 minutes' },
  modelCacheHitRatio: { default: 0.5, unit: 'ratio', tag: 'sagewatch:model-cache-hit-ratio', description: 'multi-model cache hit ratio below this' },
  modelLoadingWaitMs: { default: 5000, unit: 'ms', tag: 'sagewatch:model-loading-wait-ms', description: 'average wait for a multi-model load' },
  containerLatencyMs: { default: 1000, unit: 'ms', tag: 'sagewatch:container-latency-avg-ms', description: 'average ContainerLatency of one pipeline container' },
  componentGpuMemoryPercent: { default: 95, unit: 'percent', tag: 'sagewatch:component-gpu-memory-percent', description: 'normalised GPU memory of an inference component' },
  labelingFailedObjects: { default: 0, unit: 'count', tag: 'sagewatch:labeling-failed-objects', description: 'dataset objects that failed labeling' },
  anomalyBandWidth: { default: 2, unit: 'stddev', tag: 'sagewatch:anomaly-band-width', description: 'standard deviations of the anomaly detection bands' },
} as const satisfies Record<string, ThresholdDef>;

export type ThresholdKey = keyof typeof THRESHOLDS;
export type Thresholds = Record<ThresholdKey, number>;

export const THRESHOLD_KEYS = Object.keys(THRESHOLDS) as ThresholdKey[];

/** The opt-out tag: `sagewatch:ignore=true` detaches everything from the resource. */
export const IGNORE_TAG = 'sagewatch:ignore';

// z.number() already rejects Infinity and NaN (full zod's `.finite()` was a no-op).
const nonNegative = z.number().check(z.nonnegative());

/** A stage's overrides, e.g. parsed from a `THRESHOLDS` JSON parameter. Unknown keys are rejected. */
export const StageThresholdsSchema = z.strictObject(Object.fromEntries(THRESHOLD_KEYS.map((key) => [key, z.optional(nonNegative)])) as Record<ThresholdKey, z.ZodMiniOptional<typeof nonNegative>>);
export type StageThresholds = Partial<Thresholds>;

export function defaultThresholds(): Thresholds {
  return Object.fromEntries(THRESHOLD_KEYS.map((key) => [key, THRESHOLDS[key].default])) as Thresholds;
}

export function resolveThresholds(...layers: Array<StageThresholds | undefined>): Thresholds {
  const resolved = defaultThresholds();
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of THRESHOLD_KEYS) {
      const value = layer[key];
      if (value !== undefined) resolved[key] = value;
    }
  }
  return resolved;
}

export interface TagOverrides {
  overrides: StageThresholds;
  invalid: Array<{ tag: string; value: string }>;
}

const BY_TAG = new Map<string, ThresholdKey>(THRESHOLD_KEYS.map((key) => [THRESHOLDS[key].tag, key]));

/** Reads `sagewatch:*` threshold tags; a value that is not a non-negative number is reported, not used. */
export function thresholdsFromTags(tags: Record<string, string>): TagOverrides {
  const overrides: StageThresholds = {};
  const invalid: TagOverrides['invalid'] = [];
  for (const [tag, raw] of Object.entries(tags)) {
    const key = BY_TAG.get(tag.trim().toLowerCase());
    if (!key) continue;
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (Number.isFinite(value) && value >= 0) overrides[key] = value;
    else invalid.push({ tag, value: raw });
  }
  return { overrides, invalid };
}

export function isIgnored(tags: Record<string, string>): boolean {
  for (const [tag, value] of Object.entries(tags)) {
    if (tag.trim().toLowerCase() === IGNORE_TAG && value.trim().toLowerCase() === 'true') return true;
  }
  return false;
}

const PER_MS: Partial<Record<StandardUnit, number>> = { Microseconds: 1000, Milliseconds: 1, Seconds: 0.001 };
const PER_SECOND: Partial<Record<StandardUnit, number>> = { Microseconds: 1_000_000, Milliseconds: 1000, Seconds: 1 };

/** Converts a threshold to the metric's unit (ms thresholds against Microseconds metrics ×1000). */
export function thresholdInMetricUnit(value: number, unit: ThresholdUnit, metricUnit: StandardUnit): number {
  const factor = unit === 'ms' ? PER_MS[metricUnit] : unit === 'seconds' ? PER_SECOND[metricUnit] : 1;
  if (factor === undefined) throw new Error(`cannot express a ${unit} threshold in ${metricUnit}`);
  return value * factor;
}
