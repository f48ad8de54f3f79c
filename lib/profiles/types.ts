import type { MetricDef, Statistic } from './metrics';
import type { ThresholdKey } from './thresholds';

/**
 * What a profile is made of. Profiles are values: adding a metric, an alarm or a widget is a
 * data change that the tests check against the metric catalog (stat valid, dimensions exist,
 * async exclusions kept), never a new code path.
 */

/** Where an alarm or widget is instantiated, and so which dimension set of its metric it uses. */
export type Scope = 'endpoint' | 'variant' | 'container' | 'component' | 'job' | 'job-hosts';

export const SCOPE_DIMENSIONS: Record<Scope, readonly string[]> = {
  endpoint: ['EndpointName'],
  variant: ['EndpointName', 'VariantName'],
  container: ['EndpointName', 'VariantName', 'ContainerName'],
  component: ['InferenceComponentName'],
  // Jobs with their own dimension (a labeling job's LabelingJobName) use `job`.
  job: ['LabelingJobName'],
  'job-hosts': ['Host'],
};

export type Percentile = 'p50' | 'p90' | 'p99';
export type AlarmStat = Statistic | Percentile;

export interface MetricUse {
  metric: MetricDef;
  stat: AlarmStat;
}

export type StaticComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
export type BandComparison = 'GreaterThanUpperThreshold' | 'LessThanLowerThreshold' | 'LessThanLowerOrGreaterThanUpperThreshold';

export type ThresholdRef = ThresholdKey | { value: number };

export type AlarmCondition =
  /** metric <op> threshold */
  | { type: 'static'; threshold: ThresholdRef; comparison: StaticComparison }
  /** metric / denominator <op> threshold, through metric math (0 when the denominator is 0) */
  | {
      type: 'ratio';
      denominator: MetricUse;
      /**
       * Other spellings the denominator may be published under: each is read too, FILLed with 0
       * and added, so the rate is right whichever name CloudWatch actually carries.
       */
      denominatorAliases?: readonly string[];
      threshold: ThresholdRef;
      comparison: StaticComparison;
    }
  /** metric outside ANOMALY_DETECTION_BAND(metric, anomalyBandWidth) */
  | { type: 'anomaly-band'; comparison: BandComparison };

export interface AlarmSpec {
  /** Short, stable slug: part of the alarm name, so renaming it replaces the alarm. */
  id: string;
  description: string;
  scope: Scope;
  metric: MetricDef;
  stat: AlarmStat;
  /** Seconds. */
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  condition: AlarmCondition;
  /** Only where the instances have GPUs (GPU metrics are not published otherwise). */
  requires?: 'gpu';
  /** `job-hosts` alarms watch every host of the job at once: the MIN or MAX of their series. */
  hostAggregate?: 'MIN' | 'MAX';
}

export interface WidgetSpec {
  title: string;
  scope: Scope;
  metrics: readonly MetricUse[];
  requires?: 'gpu';
}

export interface KindProfile {
  kind: string;
  description: string;
  /** Every metric the kind publishes: the metric stream's include filters come from here. */
  metrics: readonly MetricDef[];
  alarms: readonly AlarmSpec[];
  widgets: readonly WidgetSpec[];
}
