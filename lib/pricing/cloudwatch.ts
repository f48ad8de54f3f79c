import type { Price } from './price';

const source = 'https://aws.amazon.com/cloudwatch/pricing/';
const checked = '2026-12-02';

/**
 * Amazon CloudWatch. Alarms are billed per *alarm metric*: a metric-math alarm counts every
 * metric it reads, an anomaly-detection alarm counts three (the metric and its two band edges,
 * CLOUDWATCH_BILLING). The free tier (10 alarm metrics, 3 dashboards) is account-wide: `sagewatch
 * plan` quotes a resource without it, the demo's account total subtracts it once.
 */
export const cloudwatch = {
  logsIngestion: {
    usd: 0.5,
    per: 1,
    unit: 'GB ingested',
    region: 'us-east-1',
    source,
    checked,
    note: "standard log class; what sagewatch's own functions write (logs and EMF metric documents); Lambda logs are tiered above 10 TB a month",
  },
  standardAlarmMetric: { usd: 0.1, per: 1, unit: 'standard-resolution alarm metric-month', region: 'us-east-1', source, checked },
  highResolutionAlarmMetric: { usd: 0.3, per: 1, unit: 'high-resolution alarm metric-month', region: 'us-east-1', source, checked },
  metricsInsightsAlarmMetric: {
    usd: 0.1,
    per: 1,
    unit: 'metric analyzed by a Metrics Insights query alarm, per month',
    region: 'us-east-1',
    source,
    checked,
    note: 'not covered by the free tier',
  },
  dashboard: { usd: 3, per: 1, unit: 'custom dashboard-month', region: 'us-east-1', source, checked, note: '3 dashboards of up to 50 metrics each are free per account' },
  metricStreamUpdates: { usd: 0.003, per: 1000, unit: 'metric update delivered by a metric stream', region: 'us-east-1', source, checked },
} satisfies Record<string, Price>;

/** Billing rules of the same page: counts, not prices. */
export const CLOUDWATCH_BILLING = {
  /** An anomaly-detection alarm is billed as three alarm metrics. */
  anomalyBandAlarmMetrics: 3,
  /** Free each month, per account: standard alarm metrics and dashboards (of up to 50 metrics). */
  freeAlarmMetrics: 10,
  freeDashboards: 3,
  source,
  checked,
} as const;
