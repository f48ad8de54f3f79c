// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import { en } from 'zod/v4/locales';
import { RESOURCE_KINDS } from '../profiles/kinds';

// Full zod registers its English messages ("Invalid input: expected string, received undefined")
// on first use; zod/mini leaves them out ("Invalid input"). Registered the same way, only when
// no locale is set, so validation errors keep saying what was expected (~3 KB).
if (!globalConfig.localeError) z.config(en());

export const TagsSchema = z.record(z.string(), z.string());
export type Tags = z.infer<typeof TagsSchema>;

/**
 * A reference to one SageMaker resource: what an event, a list call or the inventory points
 * at. It names the resource; it never says what state the resource is in (the workflow
 * describes it for that), so a stale reference is harmless.
 */
export const ResourceRefSchema = z.object({
  kind: z.enum(RESOURCE_KINDS),
  /** Endpoint or job name; for a pipeline execution `<pipeline-name>/<execution-id>`. */
  name: z.string().check(z.minLength(1)),
  arn: z.optional(z.string().check(z.minLength(1))),
  /** Normalised status the event or list call reported: informative only, never trusted. */
  status: z.optional(z.string()),
  /** ISO time of the event or listing that produced the reference. */
  eventTime: z.optional(z.string()),
  region: z.optional(z.string()),
  account: z.optional(z.string()),
  tags: z._default(TagsSchema, {}),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

/** The inventory's key for a resource: stable across events, listings and describes. */
export function resourceKey(ref: Pick<ResourceRef, 'kind' | 'name'>): string {
  return `${ref.kind}/${ref.name}`;
}

/** `arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipe/execution/abc` → parts. */
export function parseSageMakerArn(arn: string): { region: string; account: string; resourceType: string; resourceId: string } | undefined {
  const match = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):(\d{12}):([a-zA-Z-]+)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  return { region: match[1]!, account: match[2]!, resourceType: match[3]!, resourceId: match[4]! };
}

/** `my-pipe/execution/abc` from a pipeline execution ARN → `my-pipe/abc`. */
export function pipelineExecutionName(arn: string): string | undefined {
  const parsed = parseSageMakerArn(arn);
  if (parsed?.resourceType !== 'pipeline') return undefined;
  const match = /^([^/]+)\/execution\/([^/]+)$/.exec(parsed.resourceId);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** Tags arrive as a plain map in events and as `[{ Key, Value }]` from ListTags. */
export function tagsFrom(value: unknown): Tags {
  const tags: Tags = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object' && 'Key' in item && typeof item.Key === 'string') {
        const v = 'Value' in item ? item.Value : undefined;
        tags[item.Key] = typeof v === 'string' ? v : '';
      }
    }
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (typeof v === 'string') tags[key] = v;
  }
  return tags;
}
