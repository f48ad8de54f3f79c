import type { Dimension, MetricDataQuery, PutMetricAlarmCommandInput, Tag } from '@aws-sdk/client-cloudwatch';
import type { MetricDef } from '../profiles/metrics';
import { THRESHOLDS, thresholdInMetricUnit, type Thresholds } from '../profiles/thresholds';
import type { AlarmSpec, AlarmStat, MetricUse, ThresholdRef } from '../profiles/types';

/**
 * AlarmSpec (data) + where it applies → the PutMetricAlarm request. Four shapes:
 * - a plain metric against a static threshold;
 * - a ratio of two metrics through metric math;
 * - an anomaly detection band: `ANOMALY_DETECTION_BAND(m1, width)` as the threshold metric;
 * - several hosts of a job combined with MIN or MAX (metric math), at most 10 per alarm;
 * - a Metrics Insights query, where the dimension values cannot be known in advance (a pipeline
 *   container without ContainerHostname, a transform-job host): one query over the schema,
 *   filtered with `=` on the values that are known, GROUP BY the unknown one, so each series is
 *   a contributor of its own. AWS requires such a multi-time-series alarm to ORDER BY too
 *   ("Create a CloudWatch alarm based on a Metrics Insights query"): the series nearest to
 *   breaching first, so the 500 a query returns at most are the ones that matter.
 * No `Unit` is ever set: a unit that differs from the published one silently matches nothing.
 */
export interface AlarmTarget {
  alarmName: string;
  /** Dimension sets of the instances watched: one, or one per host. */
  dimensions: Dimension[][];
  /** Human-readable place, appended to the description: `endpoint my-ep, variant AllTraffic`. */
  where: string;
  thresholds: Thresholds;
  actions: string[];
  tags: Tag[];
  /** Instead of `dimensions`: every series of the schema the filters match, one contributor per group. */
  query?: InsightsQuery;
}

export interface InsightsQuery {
  /** The metric's exact dimension set (SCHEMA matches only series with exactly these dimensions). */
  schema: readonly string[];
  /** `Name = 'Value'` filters, joined with AND. */
  where: Dimension[];
  groupBy: readonly string[];
  /** With GROUP BY: DESC when the alarm fires above its threshold, ASC when below. */
  order?: 'ASC' | 'DESC';
}

// Metrics Insights aggregates with AVG, COUNT, MAX, MIN and SUM only (no percentiles).
const INSIGHTS_FUNCTIONS: Partial<Record<AlarmStat, string>> = { Average: 'AVG', SampleCount: 'COUNT', Maximum: 'MAX', Minimum: 'MIN', Sum: 'SUM' };
// Values are single-quoted in the query; SageMaker names are letters, digits and hyphens, so a
// value outside this set is refused rather than escaped by a rule we could not confirm.
const SAFE_VALUE = /^[A-Za-z0-9._-]+$/;
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `SELECT AVG(ContainerLatency) FROM SCHEMA("AWS/SageMaker", ...) WHERE ... GROUP BY ...`. */
export function insightsExpression(metric: MetricDef, stat: AlarmStat, query: InsightsQuery): string {
  const fn = INSIGHTS_FUNCTIONS[stat];
  if (!fn) throw new Error(`Metrics Insights has no ${stat} aggregate (${metric.name})`);
  for (const name of [metric.name, ...query.schema, ...query.groupBy, ...query.where.map((d) => d.Name ?? '')]) {
    if (!SAFE_NAME.test(name)) throw new Error(`${name} cannot be named in a Metrics Insights query`);
  }
  const where = query.where.map((d) => {
    if (!SAFE_VALUE.test(d.Value ?? '')) throw new Error(`${d.Name} value ${JSON.stringify(d.Value)} cannot be quoted in a Metrics Insights query`);
    return `${d.Name} = '${d.Value}'`;
  });
  return [
    `SELECT ${fn}(${metric.name}) FROM SCHEMA("${metric.namespace}", ${query.schema.join(', ')})`,
    ...(where.length > 0 ? [`WHERE ${where.join(' AND ')}`] : []),
    ...(query.groupBy.length > 0 ? [`GROUP BY ${query.groupBy.join(', ')}`, `ORDER BY ${fn}() ${query.order ?? 'DESC'}`] : []),
  ].join(' ');
}

/** PutMetricAlarm accepts at most 10 metrics (MetricStat queries) in one alarm. */
export const MAX_METRICS_PER_ALARM = 10;

export function isPercentile(stat: AlarmStat): boolean {
  return /^p\d+(\.\d+)?$/.test(stat);
}

function thresholdOf(ref: ThresholdRef, metric: MetricDef, thresholds: Thresholds): { value: number; text: string } {
  if (typeof ref === 'object') return { value: ref.value, text: String(ref.value) };
  const def = THRESHOLDS[ref];
  const human = thresholds[ref];
  return { value: thresholdInMetricUnit(human, def.unit, metric.unit), text: `${human} ${def.unit} (tag ${def.tag})` };
}

function metricStat(use: MetricUse, dimensions: Dimension[], period: number): MetricDataQuery['MetricStat'] {
  return { Metric: { Namespace: use.metric.namespace, MetricName: use.metric.name, Dimensions: dimensions }, Period: period, Stat: use.stat };
}

export function alarmInput(spec: AlarmSpec, target: AlarmTarget): PutMetricAlarmCommandInput {
  const common = {
    AlarmName: target.alarmName,
    ActionsEnabled: true,
    AlarmActions: target.actions,
    OKActions: target.actions,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    TreatMissingData: spec.treatMissingData,
    Tags: target.tags,
  };
  const describe = (condition: string) => cap(`${spec.description} ${condition}. ${target.where}. Managed by sagewatch.`, 1024);
  const { condition } = spec;
  const use: MetricUse = { metric: spec.metric, stat: spec.stat };
  const first = target.dimensions[0] ?? [];

  if (condition.type === 'anomaly-band') {
    const width = target.thresholds.anomalyBandWidth;
    return {
      ...common,
      AlarmDescription: describe(`Band width ${width} standard deviations (tag ${THRESHOLDS.anomalyBandWidth.tag})`),
      ComparisonOperator: condition.comparison,
      ThresholdMetricId: 'ad1',
      Metrics: [
        { Id: 'm1', MetricStat: metricStat(use, first, spec.period), ReturnData: true },
        { Id: 'ad1', Expression: `ANOMALY_DETECTION_BAND(m1, ${width})`, Label: `${spec.metric.name} (expected)`, ReturnData: true },
      ],
    };
  }

  const threshold = thresholdOf(condition.threshold, spec.metric, target.thresholds);
  if (condition.type === 'ratio') {
    const aliases = condition.denominatorAliases ?? [];
    const denominators = [condition.denominator, ...aliases.map((name) => ({ ...condition.denominator, metric: { ...condition.denominator.metric, name } }))];
    const ids = denominators.map((_, i) => `m${i + 2}`);
    // One spelling: m2. Several: each FILLed with 0 (a name never published is an empty series) and added.
    const denominator = ids.length === 1 ? 'm2' : `(${ids.map((id) => `FILL(${id}, 0)`).join(' + ')})`;
    return {
      ...common,
      AlarmDescription: describe(`Threshold ${threshold.text}`),
      ComparisonOperator: condition.comparison,
      Threshold: threshold.value,
      Metrics: [
        { Id: 'm1', MetricStat: metricStat(use, first, spec.period), ReturnData: false },
        ...denominators.map((d, i) => ({ Id: ids[i]!, MetricStat: metricStat(d, first, spec.period), ReturnData: false })),
        // No traffic is no failure rate: 0 rather than a division by zero.
        { Id: 'e1', Expression: `IF(${denominator} > 0, m1 / ${denominator}, 0)`, Label: `${spec.metric.name} / ${condition.denominator.metric.name}`, ReturnData: true },
      ],
    };
  }

  if (target.query) {
    // One query, one alarm: the series it returns are its contributors, evaluated each on its own.
    return {
      ...common,
      AlarmDescription: describe(`Threshold ${threshold.text}, each ${target.query.groupBy.join(', ')} on its own (Metrics Insights query)`),
      ComparisonOperator: condition.comparison,
      Threshold: threshold.value,
      Metrics: [
        {
          Id: 'q1',
          Expression: insightsExpression(spec.metric, spec.stat, { ...target.query, order: condition.comparison.startsWith('Less') ? 'ASC' : 'DESC' }),
          Period: spec.period,
          Label: `${spec.stat} ${spec.metric.name}`,
          ReturnData: true,
        },
      ],
    };
  }

  if (target.dimensions.length > 1) {
    if (target.dimensions.length > MAX_METRICS_PER_ALARM) throw new Error(`${target.alarmName}: at most ${MAX_METRICS_PER_ALARM} hosts per alarm`);
    const aggregate = spec.hostAggregate ?? 'MAX';
    const ids = target.dimensions.map((_, i) => `m${i + 1}`);
    return {
      ...common,
      AlarmDescription: describe(`Threshold ${threshold.text}, ${aggregate} over ${ids.length} hosts`),
      ComparisonOperator: condition.comparison,
      Threshold: threshold.value,
      Metrics: [
        ...target.dimensions.map((dimensions, i) => ({ Id: ids[i]!, MetricStat: metricStat(use, dimensions, spec.period), ReturnData: false })),
        { Id: 'e1', Expression: `${aggregate}([${ids.join(', ')}])`, Label: `${aggregate} of ${spec.metric.name}`, ReturnData: true },
      ],
    };
  }

  return {
    ...common,
    AlarmDescription: describe(`Threshold ${threshold.text}`),
    Namespace: spec.metric.namespace,
    MetricName: spec.metric.name,
    Dimensions: first,
    ...(isPercentile(spec.stat) ? { ExtendedStatistic: spec.stat } : { Statistic: spec.stat as PutMetricAlarmCommandInput['Statistic'] }),
    Period: spec.period,
    Threshold: threshold.value,
    ComparisonOperator: condition.comparison,
  };
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
