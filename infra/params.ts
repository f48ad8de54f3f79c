/**
 * The stack's parameters: serverless `params` with safe defaults, overridden per deploy with
 * `--param="key=value"`. The template reads them through `${param:key}` (osls resolves them);
 * the same definitions feed the README table test and the early validation below, so a bad
 * value fails `osls package` with a sentence instead of a CloudFormation rollback.
 */

export interface ParamDef {
  default: string;
  /** One line for the README table. */
  description: string;
  /** Undefined when the value is acceptable, else why not. */
  check: (value: string) => string | undefined;
}

// CloudWatch Logs accepts only these retention periods (AWS::Logs::LogGroup RetentionInDays).
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

// Powertools Logger's levels.
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

const positiveInteger = (max: number) => (value: string) => (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= max ? undefined : `must be a whole number from 1 to ${max}`);

/**
 * The Slack webhook URL is a credential and must never reach the template: the parameter names
 * where it is stored, in the form lib/alerts/secret.ts reads (`ssm:<name>`,
 * `secretsmanager:<id>` or the parameter's / secret's ARN). Empty means no Slack delivery.
 */
export function checkSecretReference(value: string): string | undefined {
  if (value === '') return undefined;
  if (/hooks\.slack\.com|^https?:|xox[a-z]-/i.test(value)) {
    return 'looks like the webhook itself; store it in SSM Parameter Store (SecureString) or Secrets Manager and pass its name, e.g. ssm:/sagewatch/slack-webhook';
  }
  if (parseSecretReference(value) === undefined) {
    return 'must be ssm:<parameter name>, secretsmanager:<secret name> or the ARN of either';
  }
  return undefined;
}

export type SecretReference = { store: 'ssm'; name: string } | { store: 'secretsmanager'; name: string } | { store: 'ssm' | 'secretsmanager'; arn: string };

export function parseSecretReference(value: string): SecretReference | undefined {
  const ssm = /^ssm:(\/?[A-Za-z0-9_.\-/]+)$/.exec(value);
  if (ssm) return { store: 'ssm', name: ssm[1]! };
  const secret = /^secretsmanager:([A-Za-z0-9/_+=.@-]+)$/.exec(value);
  if (secret) return { store: 'secretsmanager', name: secret[1]! };
  const arn = /^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter\/.+|secret:.+)$/.exec(value);
  if (arn) return { store: arn[1] as 'ssm' | 'secretsmanager', arn: value };
  return undefined;
}

function checkThresholdOverrides(value: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'must be a JSON object, e.g. {"modelLatencyMs":500}';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'must be a JSON object, e.g. {"modelLatencyMs":500}';
  for (const [key, number] of Object.entries(parsed)) {
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) return `${key} must be a non-negative number`;
  }
  return undefined;
}

export const PARAMS = {
  metricsNamespace: {
    default: 'sagewatch',
    description: "CloudWatch namespace of sagewatch's derived metrics (`METRICS_NAMESPACE`)",
    check: (value) =>
      value.length > 255 || value.startsWith('AWS/') || !/^[A-Za-z0-9 ._\-/#:]+$/.test(value) ? 'must be 1-255 characters of letters, digits and . _ - / # : and not start with AWS/' : undefined,
  },
  retentionDays: {
    default: '30',
    description: 'Days a correlated request record is kept before DynamoDB TTL deletes it (`RETENTION_DAYS`)',
    check: positiveInteger(3650),
  },
  logRetentionDays: {
    default: '30',
    description: "Retention of sagewatch's own log groups (functions, state machine and metric delivery errors); one of CloudWatch Logs' allowed values",
    check: (value) => (LOG_RETENTION_DAYS.map(String).includes(value) ? undefined : `must be one of ${LOG_RETENTION_DAYS.join(', ')}`),
  },
  logLevel: {
    default: 'INFO',
    description: `Log level of every function (\`POWERTOOLS_LOG_LEVEL\`): ${LOG_LEVELS.join(', ')}`,
    check: (value) => (LOG_LEVELS.includes(value) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`),
  },
  failureBurstThreshold: {
    default: '5',
    description: 'Failed async requests of one endpoint within `failureBurstWindowMinutes` that raise a request-level alert (`FAILURE_BURST_THRESHOLD`)',
    check: positiveInteger(100_000),
  },
  failureBurstWindowMinutes: {
    default: '5',
    description: 'Window of the failure-burst alert, in minutes (`FAILURE_BURST_WINDOW_MINUTES`)',
    check: positiveInteger(1440),
  },
  latencyThresholdMs: {
    default: '300000',
    description: 'End-to-end latency of one async request above which a request-level alert is raised, in ms (`LATENCY_THRESHOLD_MS`)',
    check: positiveInteger(86_400_000),
  },
  alarmThresholds: {
    default: '{}',
    description: 'JSON overrides of the default alarm thresholds of lib/profiles (`THRESHOLDS`), e.g. `{"modelLatencyMs":500}`',
    check: checkThresholdOverrides,
  },
  slackWebhookSecret: {
    default: '',
    description: 'Where the Slack webhook URL is stored: `ssm:<parameter name>`, `secretsmanager:<secret name>` or an ARN; empty = no Slack, alerts only on the SNS topic (`SLACK_WEBHOOK_SECRET`)',
    check: checkSecretReference,
  },
} satisfies Record<string, ParamDef>;

export type ParamName = keyof typeof PARAMS;

/** `${param:name}`, checked against the known names at compile time. */
export const param = (name: ParamName): string => `\${param:${name}}`;

export const PARAM_DEFAULTS = Object.fromEntries(Object.entries(PARAMS).map(([name, def]) => [name, def.default])) as Record<ParamName, string>;

/**
 * The values this deploy will use (defaults overridden by the command line), after checking
 * every one. Unknown names are rejected too: a typo would otherwise deploy the default silently.
 */
export function resolveParams(cli: Record<string, string>): Record<ParamName, string> {
  const problems: string[] = [];
  for (const name of Object.keys(cli)) {
    if (!(name in PARAMS)) problems.push(`unknown parameter "${name}"; known: ${Object.keys(PARAMS).join(', ')}`);
  }
  const values = { ...PARAM_DEFAULTS };
  for (const name of Object.keys(PARAMS) as ParamName[]) {
    const value = cli[name] ?? PARAMS[name].default;
    const problem = PARAMS[name].check(value);
    if (problem) problems.push(`--param ${name}: ${problem}`);
    values[name] = value;
  }
  if (problems.length > 0) throw new Error(`sagewatch: invalid parameters:\n  ${problems.join('\n  ')}`);
  return values;
}
