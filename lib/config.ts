// zod/mini: the full zod build adds ~440 KB to every function bundle for the same checks.
import * as z from 'zod/mini';

/**
 * The one place configuration is read from the environment. Handlers call `loadConfig()`;
 * the CLI builds its configuration from its arguments with `parseConfig(env)`; nothing in
 * lib/ reads process.env directly.
 */
const positiveInt = (fallback: number) => z._default(z.pipe(z.coerce.number(), z.int().check(z.positive())), fallback);
const positiveNumber = (fallback: number) => z._default(z.pipe(z.coerce.number(), z.number().check(z.positive())), fallback);
const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const ConfigSchema = z.object({
  stage: text('dev'),
  region: text('us-east-1'),
  requestsTable: text('sagewatch-requests'),
  requestsByEndpointIndex: text('byEndpoint'),
  requestsOpenIndex: text('byOpen'),
  inventoryTable: text('sagewatch-inventory'),
  stateTable: text('sagewatch-state'),
  metricsNamespace: text('sagewatch'),
  serviceName: text('sagewatch'),
  retentionDays: positiveInt(30),
  /** Log lines kept verbatim on a request record; the rest are only counted. */
  maxLogLinesPerRequest: positiveInt(5),
  /** Longest message kept for one log line (multi-line HTML error bodies get long). */
  maxLogLineChars: positiveInt(2048),
  /** Distinct log event ids remembered per request for de-duplication. */
  maxTrackedLogEventIds: positiveInt(100),
  alertsTopicArn: z.optional(z.string()),
  /** Repeats of a firing alert inside this many seconds are suppressed. */
  alertCooldownSeconds: positiveInt(900),
  /** Where the Slack webhook URL is kept: `ssm:<name>` or `secretsmanager:<id>`; never the URL itself. */
  slackWebhookSecret: z.optional(z.string()),
  // Request-level detectors: sliding windows of one-minute buckets per endpoint.
  detectorWindowMinutes: positiveInt(5),
  failureBurstMinFailures: positiveInt(5),
  /** Failed share of finished requests in the window (0-1) that makes a burst. */
  failureBurstRate: positiveNumber(0.2),
  latencyShiftFactor: positiveNumber(2),
  latencyShiftMinSamples: positiveInt(10),
  latencyShiftMinDeltaMs: positiveInt(250),
  latencyBaselineMinutes: positiveInt(60),
  expiredMinCount: positiveInt(1),
  /** A request with log lines and no notification after this long is stuck (its notification lost). */
  stuckAfterMinutes: positiveInt(15),
  // Control plane: where attachments point (see lib/attach/settings.ts, which validates them).
  namePrefix: text('sagewatch'),
  logDestinationArn: z.optional(z.string()),
  logRoleArn: z.optional(z.string()),
  logFilterPattern: z._default(z.string(), ''),
  metricStreamFirehoseArn: z.optional(z.string()),
  metricStreamRoleArn: z.optional(z.string()),
  metricStreamOutputFormat: text('json'),
  notificationsQueueArn: z.optional(z.string()),
  attachStateMachineArn: z.optional(z.string()),
  /** JSON overrides of the default alarm thresholds (lib/profiles/thresholds.ts). */
  thresholds: z._default(z.string(), '{}'),
});

export type Config = z.infer<typeof ConfigSchema>;

type Env = Record<string, string | undefined>;

/** Maps environment variable names to config keys; unset and empty variables fall back to defaults. */
const ENV_KEYS: Record<keyof Config, string> = {
  stage: 'SAGEWATCH_STAGE',
  region: 'AWS_REGION',
  requestsTable: 'REQUESTS_TABLE',
  requestsByEndpointIndex: 'REQUESTS_BY_ENDPOINT_INDEX',
  requestsOpenIndex: 'REQUESTS_OPEN_INDEX',
  inventoryTable: 'INVENTORY_TABLE',
  stateTable: 'STATE_TABLE',
  metricsNamespace: 'METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  retentionDays: 'RETENTION_DAYS',
  maxLogLinesPerRequest: 'MAX_LOG_LINES_PER_REQUEST',
  maxLogLineChars: 'MAX_LOG_LINE_CHARS',
  maxTrackedLogEventIds: 'MAX_TRACKED_LOG_EVENT_IDS',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  alertCooldownSeconds: 'ALERT_COOLDOWN_SECONDS',
  slackWebhookSecret: 'SLACK_WEBHOOK_SECRET',
  detectorWindowMinutes: 'DETECTOR_WINDOW_MINUTES',
  failureBurstMinFailures: 'FAILURE_BURST_MIN_FAILURES',
  failureBurstRate: 'FAILURE_BURST_RATE',
  latencyShiftFactor: 'LATENCY_SHIFT_FACTOR',
  latencyShiftMinSamples: 'LATENCY_SHIFT_MIN_SAMPLES',
  latencyShiftMinDeltaMs: 'LATENCY_SHIFT_MIN_DELTA_MS',
  latencyBaselineMinutes: 'LATENCY_BASELINE_MINUTES',
  expiredMinCount: 'EXPIRED_MIN_COUNT',
  stuckAfterMinutes: 'STUCK_AFTER_MINUTES',
  namePrefix: 'NAME_PREFIX',
  logDestinationArn: 'LOG_DESTINATION_ARN',
  logRoleArn: 'LOG_SUBSCRIPTION_ROLE_ARN',
  logFilterPattern: 'LOG_FILTER_PATTERN',
  metricStreamFirehoseArn: 'METRIC_STREAM_FIREHOSE_ARN',
  metricStreamRoleArn: 'METRIC_STREAM_ROLE_ARN',
  metricStreamOutputFormat: 'METRIC_STREAM_OUTPUT_FORMAT',
  notificationsQueueArn: 'NOTIFICATIONS_QUEUE_ARN',
  attachStateMachineArn: 'ATTACH_STATE_MACHINE_ARN',
  thresholds: 'THRESHOLDS',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: Env): Config {
  const raw: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const value = env[name] ?? (key === 'region' ? env.AWS_DEFAULT_REGION : undefined);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${ENV_KEYS[issue.path[0] as keyof Config] ?? String(issue.path[0])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

let cached: Config | undefined;

/**
 * The configuration of this process: the environment it was started with, read once (a
 * Lambda function's environment does not change). Given an `env`, that env is parsed instead
 * (cached per object), so a caller that passes its own settings always gets them.
 */
const perEnv = new WeakMap<Env, Config>();

export function loadConfig(env?: Env): Config {
  if (env === undefined || env === process.env) {
    cached ??= parseConfig(process.env);
    return cached;
  }
  let config = perEnv.get(env);
  if (!config) {
    config = parseConfig(env);
    perEnv.set(env, config);
  }
  return config;
}

/** Tests change process.env between cases; they drop the cached copy. */
export function resetConfig(): void {
  cached = undefined;
}
