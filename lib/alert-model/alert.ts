// Over 300 lines on purpose: the one alert model (kinds, schema, limits, creation, resolution,
// fingerprint, labels) that every producer, the store and every renderer must agree on.
import { createHash } from 'node:crypto';
// zod/mini: detectors on the data path import the model; the full zod build would weigh on every bundle.
import * as z from 'zod/mini';

/**
 * The one alert model. Detectors, the sweeper and the control plane build alerts with
 * `createAlert`; the store dedupes them by `fingerprint`; chat, Slack, email and the CLI render
 * them. The shape is versioned (`schemaVersion`) because alerts travel through SNS, dead-letter
 * queues and the store, and may be read by a newer sagewatch than the one that wrote them.
 */

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * Kinds whose alert is one incident: it opens, may worsen, and resolves (lib/alerts/cooldown.ts
 * sends each once per severity); every other kind repeats while its problem lasts.
 */
export const INCIDENT_ALERT_KINDS = [
  'failure-burst',
  'latency-shift',
  'expired-requests',
  'log-errors-without-notification',
  'stuck-requests',
  /** sagewatch's own input (notifications, logs) is behind: a self-monitoring alert, not a request alert. */
  'pipeline-behind',
] as const;

export const ALERT_KINDS = [...INCIDENT_ALERT_KINDS, 'attachment-failed', 'subscription-slots-full', 'missing-notification-topics', 'job-failed', 'cloudwatch-alarm'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const RESOURCE_TYPES = [
  'endpoint',
  'inference-component',
  'training-job',
  'processing-job',
  'transform-job',
  'tuning-job',
  'pipeline',
  'labeling-job',
  'log-group',
  'alarm',
  /** One of sagewatch's own inputs (`notifications`, `logs`). */
  'sagewatch-input',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface AlertResource {
  type: ResourceType;
  name: string;
  variant?: string;
  region?: string;
  account?: string;
}

export interface EvidenceNumber {
  name: string;
  value: number;
  /** Free text shown after the value: `%`, `ms`, `requests` ... */
  unit?: string;
}

/** Text evidence: a job's FailureReason, a top failure reason, the log group that is full. */
export interface EvidenceFact {
  name: string;
  value: string;
}

export interface AlertLink {
  label: string;
  url: string;
}

export interface AlertEvidence {
  numbers: EvidenceNumber[];
  facts: EvidenceFact[];
  /** A few inference ids that show the problem; `sagewatch query` explains each one. */
  inferenceIds: string[];
  links: AlertLink[];
  /** Command lines to run next, e.g. `sagewatch query --endpoint my-ep --status Failed`. */
  commands: string[];
}

export interface Alert {
  schemaVersion: 1;
  /** Unique per event (fingerprint + status + detectedAt): the same event always gets the same id. */
  id: string;
  /** Stable identity of the condition: kind + key + resource, never time or numbers. */
  fingerprint: string;
  kind: AlertKind;
  /** Tells apart alerts of one kind on one resource (an alarm name, an attachment). */
  key?: string;
  severity: Severity;
  status: AlertStatus;
  title: string;
  description: string;
  resource: AlertResource;
  evidence: AlertEvidence;
  /** ISO-8601 time the condition was evaluated (for a resolution: when it cleared). */
  detectedAt: string;
  windowStart?: string;
  windowEnd?: string;
}

/**
 * Size caps, applied when an alert is built and again before it is rendered: they keep an alert
 * far below SNS's 256 KiB and let every renderer assume bounded input.
 */
export const ALERT_LIMITS = {
  title: 200,
  description: 3000,
  key: 255,
  resourceName: 255,
  numbers: 20,
  facts: 20,
  factName: 100,
  factValue: 1000,
  inferenceIds: 10,
  inferenceId: 256,
  links: 10,
  linkLabel: 75,
  /** Longer URLs are dropped, not cut: a truncated URL leads nowhere. */
  linkUrl: 3000,
  commands: 5,
  command: 500,
} as const;

const text = () => z.string().check(z.trim(), z.minLength(1));
const isoTime = () => z.iso.datetime({ offset: true });
const list = <T extends z.ZodMiniType>(item: T) => z._default(z.array(item), []);

const ResourceSchema = z.object({
  type: z.enum(RESOURCE_TYPES),
  name: text(),
  variant: z.optional(text()),
  region: z.optional(text()),
  account: z.optional(text()),
});

const EvidenceSchema = z.object({
  numbers: list(z.object({ name: text(), value: z.number(), unit: z.optional(z.string()) })),
  facts: list(z.object({ name: text(), value: z.string() })),
  inferenceIds: list(text()),
  links: list(z.object({ label: text(), url: z.url({ protocol: /^https?$/ }) })),
  commands: list(text()),
});

/** Parses an alert read back from SNS, the store or a file; unknown fields are dropped. */
export const AlertSchema = z.object({
  schemaVersion: z.literal(1),
  id: text(),
  fingerprint: text(),
  kind: z.enum(ALERT_KINDS),
  key: z.optional(text()),
  severity: z.enum(SEVERITIES),
  status: z.enum(ALERT_STATUSES),
  title: text(),
  description: z.string(),
  resource: ResourceSchema,
  evidence: EvidenceSchema,
  detectedAt: isoTime(),
  windowStart: z.optional(isoTime()),
  windowEnd: z.optional(isoTime()),
});

type TimeInput = string | number | Date;

export interface AlertInput {
  kind: AlertKind;
  key?: string;
  severity: Severity;
  status?: AlertStatus;
  title: string;
  description: string;
  resource: AlertResource;
  evidence?: Partial<AlertEvidence>;
  /** Required on purpose: detectors run on injected clocks, so the model never reads the time. */
  detectedAt: TimeInput;
  windowStart?: TimeInput;
  windowEnd?: TimeInput;
}

const InputSchema = z.object({
  kind: z.enum(ALERT_KINDS),
  key: z.optional(text()),
  severity: z.enum(SEVERITIES),
  status: z._default(z.enum(ALERT_STATUSES), 'firing'),
  title: text(),
  description: z.string(),
  resource: ResourceSchema,
  evidence: EvidenceSchema,
  detectedAt: isoTime(),
  windowStart: z.optional(isoTime()),
  windowEnd: z.optional(isoTime()),
});

export class InvalidAlertError extends Error {
  override name = 'InvalidAlertError';
}

/** Builds a valid, capped alert with its fingerprint and id; throws InvalidAlertError on bad input. */
export function createAlert(input: AlertInput): Alert {
  const parsed = InputSchema.safeParse({
    ...input,
    detectedAt: toIso(input.detectedAt),
    ...(input.windowStart !== undefined ? { windowStart: toIso(input.windowStart) } : {}),
    ...(input.windowEnd !== undefined ? { windowEnd: toIso(input.windowEnd) } : {}),
    evidence: {
      ...input.evidence,
      // A NaN rate (0/0 over an empty window) must not cost the whole alert.
      numbers: input.evidence?.numbers?.filter((n) => Number.isFinite(n.value)),
    },
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'alert'}: ${issue.message}`);
    throw new InvalidAlertError(`invalid alert: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  const fingerprint = fingerprintOf(data.kind, data.resource, data.key);
  return normalizeAlert({
    schemaVersion: 1,
    id: alertId(fingerprint, data.status, data.detectedAt),
    fingerprint,
    kind: data.kind,
    ...(data.key !== undefined ? { key: data.key } : {}),
    severity: data.severity,
    status: data.status,
    title: data.title,
    description: data.description,
    resource: data.resource,
    evidence: data.evidence,
    detectedAt: data.detectedAt,
    ...(data.windowStart !== undefined ? { windowStart: data.windowStart } : {}),
    ...(data.windowEnd !== undefined ? { windowEnd: data.windowEnd } : {}),
  });
}

/**
 * The resolution of a firing alert: same fingerprint, severity and resource (so it reaches the
 * same subscribers and the same chat thread), new status, time and id.
 */
export function resolveAlert(alert: Alert, options: { at: TimeInput; description?: string; evidence?: Partial<AlertEvidence> }): Alert {
  const detectedAt = toIso(options.at);
  return normalizeAlert({
    ...alert,
    status: 'resolved',
    id: alertId(alert.fingerprint, 'resolved', detectedAt),
    detectedAt,
    description: options.description ?? 'The condition has cleared.',
    evidence: { ...alert.evidence, ...options.evidence },
  });
}

/** Deterministic and time-free: the same condition on the same resource always maps to one fingerprint. */
export function fingerprintOf(kind: AlertKind, resource: AlertResource, key?: string): string {
  const identity = JSON.stringify([kind, key ?? '', resource.type, resource.name, resource.variant ?? '', resource.region ?? '', resource.account ?? '']);
  return `${kind}:${sha256(identity).slice(0, 32)}`;
}

function alertId(fingerprint: string, status: AlertStatus, detectedAt: string): string {
  return sha256(`${fingerprint}|${status}|${detectedAt}`).slice(0, 32);
}

/** Applies ALERT_LIMITS; renderers call it too, since an Alert may come from anywhere. */
export function normalizeAlert(alert: Alert): Alert {
  const L = ALERT_LIMITS;
  const { evidence, resource } = alert;
  return {
    ...alert,
    ...(alert.key !== undefined ? { key: cut(alert.key, L.key) } : {}),
    title: cut(alert.title, L.title),
    description: cut(alert.description, L.description),
    resource: { ...resource, name: cut(resource.name, L.resourceName) },
    evidence: {
      numbers: evidence.numbers
        .filter((n) => Number.isFinite(n.value))
        .slice(0, L.numbers)
        .map((n) => ({ ...n, name: cut(n.name, L.factName), ...(n.unit !== undefined ? { unit: cut(n.unit, 20) } : {}) })),
      facts: evidence.facts.slice(0, L.facts).map((f) => ({ name: cut(f.name, L.factName), value: cut(f.value, L.factValue) })),
      inferenceIds: evidence.inferenceIds.slice(0, L.inferenceIds).map((id) => cut(id, L.inferenceId)),
      links: evidence.links
        .filter((link) => link.url.length <= L.linkUrl)
        .slice(0, L.links)
        .map((link) => ({ label: cut(link.label, L.linkLabel), url: link.url })),
      commands: evidence.commands.slice(0, L.commands).map((c) => cut(c, L.command)),
    },
  };
}

/** Cuts to at most `max` UTF-16 units, never inside a surrogate pair, marking the cut with an ellipsis. */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  if (max <= 0) return '';
  let end = max - 1;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}

export function toIso(value: TimeInput): string {
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
  }
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** `endpoint my-ep/AllTraffic`, `training-job train-1`: how a resource is named in messages. */
export function resourceLabel(resource: AlertResource): string {
  return `${resource.type} ${resource.name}${resource.variant ? `/${resource.variant}` : ''}`;
}

/** The resource's ARN when region and account are known (chat `relatedResources`, custom actions). */
export function resourceArn(resource: AlertResource): string | undefined {
  if (!resource.region || !resource.account) return undefined;
  const partition = resource.region.startsWith('cn-') ? 'aws-cn' : resource.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const prefix = `arn:${partition}`;
  const account = `${resource.region}:${resource.account}`;
  if (resource.type === 'log-group') return `${prefix}:logs:${account}:log-group:${resource.name}`;
  if (resource.type === 'alarm') return `${prefix}:cloudwatch:${account}:alarm:${resource.name}`;
  const kind = SAGEMAKER_ARN_TYPES[resource.type];
  return kind ? `${prefix}:sagemaker:${account}:${kind}/${resource.name.toLowerCase()}` : undefined;
}

/** SageMaker's ARN resource type of each alert resource type (every type listed, so a new one must say); sagewatch's own inputs have none. */
const SAGEMAKER_ARN_TYPES: Record<Exclude<ResourceType, 'log-group' | 'alarm'>, string | undefined> = {
  endpoint: 'endpoint',
  'inference-component': 'inference-component',
  'training-job': 'training-job',
  'processing-job': 'processing-job',
  'transform-job': 'transform-job',
  'tuning-job': 'hyper-parameter-tuning-job',
  pipeline: 'pipeline',
  'labeling-job': 'labeling-job',
  'sagewatch-input': undefined,
};

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
