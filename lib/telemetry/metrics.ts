import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Counters, Observation, ObservationUnit } from './observations';

const UNITS: Record<ObservationUnit, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
};

// Powertools flushes on its own at 100 values of one metric, dropping the dimensions added so
// far; publishing in smaller chunks keeps every value with its dimensions.
const VALUES_PER_FLUSH = 99;

/**
 * Request-level metrics (per endpoint): no `service` dimension, so the dimensions users alarm
 * on are exactly the documented ones (EndpointName, and FailureCategory where it fits).
 */
export function createRequestMetrics(namespace: string): Metrics {
  const metrics = new Metrics({ namespace, serviceName: 'sagewatch' });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** sagewatch's own health counters, with Powertools' `service` dimension. */
export function createOpsMetrics(namespace: string, serviceName: string): Metrics {
  return new Metrics({ namespace, serviceName });
}

export function publishObservations(metrics: Metrics, observations: readonly Observation[]): void {
  // One EMF document per dimension set: two sets sharing a key in one document make Powertools
  // warn about a key collision, and CloudWatch treats both forms the same.
  const groups = new Map<string, { dimensions: Record<string, string>; observations: Observation[] }>();
  for (const observation of observations) {
    for (const dimensions of observation.dimensionSets) {
      const key = JSON.stringify(dimensions);
      const group = groups.get(key);
      if (group) group.observations.push(observation);
      else groups.set(key, { dimensions, observations: [observation] });
    }
  }
  for (const { dimensions, observations: group } of groups.values()) {
    for (let i = 0; i < group.length; i += VALUES_PER_FLUSH) {
      metrics.addDimensions(dimensions);
      for (const observation of group.slice(i, i + VALUES_PER_FLUSH)) {
        metrics.addMetric(observation.name, UNITS[observation.unit], observation.value);
      }
      metrics.publishStoredMetrics();
    }
  }
}

export function publishCounters(metrics: Metrics, counters: Counters): void {
  const plain = counters.entries().filter((entry) => Object.keys(entry.dimensions).length === 0);
  for (const entry of plain) metrics.addMetric(entry.name, MetricUnit.Count, entry.value);
  if (plain.length > 0) metrics.publishStoredMetrics();
  for (const entry of counters.entries()) {
    if (Object.keys(entry.dimensions).length === 0) continue;
    metrics.addDimensions(entry.dimensions);
    metrics.addMetric(entry.name, MetricUnit.Count, entry.value);
    metrics.publishStoredMetrics();
  }
}
