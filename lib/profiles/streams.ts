import type { MetricStreamFilter } from '@aws-sdk/client-cloudwatch';
import { ENDPOINT_KINDS, type EndpointKind, type JobKind } from './kinds';
import { ENDPOINT_PROFILES } from './endpoints';
import { JOB_PROFILES } from './jobs';
import type { KindProfile } from './types';

/**
 * Which metrics sagewatch streams, per endpoint kind and job kind. Include filters select by
 * namespace and metric name only (CloudWatch has no dimension filter), so a filter carries its
 * metrics for every resource of the account: one stream whose filters are the union of the
 * attached kinds' metrics delivers each data point once (per-kind streams sent a metric that
 * several kinds share, ModelLatency for instance, once per stream).
 */
export type StreamKind = EndpointKind | JobKind;

export function profileOf(kind: StreamKind): KindProfile {
  return (ENDPOINT_KINDS as readonly string[]).includes(kind) ? ENDPOINT_PROFILES[kind as EndpointKind] : JOB_PROFILES[kind as JobKind];
}

/** Include filters of kinds together, one per namespace, metric names sorted: stable for fingerprints. */
export function streamIncludeFilters(...kinds: StreamKind[]): MetricStreamFilter[] {
  const byNamespace = new Map<string, Set<string>>();
  for (const metric of kinds.flatMap((kind) => profileOf(kind).metrics)) {
    const names = byNamespace.get(metric.namespace) ?? new Set<string>();
    names.add(metric.name);
    byNamespace.set(metric.namespace, names);
  }
  return [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([Namespace, names]) => ({ Namespace, MetricNames: [...names].sort() }));
}

/** Kinds without metrics of their own (tuning jobs) get no stream. */
export function hasStream(kind: StreamKind): boolean {
  return profileOf(kind).metrics.length > 0;
}
