// Over 300 lines on purpose: data, one profile per endpoint kind (alarms and widgets); the length is
// the seed documents' metrics, not logic. Defaults live in alarm.ts, so each entry says only what differs.
import type { EndpointKind } from './kinds';
import { above, alarm, atScope, below, EVERY_MINUTE, outsideBand, sustained } from './alarm';
import { ASYNC_METRICS as A, COMPONENT_METRICS as C, ENDPOINT_INSTANCE_METRICS as I, INVOCATION_METRICS as V, MULTI_MODEL_METRICS as M, SERVERLESS_METRICS as S, type MetricDef } from './metrics';
import type { AlarmSpec, KindProfile, WidgetSpec } from './types';

/**
 * What each endpoint kind (lib/sagemaker/resource.ts ENDPOINT_KINDS) gets. A variant can be
 * several kinds at once (async + multi-model, real-time + inference pipeline): its alarms and
 * widgets are the union of its kinds' profiles, minus what async endpoints never publish
 * (lib/profiles/compose.ts). Alarms are built with lib/profiles/alarm.ts: only what differs
 * from its defaults is written here.
 */

// Alarm building blocks, shared between kinds; an alarm's id is unique within its scope.
const errorRate5xx = alarm({
  id: '5xx-rate',
  description: 'Share of invocations answered with a 5xx above the threshold (Invocation5XXErrors averages the 1/0 per request).',
  scope: 'variant',
  metric: V.Invocation5XXErrors,
  stat: 'Average',
  ...EVERY_MINUTE,
  condition: above('error5xxRate'),
});

const errorRate4xx = alarm({
  id: '4xx-rate',
  description: 'Share of invocations answered with a 4xx above the threshold.',
  scope: 'variant',
  metric: V.Invocation4XXErrors,
  stat: 'Average',
  condition: above('error4xxRate'),
});

const modelLatency = alarm({
  id: 'model-latency',
  description: 'Average ModelLatency above the threshold.',
  scope: 'variant',
  metric: V.ModelLatency,
  stat: 'Average',
  ...EVERY_MINUTE,
  condition: above('modelLatencyMs'),
});

const modelLatencyBand = alarm({
  id: 'model-latency-anomaly',
  description: 'Average ModelLatency above its anomaly detection band.',
  scope: 'variant',
  metric: V.ModelLatency,
  stat: 'Average',
  condition: outsideBand('GreaterThanUpperThreshold'),
});

const overheadLatency = alarm({
  id: 'overhead-latency',
  description: 'Average OverheadLatency (SageMaker overhead, cold starts included) above the threshold.',
  scope: 'variant',
  metric: V.OverheadLatency,
  stat: 'Average',
  ...EVERY_MINUTE,
  condition: above('overheadLatencyMs'),
});

const invocationsBand = alarm({
  id: 'invocations-anomaly',
  description: 'Invocations outside their anomaly detection band: a traffic drop or surge.',
  scope: 'variant',
  metric: V.Invocations,
  stat: 'Sum',
  condition: outsideBand('LessThanLowerOrGreaterThanUpperThreshold'),
});

const instanceMemory = alarm({
  id: 'memory',
  description: 'Instance memory utilisation above the threshold.',
  scope: 'variant',
  metric: I.MemoryUtilization,
  stat: 'Maximum',
  condition: above('memoryPercent'),
});

const instanceDisk = alarm({
  id: 'disk',
  description: 'Instance disk utilisation above the threshold.',
  scope: 'variant',
  metric: I.DiskUtilization,
  stat: 'Maximum',
  condition: above('diskPercent'),
});

const w = (title: string, scope: WidgetSpec['scope'], metrics: WidgetSpec['metrics'], requires?: 'gpu'): WidgetSpec => ({
  title,
  scope,
  metrics,
  ...(requires ? { requires } : {}),
});

const instanceWidgets: WidgetSpec[] = [
  w('Instance utilisation (%)', 'variant', [
    { metric: I.CPUUtilization, stat: 'Average' },
    { metric: I.MemoryUtilization, stat: 'Average' },
    { metric: I.DiskUtilization, stat: 'Average' },
  ]),
  w(
    'GPU utilisation (%)',
    'variant',
    [
      { metric: I.GPUUtilization, stat: 'Average' },
      { metric: I.GPUMemoryUtilization, stat: 'Average' },
    ],
    'gpu',
  ),
];

const instanceMetrics: MetricDef[] = [I.CPUUtilization, I.MemoryUtilization, I.DiskUtilization, I.GPUUtilization, I.GPUMemoryUtilization];

const realTime: KindProfile = {
  kind: 'real-time',
  description: 'Instance-based real-time endpoint',
  metrics: [
    V.Invocations,
    V.Invocation4XXErrors,
    V.Invocation5XXErrors,
    V.InvocationModelErrors,
    V.InvocationsPerInstance,
    V.ModelLatency,
    V.OverheadLatency,
    V.ConcurrentRequestsPerModel,
    ...instanceMetrics,
  ],
  alarms: [errorRate5xx, errorRate4xx, modelLatency, modelLatencyBand, overheadLatency, invocationsBand, instanceMemory, instanceDisk],
  widgets: [
    w('Invocations', 'variant', [
      { metric: V.Invocations, stat: 'Sum' },
      { metric: V.InvocationsPerInstance, stat: 'Sum' },
    ]),
    w('Errors', 'variant', [
      { metric: V.Invocation4XXErrors, stat: 'Sum' },
      { metric: V.Invocation5XXErrors, stat: 'Sum' },
      { metric: V.InvocationModelErrors, stat: 'Sum' },
    ]),
    w('Latency (µs)', 'variant', [
      { metric: V.ModelLatency, stat: 'Average' },
      { metric: V.OverheadLatency, stat: 'Average' },
    ]),
    ...instanceWidgets,
  ],
};

// Exhaustive per the serverless page: no InvocationsPerInstance, no CPU or disk metrics.
const serverlessMetrics: MetricDef[] = [
  V.Invocations,
  V.Invocation4XXErrors,
  V.Invocation5XXErrors,
  V.ModelLatency,
  V.OverheadLatency,
  V.ModelSetupTime,
  I.MemoryUtilization,
  S.ServerlessConcurrentExecutionsUtilization,
];

const coldStart = alarm({
  id: 'cold-start-p99',
  description: 'p99 ModelSetupTime (time to launch compute for a cold start) above the threshold.',
  scope: 'variant',
  metric: V.ModelSetupTime,
  stat: 'p99',
  ...sustained(300, 1),
  condition: above('coldStartP99Ms'),
});

const concurrencyUtilization = alarm({
  id: 'concurrency-utilization',
  description: 'Concurrent executions close to the variant maximum concurrency (requests get throttled beyond it).',
  scope: 'variant',
  metric: S.ServerlessConcurrentExecutionsUtilization,
  stat: 'Maximum',
  ...EVERY_MINUTE,
  condition: above('concurrencyUtilization'),
});

const serverlessMemory: AlarmSpec = { ...instanceMemory, description: 'Memory utilisation of the serverless variant above the threshold.' };

const serverlessAlarms: AlarmSpec[] = [errorRate5xx, errorRate4xx, modelLatency, modelLatencyBand, overheadLatency, coldStart, concurrencyUtilization, serverlessMemory];

const serverlessWidgets: WidgetSpec[] = [
  w('Invocations', 'variant', [{ metric: V.Invocations, stat: 'Sum' }]),
  w('Errors', 'variant', [
    { metric: V.Invocation4XXErrors, stat: 'Sum' },
    { metric: V.Invocation5XXErrors, stat: 'Sum' },
  ]),
  w('Latency and cold starts (µs)', 'variant', [
    { metric: V.ModelLatency, stat: 'Average' },
    { metric: V.OverheadLatency, stat: 'Average' },
    { metric: V.ModelSetupTime, stat: 'p99' },
  ]),
  w('Concurrency and memory', 'variant', [
    { metric: S.ServerlessConcurrentExecutionsUtilization, stat: 'Maximum' },
    { metric: I.MemoryUtilization, stat: 'Average' },
  ]),
];

const serverless: KindProfile = {
  kind: 'serverless',
  description: 'Serverless endpoint, on-demand',
  metrics: serverlessMetrics,
  alarms: serverlessAlarms,
  widgets: serverlessWidgets,
};

const serverlessProvisioned: KindProfile = {
  kind: 'serverless-provisioned-concurrency',
  description: 'Serverless endpoint with provisioned concurrency',
  metrics: [
    ...serverlessMetrics,
    S.ServerlessProvisionedConcurrencyExecutions,
    S.ServerlessProvisionedConcurrencyUtilization,
    S.ServerlessProvisionedConcurrencyInvocations,
    S.ServerlessProvisionedConcurrencySpilloverInvocations,
  ],
  alarms: [
    ...serverlessAlarms,
    alarm({
      id: 'provisioned-concurrency-utilization',
      description: 'Executions close to the provisioned concurrency.',
      scope: 'variant',
      metric: S.ServerlessProvisionedConcurrencyUtilization,
      stat: 'Maximum',
      ...EVERY_MINUTE,
      condition: above('provisionedConcurrencyUtilization'),
    }),
    alarm({
      id: 'spillover',
      description: 'Invocations spilling over to on-demand capacity (and its cold starts).',
      scope: 'variant',
      metric: S.ServerlessProvisionedConcurrencySpilloverInvocations,
      stat: 'Maximum',
      ...EVERY_MINUTE,
      condition: above('spilloverInvocations'),
    }),
  ],
  widgets: [
    ...serverlessWidgets,
    w('Provisioned concurrency', 'variant', [
      { metric: S.ServerlessProvisionedConcurrencyUtilization, stat: 'Maximum' },
      { metric: S.ServerlessProvisionedConcurrencyInvocations, stat: 'Maximum' },
      { metric: S.ServerlessProvisionedConcurrencySpilloverInvocations, stat: 'Maximum' },
    ]),
  ],
};

const asyncProfile: KindProfile = {
  kind: 'async',
  description: 'Asynchronous inference endpoint',
  metrics: [V.Invocation4XXErrors, V.Invocation5XXErrors, V.ModelLatency, ...Object.values(A), ...instanceMetrics],
  alarms: [
    alarm({
      id: 'backlog-anomaly',
      description: 'Queue backlog above its anomaly detection band.',
      scope: 'endpoint',
      metric: A.ApproximateBacklogSize,
      stat: 'Average',
      condition: outsideBand('GreaterThanUpperThreshold'),
    }),
    alarm({
      id: 'backlog-age',
      description: 'Oldest queued request older than the threshold.',
      scope: 'endpoint',
      metric: A.ApproximateAgeOfOldestRequest,
      stat: 'Maximum',
      ...sustained(60, 5),
      condition: above('backlogAgeSeconds'),
    }),
    alarm({
      id: 'backlog-without-capacity',
      // Scaling up from zero takes minutes: only a backlog that stays without capacity is a problem.
      description: 'Requests queued with zero instances for 15 minutes.',
      scope: 'endpoint',
      metric: A.HasBacklogWithoutCapacity,
      stat: 'Average',
      ...sustained(60, 15),
      condition: above({ value: 0 }),
    }),
    alarm({
      id: 'failure-rate',
      // The page spells the denominator InvocationsProcesssed (three s). Should CloudWatch carry
      // the conventional spelling instead, an alarm on one name alone would never fire: both are
      // read, FILLed with 0 and added (metric math), so the rate holds under either.
      description: 'InvocationFailures / InvocationsProcesssed (or InvocationsProcessed) above the threshold.',
      scope: 'variant',
      metric: A.InvocationFailures,
      stat: 'Sum',
      datapointsToAlarm: 2,
      condition: {
        type: 'ratio',
        denominator: { metric: A.InvocationsProcesssed, stat: 'Sum' },
        denominatorAliases: ['InvocationsProcessed'],
        threshold: 'asyncFailureRate',
        comparison: 'GreaterThanThreshold',
      },
    }),
    alarm({
      id: 'expired-requests',
      description: 'Requests expired in the queue (their TTL passed before processing).',
      scope: 'variant',
      metric: A.ExpiredRequests,
      stat: 'Sum',
      ...sustained(300, 1),
      condition: above('expiredRequests'),
    }),
    ...(['RequestDownloadFailures', 'ResponseUploadFailures'] as const).map(
      (name): AlarmSpec =>
        alarm({
          id: name === 'RequestDownloadFailures' ? 'request-download-failures' : 'response-upload-failures',
          description: `${name}: S3 ${name === 'RequestDownloadFailures' ? 'input download' : 'output upload'} failed.`,
          scope: 'variant',
          metric: A[name],
          stat: 'Sum',
          ...sustained(300, 1),
          condition: above('s3Failures'),
        }),
    ),
    alarm({
      id: 'notification-failures',
      description: 'SageMaker could not publish success or error notifications.',
      scope: 'variant',
      metric: A.NotificationFailures,
      stat: 'Sum',
      ...sustained(300, 1),
      condition: above('notificationFailures'),
    }),
    alarm({
      id: 'processing-time-anomaly',
      description: 'Average TotalProcessingTime above its anomaly detection band.',
      scope: 'variant',
      metric: A.TotalProcessingTime,
      stat: 'Average',
      condition: outsideBand('GreaterThanUpperThreshold'),
    }),
    errorRate5xx,
    modelLatency,
    instanceMemory,
    instanceDisk,
  ],
  widgets: [
    w('Backlog', 'endpoint', [
      { metric: A.ApproximateBacklogSize, stat: 'Average' },
      { metric: A.ApproximateBacklogSizePerInstance, stat: 'Average' },
      { metric: A.HasBacklogWithoutCapacity, stat: 'Average' },
    ]),
    w('Age of oldest request (s)', 'endpoint', [{ metric: A.ApproximateAgeOfOldestRequest, stat: 'Maximum' }]),
    w('Processed and failed', 'variant', [
      { metric: A.InvocationsProcesssed, stat: 'Sum' },
      { metric: A.InvocationFailures, stat: 'Sum' },
      { metric: A.ExpiredRequests, stat: 'Sum' },
    ]),
    w('Time in queue and processing (ms)', 'variant', [
      { metric: A.TimeInBacklog, stat: 'Average' },
      { metric: A.TotalProcessingTime, stat: 'Average' },
    ]),
    w('Model and S3 latency (µs)', 'variant', [
      { metric: V.ModelLatency, stat: 'Average' },
      { metric: A.RequestDownloadLatency, stat: 'Average' },
      { metric: A.ResponseUploadLatency, stat: 'Average' },
    ]),
    w('S3 and notification failures', 'variant', [
      { metric: A.RequestDownloadFailures, stat: 'Sum' },
      { metric: A.ResponseUploadFailures, stat: 'Sum' },
      { metric: A.NotificationFailures, stat: 'Sum' },
    ]),
    ...instanceWidgets,
  ],
};

const multiModel: KindProfile = {
  kind: 'multi-model',
  description: 'Multi-model endpoint (container Mode: MultiModel)',
  metrics: Object.values(M),
  alarms: [
    alarm({
      id: 'model-cache-hit',
      description: 'Share of requests served by an already loaded model below the threshold.',
      scope: 'variant',
      metric: M.ModelCacheHit,
      stat: 'Average',
      condition: below('modelCacheHitRatio'),
    }),
    alarm({
      id: 'model-loading-wait',
      description: 'Average time requests wait for their model to be downloaded or loaded above the threshold.',
      scope: 'variant',
      metric: M.ModelLoadingWaitTime,
      stat: 'Average',
      condition: above('modelLoadingWaitMs'),
    }),
  ],
  widgets: [
    w('Model loading (µs)', 'variant', [
      { metric: M.ModelLoadingWaitTime, stat: 'Average' },
      { metric: M.ModelDownloadingTime, stat: 'Average' },
      { metric: M.ModelLoadingTime, stat: 'Average' },
      { metric: M.ModelUnloadingTime, stat: 'Average' },
    ]),
    w('Model cache', 'variant', [
      { metric: M.ModelCacheHit, stat: 'Average' },
      { metric: M.LoadedModelCount, stat: 'Average' },
    ]),
  ],
};

const inferencePipeline: KindProfile = {
  kind: 'inference-pipeline',
  description: 'Inference pipeline (serial containers)',
  metrics: [V.ContainerLatency],
  alarms: [
    alarm({
      id: 'container-latency',
      description: 'Average ContainerLatency of this pipeline container above the threshold.',
      scope: 'container',
      metric: V.ContainerLatency,
      stat: 'Average',
      ...EVERY_MINUTE,
      condition: above('containerLatencyMs'),
    }),
  ],
  widgets: [w('Container latency (µs)', 'container', [{ metric: V.ContainerLatency, stat: 'Average' }])],
};

const inferenceComponents: KindProfile = {
  kind: 'inference-components',
  description: 'Endpoint hosting inference components',
  metrics: [
    V.Invocations,
    V.Invocation4XXErrors,
    V.Invocation5XXErrors,
    V.InvocationModelErrors,
    V.ModelLatency,
    V.OverheadLatency,
    V.InvocationsPerCopy,
    V.ConcurrentRequestsPerCopy,
    ...Object.values(C),
    I.CPUUtilization,
    I.MemoryUtilization,
    I.DiskUtilization,
    I.CPUReservation,
    I.GPUReservation,
    I.MemoryReservation,
  ],
  alarms: [
    atScope(errorRate5xx, 'component'),
    atScope(modelLatency, 'component'),
    alarm({
      id: 'concurrency-anomaly',
      description: 'Concurrent requests per copy above their anomaly detection band.',
      scope: 'component',
      metric: V.ConcurrentRequestsPerCopy,
      stat: 'Maximum',
      condition: outsideBand('GreaterThanUpperThreshold'),
    }),
    alarm({
      id: 'memory',
      description: 'Normalised memory utilisation of the component above the threshold.',
      scope: 'component',
      metric: C.MemoryUtilizationNormalized,
      stat: 'Maximum',
      condition: above('memoryPercent'),
    }),
    alarm({
      id: 'gpu-memory',
      description: 'Normalised GPU memory utilisation of the component above the threshold.',
      scope: 'component',
      metric: C.GPUMemoryUtilizationNormalized,
      stat: 'Maximum',
      condition: above('componentGpuMemoryPercent'),
      requires: 'gpu',
    }),
    instanceMemory,
    instanceDisk,
  ],
  widgets: [
    w('Component invocations', 'component', [
      { metric: V.Invocations, stat: 'Sum' },
      { metric: V.InvocationsPerCopy, stat: 'Sum' },
      { metric: V.Invocation5XXErrors, stat: 'Sum' },
    ]),
    w('Component latency (µs)', 'component', [
      { metric: V.ModelLatency, stat: 'Average' },
      { metric: V.OverheadLatency, stat: 'Average' },
    ]),
    w('Component utilisation (%)', 'component', [
      { metric: C.CPUUtilizationNormalized, stat: 'Average' },
      { metric: C.MemoryUtilizationNormalized, stat: 'Average' },
      { metric: C.GPUUtilizationNormalized, stat: 'Average' },
      { metric: C.GPUMemoryUtilizationNormalized, stat: 'Average' },
    ]),
    w('Reservations (%)', 'variant', [
      { metric: I.CPUReservation, stat: 'Average' },
      { metric: I.MemoryReservation, stat: 'Average' },
      { metric: I.GPUReservation, stat: 'Average' },
    ]),
  ],
};

export const ENDPOINT_PROFILES: Record<EndpointKind, KindProfile> = {
  'real-time': realTime,
  serverless,
  'serverless-provisioned-concurrency': serverlessProvisioned,
  async: asyncProfile,
  'multi-model': multiModel,
  'inference-pipeline': inferencePipeline,
  'inference-components': inferenceComponents,
};
