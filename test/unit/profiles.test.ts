import { describe, expect, it } from 'vitest';
import { desiredState } from '../../lib/attach/desired';
import { composeEndpointProfile } from '../../lib/profiles/compose';
import { ENDPOINT_PROFILES } from '../../lib/profiles/endpoints';
import { ENDPOINT_KINDS, type EndpointKind } from '../../lib/profiles/kinds';
import { JOB_PROFILES } from '../../lib/profiles/jobs';
import { ASYNC_METRICS, ASYNC_UNPUBLISHED, INVOCATION_METRICS, NS, PIPELINE_METRICS, SERVERLESS_METRICS, TRANSFORM_INSTANCE_METRICS, type MetricDef } from '../../lib/profiles/metrics';
import { hasStream, streamIncludeFilters } from '../../lib/profiles/streams';
import { defaultThresholds, isIgnored, resolveThresholds, StageThresholdsSchema, THRESHOLD_KEYS, THRESHOLDS, thresholdInMetricUnit, thresholdsFromTags } from '../../lib/profiles/thresholds';
import { SCOPE_DIMENSIONS, type AlarmSpec, type KindProfile } from '../../lib/profiles/types';
import { classifyEndpoint } from '../../lib/sagemaker/classify';
import { JOB_KINDS } from '../../lib/profiles/kinds';
import { bundle, NOW, SETTINGS } from './attach-fixtures';

const ALL_PROFILES: KindProfile[] = [...Object.values(ENDPOINT_PROFILES), ...Object.values(JOB_PROFILES)];

function usesOf(alarm: AlarmSpec): Array<{ metric: MetricDef; stat: string }> {
  return [{ metric: alarm.metric, stat: alarm.stat }, ...(alarm.condition.type === 'ratio' ? [alarm.condition.denominator] : [])];
}

describe('profile data is consistent with the metric catalog', () => {
  it.each(ALL_PROFILES.map((p) => [p.kind, p] as const))('%s: alarms and widgets use valid statistics, existing dimensions and their own metrics', (_, profile) => {
    const metrics = new Set(profile.metrics);
    for (const alarm of profile.alarms) {
      for (const use of usesOf(alarm)) {
        expect(metrics.has(use.metric), `${profile.kind}/${alarm.id}: ${use.metric.name} not among the kind's metrics`).toBe(true);
        if (/^p\d+$/.test(use.stat)) expect(use.metric.percentiles, `${alarm.id}: ${use.metric.name} has no percentiles`).toBe(true);
        else expect(use.metric.stats, `${alarm.id}: ${use.stat} on ${use.metric.name}`).toContain(use.stat);
        expect(use.metric.dimensions.map((d) => d.join(','))).toContain(SCOPE_DIMENSIONS[alarm.scope].join(','));
      }
      expect(alarm.datapointsToAlarm).toBeLessThanOrEqual(alarm.evaluationPeriods);
      expect([10, 30, 60, 300, 900, 3600]).toContain(alarm.period);
    }
    for (const widget of profile.widgets) {
      for (const use of widget.metrics) {
        expect(metrics.has(use.metric), `${profile.kind}/${widget.title}: ${use.metric.name}`).toBe(true);
        if (/^p\d+$/.test(use.stat)) expect(use.metric.percentiles).toBe(true);
        else expect(use.metric.stats).toContain(use.stat);
      }
    }
  });

  it('alarm ids are unique per scope within a kind', () => {
    for (const profile of ALL_PROFILES) {
      const ids = profile.alarms.map((a) => `${a.scope}:${a.id}`);
      expect(new Set(ids).size, profile.kind).toBe(ids.length);
    }
  });

  it('every threshold an alarm refers to exists, with a sagewatch: tag', () => {
    for (const profile of ALL_PROFILES) {
      for (const alarm of profile.alarms) {
        if (alarm.condition.type === 'anomaly-band' || typeof alarm.condition.threshold === 'object') continue;
        expect(THRESHOLD_KEYS).toContain(alarm.condition.threshold);
      }
    }
    for (const key of THRESHOLD_KEYS) expect(THRESHOLDS[key].tag).toMatch(/^sagewatch:[a-z0-9-]+$/);
  });
});

describe("AWS's spellings are kept exactly", () => {
  it('typos and odd casing included', () => {
    expect(ASYNC_METRICS.InvocationsProcesssed.name).toBe('InvocationsProcesssed');
    expect(NS.pipelines).toBe('AWS/Sagemaker/ModelBuildingPipeline');
    expect(PIPELINE_METRICS.ExecutionFailed.namespace).toBe('AWS/Sagemaker/ModelBuildingPipeline');
    expect(INVOCATION_METRICS.Invocation5XXErrors.name).toBe('Invocation5XXErrors');
    expect(ASYNC_METRICS.ApproximateAgeOfOldestRequest).toMatchObject({ namespace: 'AWS/SageMaker', unit: 'Seconds', dimensions: [['EndpointName']] });
    expect(INVOCATION_METRICS.ContainerLatency.dimensions).toEqual([['EndpointName', 'VariantName', 'ContainerName']]);
    expect(INVOCATION_METRICS.ModelLatency.unit).toBe('Microseconds');
  });

  it('TimeInBacklog: the current edition (Milliseconds) over the older one (Microseconds)', () => {
    expect(ASYNC_METRICS.TimeInBacklog.unit).toBe('Milliseconds');
    expect(ASYNC_METRICS.TotalProcessingTime.unit).toBe('Milliseconds');
  });

  it('transform jobs publish no DiskUtilization', () => {
    expect(Object.keys(TRANSFORM_INSTANCE_METRICS)).not.toContain('DiskUtilization');
    expect(JOB_PROFILES['transform-job'].metrics.map((m) => m.name)).not.toContain('DiskUtilization');
  });

  it('serverless profiles stick to the serverless page’s exhaustive list', () => {
    const allowed = new Set([
      'Invocations',
      'Invocation4XXErrors',
      'Invocation5XXErrors',
      'ModelLatency',
      'OverheadLatency',
      'ModelSetupTime',
      'MemoryUtilization',
      ...Object.keys(SERVERLESS_METRICS),
    ]);
    for (const kind of ['serverless', 'serverless-provisioned-concurrency'] as const) {
      for (const metric of ENDPOINT_PROFILES[kind].metrics) expect(allowed.has(metric.name), `${kind}: ${metric.name}`).toBe(true);
    }
    expect(ENDPOINT_PROFILES.serverless.metrics).not.toContain(SERVERLESS_METRICS.ServerlessProvisionedConcurrencyUtilization);
  });
});

describe('async endpoints never get alarms on metrics they do not publish', () => {
  const asyncCombinations: EndpointKind[][] = [['async'], ['async', 'multi-model'], ['async', 'inference-pipeline'], ['async', 'multi-model', 'inference-pipeline'], ['real-time', 'async']];

  it.each(asyncCombinations.map((kinds) => [kinds.join(' + '), kinds] as const))('%s: no alarm or widget line on OverheadLatency, Invocations, InvocationsPerInstance', (_, kinds) => {
    const profile = composeEndpointProfile(kinds);
    const used = [...profile.alarms.flatMap((a) => usesOf(a).map((u) => u.metric.name)), ...profile.widgets.flatMap((w) => w.metrics.map((m) => m.metric.name))];
    expect(used.length).toBeGreaterThan(0);
    for (const name of ASYNC_UNPUBLISHED) expect(used).not.toContain(name);
  });

  it('the async profile itself lists none of them', () => {
    expect(ENDPOINT_PROFILES.async.metrics.map((m) => m.name)).not.toEqual(expect.arrayContaining(['OverheadLatency']));
    for (const name of ASYNC_UNPUBLISHED) expect(ENDPOINT_PROFILES.async.metrics.map((m) => m.name)).not.toContain(name);
  });

  it('nor in the PutMetricAlarm requests and dashboard of an async + multi-model endpoint', () => {
    const model = classifyEndpoint(bundle('async-multi-model'));
    const desired = desiredState({ resource: { kind: 'endpoint', name: model.name, tags: {} }, lifecycle: 'attach', model, settings: SETTINGS, now: NOW });
    const text = JSON.stringify(desired.attachments.filter((a) => a.type === 'alarm' || a.type === 'dashboard').map((a) => a.input));
    for (const name of ASYNC_UNPUBLISHED) expect(text).not.toContain(`"${name}"`);
    // ...while a real-time endpoint does get them: the check above can fail.
    const realTime = classifyEndpoint(bundle('real-time'));
    const rt = desiredState({ resource: { kind: 'endpoint', name: realTime.name, tags: {} }, lifecycle: 'attach', model: realTime, settings: SETTINGS, now: NOW });
    const rtText = JSON.stringify(rt.attachments.map((a) => a.input));
    for (const name of ['OverheadLatency', 'Invocations']) expect(rtText).toContain(`"${name}"`);
    expect(text).toContain('"InvocationsProcesssed"');
    // The async page's list is exhaustive: multi-model metrics are not published on an async variant.
    for (const name of ['ModelCacheHit', 'ModelLoadingWaitTime', 'LoadedModelCount']) expect(text).not.toContain(`"${name}"`);
  });
});

describe('metric streams', () => {
  it('one include filter per namespace with the kind’s metric names, sorted', () => {
    expect(streamIncludeFilters('inference-pipeline')).toEqual([{ Namespace: 'AWS/SageMaker', MetricNames: ['ContainerLatency'] }]);
    expect(streamIncludeFilters('multi-model')).toEqual([
      { Namespace: '/aws/sagemaker/Endpoints', MetricNames: ['LoadedModelCount'] },
      { Namespace: 'AWS/SageMaker', MetricNames: ['ModelCacheHit', 'ModelDownloadingTime', 'ModelLoadingTime', 'ModelLoadingWaitTime', 'ModelUnloadingTime'] },
    ]);
    expect(streamIncludeFilters('training-job')).toEqual([
      { Namespace: '/aws/sagemaker/TrainingJobs', MetricNames: ['CPUUtilization', 'DiskUtilization', 'GPUMemoryUtilization', 'GPUUtilization', 'MemoryUtilization'] },
    ]);
    const asyncNames = streamIncludeFilters('async').flatMap((f) => f.MetricNames ?? []);
    expect(asyncNames).toContain('InvocationsProcesssed');
    for (const name of ASYNC_UNPUBLISHED) expect(asyncNames).not.toContain(name);
  });

  it('every endpoint kind and every job kind with metrics has a stream; tuning jobs publish none', () => {
    for (const kind of ENDPOINT_KINDS) expect(hasStream(kind)).toBe(true);
    for (const kind of JOB_KINDS) expect(hasStream(kind)).toBe(kind !== 'hyper-parameter-tuning-job');
  });
});

describe('thresholds', () => {
  it('defaults, then the stage, then the resource’s tags', () => {
    expect(defaultThresholds().modelLatencyMs).toBe(1000);
    const resolved = resolveThresholds({ modelLatencyMs: 500, error5xxRate: 0.02 }, { modelLatencyMs: 250 });
    expect(resolved).toMatchObject({ modelLatencyMs: 250, error5xxRate: 0.02, memoryPercent: 90 });
  });

  it('stage parameters reject unknown keys and negative values', () => {
    expect(StageThresholdsSchema.safeParse({ modelLatencyMs: 300 }).success).toBe(true);
    expect(StageThresholdsSchema.safeParse({ latencyP99: 300 }).success).toBe(false);
    expect(StageThresholdsSchema.safeParse({ modelLatencyMs: -1 }).success).toBe(false);
  });

  it('tags: known ones parsed, unknown ones ignored, bad values reported', () => {
    expect(thresholdsFromTags({ 'sagewatch:latency-avg-ms': '250', 'sagewatch:disk-percent': '80', team: 'x', 'sagewatch:4xx-rate': 'high' })).toEqual({
      overrides: { modelLatencyMs: 250, diskPercent: 80 },
      invalid: [{ tag: 'sagewatch:4xx-rate', value: 'high' }],
    });
    expect(isIgnored({ 'sagewatch:ignore': 'true' })).toBe(true);
    expect(isIgnored({ 'sagewatch:ignore': 'yes' })).toBe(false);
  });

  it('converts human units to the metric’s unit', () => {
    expect(thresholdInMetricUnit(250, 'ms', 'Microseconds')).toBe(250_000);
    expect(thresholdInMetricUnit(250, 'ms', 'Milliseconds')).toBe(250);
    expect(thresholdInMetricUnit(900, 'seconds', 'Seconds')).toBe(900);
    expect(thresholdInMetricUnit(0.05, 'ratio', 'None')).toBe(0.05);
    expect(() => thresholdInMetricUnit(5, 'ms', 'Percent')).toThrow();
  });

  it('every static alarm threshold converts to its metric’s unit', () => {
    for (const profile of ALL_PROFILES) {
      for (const alarm of profile.alarms) {
        if (alarm.condition.type === 'anomaly-band' || typeof alarm.condition.threshold === 'object') continue;
        const def = THRESHOLDS[alarm.condition.threshold];
        expect(() => thresholdInMetricUnit(def.default, def.unit, alarm.metric.unit), `${profile.kind}/${alarm.id}`).not.toThrow();
      }
    }
  });
});
