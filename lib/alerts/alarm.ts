/**
 * CloudWatch alarm notifications, in the two shapes they reach sagewatch: the JSON message an
 * alarm action publishes to SNS (`AlarmName`, `NewStateValue`, `Trigger` ...), and the
 * EventBridge "CloudWatch Alarm State Change" event (`detail.alarmName`, `detail.state` ...).
 * Both become one read-only view for rendering. Parsing is defensive: alarms are configured by
 * users, fields come and go between alarm types, and a notification must never fail to render.
 */
import { isObject } from '../util/is-object';

export interface AlarmMetric {
  namespace?: string;
  name?: string;
  stat?: string;
  unit?: string;
  period?: number;
  dimensions: Array<[string, string]>;
}

export interface AlarmQuery {
  id: string;
  label?: string;
  expression?: string;
  metric?: AlarmMetric;
  returnData?: boolean;
}

export interface AlarmChild {
  arn: string;
  state?: string;
  at?: string;
}

export interface AlarmView {
  source: 'sns' | 'eventbridge';
  name: string;
  state: string;
  previousState?: string;
  reason?: string;
  description?: string;
  changedAt?: string;
  arn?: string;
  /** Region code (from the ARN or the event), for console links. */
  region?: string;
  /** What SNS calls the region: "US East (N. Virginia)". */
  regionLabel?: string;
  account?: string;
  metric?: AlarmMetric;
  queries: AlarmQuery[];
  /** Anomaly-detection alarms compare against the band this query computes. */
  thresholdMetricId?: string;
  comparison?: string;
  threshold?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  period?: number;
  treatMissingData?: string;
  rule?: string;
  children: AlarmChild[];
}

/** The view of an SNS alarm message, or undefined when `value` is not one. */
export function alarmFromSnsMessage(value: unknown): AlarmView | undefined {
  if (!isObject(value)) return undefined;
  const name = str(value.AlarmName);
  const state = str(value.NewStateValue);
  if (name === undefined || state === undefined) return undefined;
  const arn = str(value.AlarmArn);
  const trigger = isObject(value.Trigger) ? value.Trigger : {};
  const view: AlarmView = {
    source: 'sns',
    name,
    state,
    queries: [],
    children: [],
    ...defined({
      previousState: str(value.OldStateValue),
      reason: str(value.NewStateReason),
      description: str(value.AlarmDescription),
      changedAt: str(value.StateChangeTime),
      arn,
      region: regionOfArn(arn),
      regionLabel: str(value.Region),
      account: str(value.AWSAccountId) ?? accountOfArn(arn),
      comparison: str(trigger.ComparisonOperator),
      threshold: num(trigger.Threshold),
      evaluationPeriods: num(trigger.EvaluationPeriods),
      datapointsToAlarm: num(trigger.DatapointsToAlarm),
      period: num(trigger.Period),
      treatMissingData: missingData(str(trigger.TreatMissingData)),
      thresholdMetricId: str(trigger.ThresholdMetricId),
      rule: str(value.AlarmRule),
    }),
  };
  if (str(trigger.MetricName) !== undefined || str(trigger.Namespace) !== undefined) {
    view.metric = {
      dimensions: snsDimensions(trigger.Dimensions),
      ...defined({
        namespace: str(trigger.Namespace),
        name: str(trigger.MetricName),
        stat: str(trigger.Statistic) ?? str(trigger.ExtendedStatistic),
        unit: str(trigger.Unit),
        period: num(trigger.Period),
      }),
    };
  }
  if (Array.isArray(trigger.Metrics)) {
    for (const raw of trigger.Metrics) {
      if (!isObject(raw)) continue;
      const stat = isObject(raw.MetricStat) ? raw.MetricStat : undefined;
      const metric = stat && isObject(stat.Metric) ? stat.Metric : undefined;
      view.queries.push({
        id: str(raw.Id) ?? '?',
        ...defined({ label: str(raw.Label), expression: str(raw.Expression), returnData: bool(raw.ReturnData) }),
        ...(metric
          ? {
              metric: {
                dimensions: snsDimensions(metric.Dimensions),
                ...defined({
                  namespace: str(metric.Namespace),
                  name: str(metric.MetricName),
                  stat: str(stat?.Stat),
                  unit: str(stat?.Unit),
                  period: num(stat?.Period),
                }),
              },
            }
          : {}),
      });
    }
  }
  if (Array.isArray(value.TriggeringChildren)) {
    for (const raw of value.TriggeringChildren) {
      if (!isObject(raw) || str(raw.Arn) === undefined) continue;
      const childState = isObject(raw.State) ? raw.State : {};
      view.children.push({ arn: str(raw.Arn)!, ...defined({ state: str(childState.Value), at: str(childState.Timestamp) }) });
    }
  }
  return view;
}

/** The view of an EventBridge alarm state-change event, or undefined when `value` is not one. */
export function alarmFromEvent(value: unknown): AlarmView | undefined {
  if (!isObject(value) || value['detail-type'] !== 'CloudWatch Alarm State Change' || !isObject(value.detail)) return undefined;
  const detail = value.detail;
  const state = isObject(detail.state) ? detail.state : {};
  const previous = isObject(detail.previousState) ? detail.previousState : {};
  const configuration = isObject(detail.configuration) ? detail.configuration : {};
  const name = str(detail.alarmName);
  const stateValue = str(state.value);
  if (name === undefined || stateValue === undefined) return undefined;
  const arn = Array.isArray(value.resources) ? str(value.resources[0]) : undefined;
  const view: AlarmView = {
    source: 'eventbridge',
    name,
    state: stateValue,
    queries: [],
    children: [],
    ...defined({
      previousState: str(previous.value),
      reason: str(state.reason),
      description: str(configuration.description),
      changedAt: str(state.timestamp) ?? str(value.time),
      arn,
      region: str(value.region) ?? regionOfArn(arn),
      account: str(value.account) ?? accountOfArn(arn),
      rule: str(configuration.alarmRule),
    }),
  };
  if (Array.isArray(configuration.metrics)) {
    for (const raw of configuration.metrics) {
      if (!isObject(raw)) continue;
      const stat = isObject(raw.metricStat) ? raw.metricStat : undefined;
      const metric = stat && isObject(stat.metric) ? stat.metric : undefined;
      view.queries.push({
        id: str(raw.id) ?? '?',
        ...defined({ label: str(raw.label), expression: str(raw.expression), returnData: bool(raw.returnData) }),
        ...(metric
          ? {
              metric: {
                dimensions: mapDimensions(metric.dimensions),
                ...defined({ namespace: str(metric.namespace), name: str(metric.name), stat: str(stat?.stat), period: num(stat?.period) }),
              },
            }
          : {}),
      });
    }
  }
  // One plain metric is shown like an SNS single-metric trigger.
  const only = view.queries.length === 1 ? view.queries[0] : undefined;
  if (only?.metric && only.expression === undefined) {
    view.metric = only.metric;
    view.queries = [];
  }
  const band = view.queries.find((q) => q.expression?.startsWith('ANOMALY_DETECTION_BAND'));
  if (band) view.thresholdMetricId = band.id;
  return view;
}

/** Every dimension value of the alarm's metrics with this name (e.g. the EndpointName). */
export function dimensionValues(view: AlarmView, name: string): string[] {
  const metrics = [view.metric, ...view.queries.map((q) => q.metric)].filter((m): m is AlarmMetric => m !== undefined);
  const values = metrics.flatMap((m) => m.dimensions.filter(([key]) => key === name).map(([, value]) => value));
  return [...new Set(values)];
}

function snsDimensions(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[string, string]> = [];
  for (const raw of value) {
    if (!isObject(raw)) continue;
    // SNS writes them lowercase (`name`/`value`); the API uppercase. Take either.
    const name = str(raw.name) ?? str(raw.Name);
    const dimension = str(raw.value) ?? str(raw.Value);
    if (name !== undefined && dimension !== undefined) out.push([name, dimension]);
  }
  return out;
}

function mapDimensions(value: unknown): Array<[string, string]> {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => (typeof v === 'string' ? [[key, v] as [string, string]] : []));
}

/** SNS sends e.g. "- TreatMissingData:                    ignore" (sic); keep the value. */
function missingData(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /TreatMissingData:\s*(\S+)/.exec(value);
  return match?.[1] ?? value;
}

function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region ? region : undefined;
}

function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Drops undefined members so optional properties stay absent rather than `undefined`. */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
