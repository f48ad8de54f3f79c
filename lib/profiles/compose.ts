import type { EndpointKind } from './kinds';
import { ENDPOINT_PROFILES } from './endpoints';
import { ASYNC_UNPUBLISHED, NS, type MetricDef } from './metrics';
import type { AlarmSpec, WidgetSpec } from './types';

/**
 * The profile of a variant that is several kinds at once: the union of its kinds' alarms and
 * widgets (one of each id per scope), minus every alarm and widget line on a metric its kinds
 * say is never published. Only async declares such metrics today.
 */
export interface ComposedProfile {
  alarms: AlarmSpec[];
  widgets: WidgetSpec[];
}

/**
 * The async page calls its metric list exhaustive ("any metric not listed is not published"):
 * on an async variant, whatever its other kinds (multi-model, pipeline), only the async
 * profile's metrics exist, so ModelCacheHit or ModelLoadingWaitTime never get an alarm there.
 */
function unpublishedFor(kinds: readonly EndpointKind[]): (metric: MetricDef) => boolean {
  if (!kinds.includes('async')) return () => false;
  const published = new Set(ENDPOINT_PROFILES.async.metrics.map((m) => `${m.namespace}|${m.name}`));
  return (metric) => !published.has(`${metric.namespace}|${metric.name}`) || (metric.namespace === NS.sagemaker && (ASYNC_UNPUBLISHED as readonly string[]).includes(metric.name));
}

/**
 * The kinds whose metrics a variant of these kinds publishes, for the metric stream's filters:
 * an async variant publishes only the async list, whatever else it is (the same rule as above),
 * so an async multi-model endpoint does not put the model-loading metrics in the stream.
 */
export function publishingKinds(kinds: readonly EndpointKind[]): EndpointKind[] {
  return kinds.includes('async') ? ['async'] : [...kinds];
}

export function composeEndpointProfile(kinds: readonly EndpointKind[]): ComposedProfile {
  const unpublished = unpublishedFor(kinds);
  const alarms = new Map<string, AlarmSpec>();
  const widgets = new Map<string, WidgetSpec>();
  for (const kind of kinds) {
    const profile = ENDPOINT_PROFILES[kind];
    for (const alarm of profile.alarms) {
      const usesUnpublished = unpublished(alarm.metric) || (alarm.condition.type === 'ratio' && unpublished(alarm.condition.denominator.metric));
      const key = `${alarm.scope}:${alarm.id}`;
      if (!usesUnpublished && !alarms.has(key)) alarms.set(key, alarm);
    }
    for (const widget of profile.widgets) {
      const metrics = widget.metrics.filter((use) => !unpublished(use.metric));
      const key = `${widget.scope}:${widget.title}`;
      if (metrics.length > 0 && !widgets.has(key)) widgets.set(key, { ...widget, metrics });
    }
  }
  return { alarms: [...alarms.values()], widgets: [...widgets.values()] };
}
