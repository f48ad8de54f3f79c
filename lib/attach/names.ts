import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-cloudwatch';
import type { StreamKind } from '../profiles/streams';
import type { ResourceKind } from '../sagemaker/resource';

/**
 * Names and tags of everything sagewatch creates. Every name starts with the stack's name
 * prefix (`sagewatch`, or `sagewatch-<stage>` so that two stages in one account never touch
 * each other's attachments) and a `-`; parts are joined with `.`, which SageMaker names cannot
 * contain, so `endpoint a-b / variant c` and `endpoint a / variant b-c` never share an alarm name.
 */
export const DEFAULT_NAME_PREFIX = 'sagewatch';
/** A prefix must keep names recognisably sagewatch's: `sagewatch` or `sagewatch-<stage>`. */
export const NAME_PREFIX_PATTERN = /^sagewatch(-[A-Za-z0-9]+)*$/;
export const MANAGED_TAG = 'sagewatch:managed';
export const RESOURCE_TAG = 'sagewatch:resource';

export function alarmName(prefix: string, kind: ResourceKind, name: string, ...parts: string[]): string {
  return `${prefix}-${[kind, name, ...parts].join('.')}`;
}

/**
 * Dashboard names allow only A-Z a-z 0-9 - _ (endpoint names use a subset); the `endpoint-`
 * part keeps an endpoint called `health-...` out of the stack's own `<prefix>-health` names.
 */
export function dashboardName(prefix: string, endpointName: string): string {
  return `${prefix}-endpoint-${endpointName}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

export function metricStreamName(prefix: string, kind: StreamKind): string {
  return `${prefix}-${kind}`;
}

/** The one subscription filter sagewatch puts on a log group; a filter of any other name is not ours. */
export function subscriptionFilterName(prefix: string): string {
  return `${prefix}-logs`;
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
