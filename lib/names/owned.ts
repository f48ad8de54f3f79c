import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-cloudwatch';
import type { StreamKind } from '../profiles/streams';
import type { ResourceKind } from '../profiles/kinds';

/**
 * Names and tags of everything sagewatch creates. Every name is the stack's name prefix
 * (`sagewatch`, or `sagewatch-<stage>`), then `_`, which no stage can contain (infra/names.ts
 * refuses it), so `sagewatch-dev_*` never matches stage `dev-eu`'s `sagewatch-dev-eu_*` and the
 * IAM scoping holds per stage. Parts after it are joined with `.`, which SageMaker names cannot
 * contain, so `endpoint a-b / variant c` and `endpoint a / variant b-c` never share an alarm name.
 *
 * Every name is fitted to its AWS limits where it is built: characters outside the resource's
 * set are replaced, and a name over the length limit keeps its head and gets a stable hash of
 * the whole, so two long names never collide and the same resource always gets the same name.
 */
export const DEFAULT_NAME_PREFIX = 'sagewatch';
/** A prefix must keep names recognisably sagewatch's: `sagewatch` or `sagewatch-<stage>`. */
export const NAME_PREFIX_PATTERN = /^sagewatch(-[A-Za-z0-9]+)*$/;
/** Ends the stage in every owned name; stages may not contain it. */
export const OWNED_NAME_DELIMITER = '_';
export const MANAGED_TAG = 'sagewatch:managed';
export const RESOURCE_TAG = 'sagewatch:resource';

/** AWS's limits per kind of name (API reference: PutMetricAlarm, PutDashboard, PutMetricStream, PutSubscriptionFilter). */
export const NAME_LIMITS = {
  // Alarm names: 1-255 characters, no control characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what alarm names may not hold
  alarm: { max: 255, invalid: /[\u0000-\u001f\u007f]/g },
  dashboard: { max: 255, invalid: /[^A-Za-z0-9_-]/g },
  metricStream: { max: 255, invalid: /[^A-Za-z0-9_-]/g },
  // Filter names: 1-512 characters, no ':' or '*'.
  subscriptionFilter: { max: 512, invalid: /[:*]/g },
} as const;
export type NamedThing = keyof typeof NAME_LIMITS;

const HASH_LENGTH = 12;

/** The name fitted to its kind's character set and length; a too long one ends in `-<hash of the full name>`. */
export function fitName(kind: NamedThing, name: string): string {
  const limit = NAME_LIMITS[kind];
  const cleaned = name.replace(limit.invalid, '-');
  if (cleaned.length <= limit.max) return cleaned;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  return `${cleaned.slice(0, limit.max - HASH_LENGTH - 1)}-${hash}`;
}

/** `<prefix>_<rest>`: the start every owned name shares (and the IAM policies scope to). */
export function ownedPrefix(prefix: string): string {
  return `${prefix}${OWNED_NAME_DELIMITER}`;
}

export function alarmName(prefix: string, kind: ResourceKind | 'account', name: string, ...parts: string[]): string {
  return fitName('alarm', `${ownedPrefix(prefix)}${[kind, name, ...parts].join('.')}`);
}

/**
 * An endpoint's dashboard; the `endpoint-` part keeps endpoint names apart from any other
 * dashboard sagewatch names. Parts after the first (an endpoint too big for one dashboard) end
 * in `_<n>`: endpoint names cannot contain `_`, so no endpoint's first part is another's n-th.
 */
export function dashboardName(prefix: string, endpointName: string, part = 1): string {
  return fitName('dashboard', `${ownedPrefix(prefix)}endpoint-${endpointName}${part > 1 ? `_${part}` : ''}`);
}

export function metricStreamName(prefix: string, kind: StreamKind | 'metrics'): string {
  return fitName('metricStream', `${ownedPrefix(prefix)}${kind}`);
}

/** The subscription filter sagewatch puts on a log group; whether a filter is ours is decided by its destination and the inventory. */
export function subscriptionFilterName(prefix: string): string {
  return fitName('subscriptionFilter', `${ownedPrefix(prefix)}logs`);
}

export function managedTags(kind: ResourceKind, name: string): Tag[] {
  return [
    { Key: MANAGED_TAG, Value: 'true' },
    { Key: RESOURCE_TAG, Value: `${kind}/${name}` },
  ];
}

/** Tags of shared attachments (metric streams) that belong to no single resource. */
export const SHARED_TAGS: Tag[] = [{ Key: MANAGED_TAG, Value: 'true' }];

/** JSON with sorted keys: equal requests always give equal text, whatever order built them. */
export function stableStringify(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What the inventory stores per attachment to tell whether the request would change anything. */
export function fingerprint(input: unknown): string {
  return createHash('sha256').update(stableStringify(input)).digest('hex').slice(0, 32);
}
