import type { MetricDataQuery, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CLOUDWATCH_BILLING, PRICES, costUsd } from '../pricing';
import { ENDPOINT_PROFILES } from '../profiles/endpoints';
import { JOB_PROFILES } from '../profiles/jobs';
import type { ResourceModel } from '../sagemaker/model';
import type { PlannedCall } from './gateway';

/**
 * What the attachments a plan creates cost a month in CloudWatch, from the price table
 * (lib/pricing/cloudwatch.ts): alarms by the metrics they read and their resolution (an
 * anomaly band counts three, a Metrics Insights query alarm per series it analyzes),
 * dashboards, and the metric stream's updates for the series the resource publishes. Log
 * subscriptions cost nothing of their own (the log data is ingested, and paid, either way).
 * The account-wide free tier is left out here; `accountMonthlyCost` subtracts it once.
 */
export interface CostLine {
  item: 'alarm metrics' | 'high-resolution alarm metrics' | 'Metrics Insights alarm metrics' | 'shared Metrics Insights alarm metrics' | 'dashboards' | 'metric stream updates';
  quantity: number;
  monthlyUsd: number;
  /** What the quantity is when the item alone does not say (a shared alarm: whose share). */
  note?: string;
}

export interface CostEstimate {
  monthlyCostUsd: number;
  lines: CostLine[];
}

const { cloudwatch } = PRICES;
/** A metric stream delivers one update per series per minute: 43,800 a month (730 hours). */
export const STREAM_UPDATES_PER_SERIES_MONTH = 730 * 60;

/**
 * How many series a Metrics Insights query alarm analyzes. The price table's unit is the
 * "metric analyzed by a Metrics Insights query alarm" (lib/pricing/cloudwatch.ts, from
 * https://aws.amazon.com/cloudwatch/pricing/, checked 2026-12-02), and AWS's "Create a CloudWatch
 * alarm based on a Metrics Insights query" says each time series a GROUP BY query returns is a
 * contributor of the alarm: so one metric per series the query matches, not one per query.
 * - GROUP BY ContainerName, WHERE VariantName = '<v>' (a pipeline variant whose containers have
 *   no hostname): one series per container of the variant, which the describe output lists.
 * - GROUP BY Host (the stack's shared alarms over every transform-job host): one series per host
 *   of every running job of the kind. A job is charged its own hosts (its instance count), so
 *   the account total is the sum over the jobs that joined.
 * The expression is the one `insightsExpression` builds: values are quoted and never hold a quote.
 */
function insightsSeries(expression: string, model: ResourceModel | undefined): { series: number; shared: boolean } {
  const groupBy = /\bGROUP BY ([\w, ]+?)(?: ORDER BY|$)/.exec(expression)?.[1]?.split(/,\s*/) ?? [];
  if (groupBy.includes('Host')) {
    const hosts = model?.type === 'job' ? Math.max(model.hosts.length, model.instanceCount ?? 1, 1) : 1;
    return { series: hosts, shared: true };
  }
  if (groupBy.includes('ContainerName') && model?.type === 'endpoint') {
    const variant = /\bVariantName = '([^']*)'/.exec(expression)?.[1];
    const containers = model.variants.find((v) => v.name === variant)?.containers.length ?? 0;
    return { series: Math.max(1, containers), shared: false };
  }
  return { series: 1, shared: false };
}

function alarmMetrics(input: PutMetricAlarmCommandInput, model: ResourceModel | undefined): { standard: number; high: number; insights: number; shared: number } {
  const queries: MetricDataQuery[] = input.Metrics ?? [];
  if (queries.length === 0) return (input.Period ?? 60) < 60 ? { standard: 0, high: 1, insights: 0, shared: 0 } : { standard: 1, high: 0, insights: 0, shared: 0 };
  let insights = 0;
  let shared = 0;
  for (const query of queries) {
    if (!/^\s*SELECT\b/i.test(query.Expression ?? '')) continue;
    const analyzed = insightsSeries(query.Expression!, model);
    if (analyzed.shared) shared += analyzed.series;
    else insights += analyzed.series;
  }
  const band = queries.some((q) => /ANOMALY_DETECTION_BAND/.test(q.Expression ?? ''));
  const stats = queries.filter((q) => q.MetricStat).length;
  const high = queries.some((q) => (q.MetricStat?.Period ?? 60) < 60);
  const metrics = band ? CLOUDWATCH_BILLING.anomalyBandAlarmMetrics * stats : stats;
  return high ? { standard: 0, high: metrics, insights, shared } : { standard: metrics, high: 0, insights, shared };
}

/**
 * The monthly cost of what `actions` create; `streamedSeries` is how many metric series the
 * resource adds to the stream; `model` (the resource's) says how many series its Metrics
 * Insights alarms analyze (without it, one per query).
 */
export function monthlyCost(actions: PlannedCall[], streamedSeries = 0, model?: ResourceModel): CostEstimate {
  let standard = 0;
  let high = 0;
  let insights = 0;
  let shared = 0;
  let sharedAlarms = 0;
  let dashboards = 0;
  for (const action of actions) {
    if (action.action === 'PutMetricAlarm') {
      const metrics = alarmMetrics(action.input as PutMetricAlarmCommandInput, model);
      standard += metrics.standard;
      high += metrics.high;
      insights += metrics.insights;
      shared += metrics.shared;
      if (metrics.shared > 0) sharedAlarms++;
    } else if (action.action === 'PutDashboard') {
      dashboards++;
    }
  }
  const updates = streamedSeries * STREAM_UPDATES_PER_SERIES_MONTH;
  const hosts = model?.type === 'job' && sharedAlarms > 0 ? shared / sharedAlarms : 0;
  const lines: CostLine[] = [
    { item: 'alarm metrics' as const, quantity: standard, monthlyUsd: costUsd(cloudwatch.standardAlarmMetric, standard) },
    { item: 'high-resolution alarm metrics' as const, quantity: high, monthlyUsd: costUsd(cloudwatch.highResolutionAlarmMetric, high) },
    { item: 'Metrics Insights alarm metrics' as const, quantity: insights, monthlyUsd: costUsd(cloudwatch.metricsInsightsAlarmMetric, insights) },
    {
      item: 'shared Metrics Insights alarm metrics' as const,
      quantity: shared,
      monthlyUsd: costUsd(cloudwatch.metricsInsightsAlarmMetric, shared),
      // Kept short: the text plan prints it on a line of its own, within 100 columns.
      note: `shared: ${sharedAlarms} account-wide alarm${sharedAlarms === 1 ? '' : 's'} over every ${model?.type === 'job' ? model.kind : 'job'} host; this job's ${hosts} host${hosts === 1 ? '' : 's'} in each`,
    },
    { item: 'dashboards' as const, quantity: dashboards, monthlyUsd: costUsd(cloudwatch.dashboard, dashboards) },
    { item: 'metric stream updates' as const, quantity: updates, monthlyUsd: costUsd(cloudwatch.metricStreamUpdates, updates) },
  ].filter((line) => line.quantity > 0);
  return { monthlyCostUsd: round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)), lines: lines.map((line) => ({ ...line, monthlyUsd: round(line.monthlyUsd) })) };
}

/** Several resources' estimates as one account: summed, less the free tier (10 alarm metrics, 3 dashboards) once. */
export function accountMonthlyCost(estimates: CostEstimate[]): CostEstimate {
  const totals = new Map<CostLine['item'], number>();
  for (const estimate of estimates) for (const line of estimate.lines) totals.set(line.item, (totals.get(line.item) ?? 0) + line.quantity);
  const standard = Math.max(0, (totals.get('alarm metrics') ?? 0) - CLOUDWATCH_BILLING.freeAlarmMetrics);
  const dashboards = Math.max(0, (totals.get('dashboards') ?? 0) - CLOUDWATCH_BILLING.freeDashboards);
  const price: Record<CostLine['item'], (n: number) => number> = {
    'alarm metrics': () => costUsd(cloudwatch.standardAlarmMetric, standard),
    'high-resolution alarm metrics': (n) => costUsd(cloudwatch.highResolutionAlarmMetric, n),
    'Metrics Insights alarm metrics': (n) => costUsd(cloudwatch.metricsInsightsAlarmMetric, n),
    'shared Metrics Insights alarm metrics': (n) => costUsd(cloudwatch.metricsInsightsAlarmMetric, n),
    dashboards: () => costUsd(cloudwatch.dashboard, dashboards),
    'metric stream updates': (n) => costUsd(cloudwatch.metricStreamUpdates, n),
  };
  const lines = [...totals].map(([item, quantity]) => ({ item, quantity, monthlyUsd: round(price[item](quantity)) }));
  return { monthlyCostUsd: round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)), lines };
}

function round(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/**
 * The metric series a resource publishes that the metric stream delivers: each metric of its
 * kinds' profiles once per dimension set it is published with for this resource (per variant,
 * per inference component, per container, per host).
 */
export function streamedSeries(model: ResourceModel): number {
  const series = new Set<string>();
  if (model.type === 'job') {
    const hosts = Math.max(1, model.hosts.length || model.instanceCount || 1);
    for (const metric of JOB_PROFILES[model.kind].metrics) {
      const perHost = metric.dimensions.some((d) => d.includes('Host'));
      const count = perHost ? hosts : metric.dimensions.some((d) => d.length > 0) ? 1 : 0;
      for (let i = 0; i < count; i++) series.add(`${metric.namespace}/${metric.name}/${i}`);
    }
    return series.size;
  }
  for (const variant of model.variants) {
    for (const kind of variant.kinds) {
      for (const metric of ENDPOINT_PROFILES[kind].metrics) {
        for (const dims of metric.dimensions) {
          if (dims.includes('InferenceComponentName')) for (const c of variant.inferenceComponents) series.add(`${metric.namespace}/${metric.name}/ic/${c.name}`);
          else if (dims.includes('ContainerName')) for (const c of variant.containers) series.add(`${metric.namespace}/${metric.name}/c/${variant.name}/${c.name ?? '?'}`);
          else if (dims.includes('VariantName')) series.add(`${metric.namespace}/${metric.name}/v/${variant.name}`);
          else if (dims.includes('EndpointName')) series.add(`${metric.namespace}/${metric.name}/e`);
        }
      }
    }
  }
  return series.size;
}
