import type { AlarmSpec, AlarmStat, BandComparison, MetricUse, Scope, StaticComparison, ThresholdRef } from './types';
import type { MetricDef } from './metrics';

/**
 * The one alarm builder of the profiles: an alarm states what it watches and when it fires;
 * how long it looks is a default, overridden only where an alarm must look differently.
 *
 * - the default: three of three five-minute periods, missing data is not a breach (a quiet
 *   endpoint is not a broken one);
 * - `EVERY_MINUTE`: three of five one-minute periods, for the signals a user wants within minutes
 *   (5xx rate, latency, concurrency).
 */
export const ALARM_DEFAULTS = {
  period: 300,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  treatMissingData: 'notBreaching',
} as const satisfies Pick<AlarmSpec, 'period' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'>;

export const EVERY_MINUTE = { period: 60, evaluationPeriods: 5, datapointsToAlarm: 3 } as const;

/** `n` of `n` periods of `period` seconds: the condition held the whole time. */
export const sustained = (period: number, periods: number) => ({ period, evaluationPeriods: periods, datapointsToAlarm: periods });

type Timing = Partial<Pick<AlarmSpec, 'period' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'>>;

export type AlarmDefinition = Omit<AlarmSpec, keyof typeof ALARM_DEFAULTS> & Timing;

export function alarm(definition: AlarmDefinition): AlarmSpec {
  return { ...ALARM_DEFAULTS, ...definition };
}

export const above = (threshold: ThresholdRef, comparison: StaticComparison = 'GreaterThanThreshold') => ({ type: 'static' as const, threshold, comparison });
export const below = (threshold: ThresholdRef) => ({ type: 'static' as const, threshold, comparison: 'LessThanThreshold' as const });
export const outsideBand = (comparison: BandComparison) => ({ type: 'anomaly-band' as const, comparison });

/** The same alarm at another scope (a variant's 5xx rate, a component's). */
export function atScope(spec: AlarmSpec, scope: Scope): AlarmSpec {
  return { ...spec, scope };
}

export const use = (metric: MetricDef, stat: AlarmStat): MetricUse => ({ metric, stat });
