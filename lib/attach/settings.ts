// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { StageThresholdsSchema, type StageThresholds } from '../profiles/thresholds';
import { DEFAULT_NAME_PREFIX, NAME_PREFIX_PATTERN } from '../names/owned';
import { SettingsError } from './errors';

/**
 * Everything converging needs to know about the deployed stack: where alarms send their
 * actions, where logs and metric streams deliver, which queue subscribes to async topics.
 * Handlers build it from the typed config (`settingsFromConfig`); `sagewatch plan` builds it
 * from the event's account and region when no stack is at hand (`planSettings`).
 */
export interface ConvergeSettings {
  region: string;
  /** Start of every name sagewatch gives: `sagewatch` or `sagewatch-<stage>` (lib/names/owned.ts). */
  namePrefix: string;
  /** SNS topic that receives alarm actions, job failure alerts and reported problems. */
  alertsTopicArn: string;
  /** Kinesis stream the endpoint log groups are subscribed to. */
  logDestinationArn: string;
  /** Role CloudWatch Logs assumes to put records into the stream. */
  logRoleArn: string;
  /** `""` forwards every log event: async data-log lines and container errors alike. */
  logFilterPattern: string;
  metricStreamFirehoseArn: string;
  /** Role CloudWatch metric streams assume to put records into Firehose. */
  metricStreamRoleArn: string;
  metricStreamOutputFormat: 'json' | 'opentelemetry0.7' | 'opentelemetry1.0';
  /** SQS queue subscribed to every async endpoint's success and error topics. */
  notificationsQueueArn: string;
  /** Namespace of sagewatch's own metrics (job outcomes and durations). */
  metricsNamespace: string;
  /** The stage's threshold parameters, over the defaults of lib/profiles/thresholds. */
  thresholds: StageThresholds;
}

/**
 * The config keys converging reads. `alertsTopicArn`, `region` and `metricsNamespace` exist in
 * lib/config.ts already; the others are to be added there (env vars in brackets):
 * namePrefix [NAME_PREFIX, e.g. sagewatch-prod], logDestinationArn [LOG_DESTINATION_ARN], logRoleArn [LOG_SUBSCRIPTION_ROLE_ARN],
 * logFilterPattern [LOG_FILTER_PATTERN], metricStreamFirehoseArn [METRIC_STREAM_FIREHOSE_ARN],
 * metricStreamRoleArn [METRIC_STREAM_ROLE_ARN], metricStreamOutputFormat
 * [METRIC_STREAM_OUTPUT_FORMAT], notificationsQueueArn [NOTIFICATIONS_QUEUE_ARN], thresholds
 * [THRESHOLDS, a JSON object such as {"modelLatencyMs":500}].
 */
export interface ControlPlaneConfig {
  region: string;
  namePrefix?: string | undefined;
  metricsNamespace: string;
  alertsTopicArn?: string | undefined;
  logDestinationArn?: string | undefined;
  logRoleArn?: string | undefined;
  logFilterPattern?: string | undefined;
  metricStreamFirehoseArn?: string | undefined;
  metricStreamRoleArn?: string | undefined;
  metricStreamOutputFormat?: string | undefined;
  notificationsQueueArn?: string | undefined;
  /** JSON text or an already parsed object. */
  thresholds?: string | StageThresholds | undefined;
}

const arn = z.string().check(z.regex(/^arn:aws[a-z-]*:/, 'must be an ARN'));

const SettingsSchema = z.object({
  region: z.string().check(z.minLength(1)),
  namePrefix: z._default(z.string().check(z.regex(NAME_PREFIX_PATTERN, 'must be sagewatch or sagewatch-<letters and digits>')), DEFAULT_NAME_PREFIX),
  alertsTopicArn: arn,
  logDestinationArn: arn,
  logRoleArn: arn,
  logFilterPattern: z._default(z.string(), ''),
  metricStreamFirehoseArn: arn,
  metricStreamRoleArn: arn,
  metricStreamOutputFormat: z._default(z.enum(['json', 'opentelemetry0.7', 'opentelemetry1.0']), 'json'),
  notificationsQueueArn: arn,
  metricsNamespace: z.string().check(z.minLength(1)),
  thresholds: z._default(StageThresholdsSchema, {}),
});

export function parseSettings(raw: unknown): ConvergeSettings {
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SettingsError(`invalid control plane settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function settingsFromConfig(config: ControlPlaneConfig): ConvergeSettings {
  let thresholds: unknown = config.thresholds ?? {};
  if (typeof thresholds === 'string') {
    try {
      thresholds = thresholds.trim() === '' ? {} : JSON.parse(thresholds);
    } catch {
      throw new SettingsError('thresholds: not valid JSON');
    }
  }
  return parseSettings({ ...config, thresholds });
}

/**
 * Settings for `sagewatch plan` without a deployed stack: ARNs of the stack's resources as
 * they would be named in the event's account and region. Anything passed wins.
 */
export function planSettings(options: { region: string; account: string; overrides?: Partial<ConvergeSettings> }): ConvergeSettings {
  const { region, account } = options;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return parseSettings({
    region,
    namePrefix: DEFAULT_NAME_PREFIX,
    alertsTopicArn: `arn:${partition}:sns:${region}:${account}:sagewatch-alerts`,
    logDestinationArn: `arn:${partition}:kinesis:${region}:${account}:stream/sagewatch-logs`,
    logRoleArn: `arn:${partition}:iam::${account}:role/sagewatch-cloudwatch-logs`,
    logFilterPattern: '',
    metricStreamFirehoseArn: `arn:${partition}:firehose:${region}:${account}:deliverystream/sagewatch-metrics`,
    metricStreamRoleArn: `arn:${partition}:iam::${account}:role/sagewatch-metric-streams`,
    metricStreamOutputFormat: 'json',
    notificationsQueueArn: `arn:${partition}:sqs:${region}:${account}:sagewatch-notifications`,
    metricsNamespace: 'sagewatch',
    thresholds: {},
    ...options.overrides,
  });
}
