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
  // Request-level detectors (lib/detect, README "Request-level alerts"): evidence against each endpoint's own baseline.
  /** How far above its baseline an endpoint's failure rate must be to matter (0.05 = 5 points). */
  failureMinExcess: positiveNumber(0.05),
  /** How improbable the failures must be under the baseline (binomial p-value). */
  failureSignificance: positiveNumber(0.001),
  failureMinFailures: positiveInt(3),
  /** A window failing at least this share is critical. */
  failureCriticalRate: positiveNumber(0.5),
  /** The median or p90 must be at least this many times the baseline's... */
  latencyMinFactor: positiveNumber(1.5),
  /** ... and at least this many ms slower. */
  latencyMinDeltaMs: positiveInt(250),
  /** How improbable the slowdown must be under the baseline (rank test p-value). */
  latencySignificance: positiveNumber(0.0001),
  /** Share of baseline requests a recent one must be slower than, on average (0.5 = no change). */
  latencyMinAuc: positiveNumber(0.65),
  latencyMinSamples: positiveInt(5),
  /** Hours of each endpoint's history that make its baseline. */
  detectorBaselineHours: positiveInt(12),
  /** An incident closes after this long of normal behaviour... */
  recoveryMinutes: positiveInt(15),
  /** ... over at least this many finished requests (four times as many close it sooner). */
  recoveryMinRequests: positiveInt(10),
  expiredMinCount: positiveInt(1),
  /** An open incident of an endpoint with no finished request for this long is closed. */
  incidentIdleMinutes: positiveInt(120),
  /** sagewatch's own notification input this far behind raises a pipeline-behind alert. */
  pipelineLagAlertMinutes: positiveNumber(5),
  /** ... and this far behind it turns critical: request outcomes have been unknown that long. */
  pipelineLagCriticalMinutes: positiveNumber(60),
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
  failureMinExcess: 'FAILURE_MIN_EXCESS',
  failureSignificance: 'FAILURE_SIGNIFICANCE',
  failureMinFailures: 'FAILURE_MIN_FAILURES',
  failureCriticalRate: 'FAILURE_CRITICAL_RATE',
  latencyMinFactor: 'LATENCY_MIN_FACTOR',
  latencyMinDeltaMs: 'LATENCY_MIN_DELTA_MS',
  latencySignificance: 'LATENCY_SIGNIFICANCE',
  latencyMinAuc: 'LATENCY_MIN_AUC',
  latencyMinSamples: 'LATENCY_MIN_SAMPLES',
  detectorBaselineHours: 'DETECTOR_BASELINE_HOURS',
  recoveryMinutes: 'RECOVERY_MINUTES',
  recoveryMinRequests: 'RECOVERY_MIN_REQUESTS',
  expiredMinCount: 'EXPIRED_MIN_COUNT',
  incidentIdleMinutes: 'INCIDENT_IDLE_MINUTES',
  pipelineLagAlertMinutes: 'PIPELINE_LAG_ALERT_MINUTES',
  pipelineLagCriticalMinutes: 'PIPELINE_LAG_CRITICAL_MINUTES',
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
    const problems = parsed.error.issues.map((issue) => `${ENV_KEYS[issue.path[0] as keyof Config] ?? String(issue.path[0])}: ${issue.message}`);
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
