import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli';

/**
 * `sagewatch plan --json`, for every endpoint kind and job kind the seed pages describe, names
 * only the metrics, dimension sets and statistics those pages say are published for that kind:
 * in alarms (plain, metric math, Metrics Insights queries), dashboard widgets and the metric
 * stream's include filters. The table below is written from AWS's pages, not from our profiles
 * (lib/profiles/metrics.ts), so a profile that drifts from the pages fails here.
 */

type Stat = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
interface Published {
  stats: readonly Stat[];
  /** True where the page lists "Percentiles" among the valid statistics. */
  percentiles?: boolean;
  dimensions: readonly (readonly string[])[];
}
type Table = Record<string, Record<string, Published>>;

const ALL: readonly Stat[] = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'];
const AVG_SUM: readonly Stat[] = ['Average', 'Sum'];
const AVG_MAX_MIN: readonly Stat[] = ['Average', 'Maximum', 'Minimum'];
const VARIANT = [['EndpointName', 'VariantName']] as const;
const COMPONENT = [['InferenceComponentName']] as const;
const HOST = [['Host']] as const;

function table(namespace: string, entries: Record<string, Published>): Table {
  return { [namespace]: entries };
}
function merge(...tables: Table[]): Table {
  const out: Table = {};
  for (const t of tables) for (const [ns, metrics] of Object.entries(t)) out[ns] = { ...out[ns], ...metrics };
  return out;
}
const p = (stats: readonly Stat[], dimensions: Published['dimensions'], percentiles = false): Published => ({ stats, dimensions, percentiles });

// "Monitor SageMaker with CloudWatch" (seed 002), "Endpoint Invocation Metrics" and their
// dimensions "EndpointName, VariantName" (a variant) or "InferenceComponentName" (a component).
// ModelSetupTime is "the time it takes to launch new compute resources for a serverless endpoint":
// it is in the serverless table only. The per-copy metrics are inference components' only.
const REAL_TIME_INVOCATION = table('AWS/SageMaker', {
  ConcurrentRequestsPerModel: p(['Minimum', 'Maximum'], VARIANT),
  Invocation4XXErrors: p(AVG_SUM, VARIANT),
  Invocation5XXErrors: p(AVG_SUM, VARIANT),
  InvocationModelErrors: p(AVG_SUM, VARIANT),
  Invocations: p(['Sum'], VARIANT),
  InvocationsPerInstance: p(['Sum'], VARIANT),
  ModelLatency: p(ALL, VARIANT),
  OverheadLatency: p(ALL, VARIANT),
});

// Seed 002, "Processing Job, Training Job, Batch Transform Job, and Endpoint Instance Metrics".
// The table gives units only, so CloudWatch's standard statistics apply (no percentiles).
// DiskUtilization "is not supported for batch transform jobs".
const INSTANCE_METRIC_NAMES = [
  'CPUReservation',
  'CPUUtilization',
  'CPUUtilizationNormalized',
  'DiskUtilization',
  'GPUMemoryUtilization',
  'GPUMemoryUtilizationNormalized',
  'GPUReservation',
  'GPUUtilization',
  'GPUUtilizationNormalized',
  'MemoryReservation',
  'MemoryUtilization',
];
function instanceTable(namespace: string, dimensions: Published['dimensions'], names = INSTANCE_METRIC_NAMES): Table {
  return table(namespace, Object.fromEntries(names.map((name) => [name, p(ALL, dimensions)])));
}
// Endpoint instances: seed 004 gives the `Host` form `[endpoint-name]/[variant]/[instance-id]`;
// seed 002 publishes the same namespace's LoadedModelCount with "EndpointName, VariantName", the
// per-variant set CloudWatch's SageMaker dashboards read the instance metrics with. Both are accepted.
const ENDPOINT_INSTANCES = instanceTable('/aws/sagemaker/Endpoints', [...VARIANT, ...HOST]);

// Seed 002, "Multi-Model Endpoint Model Loading Metrics" (AWS/SageMaker) and "Model Instance
// Metrics" (/aws/sagemaker/Endpoints), dimensions "EndpointName, VariantName".
const MULTI_MODEL = merge(
  table('AWS/SageMaker', {
    ModelLoadingWaitTime: p(ALL, VARIANT),
    ModelUnloadingTime: p(ALL, VARIANT),
    ModelDownloadingTime: p(ALL, VARIANT),
    ModelLoadingTime: p(ALL, VARIANT),
    ModelCacheHit: p(['Average', 'Sum', 'SampleCount'], VARIANT),
  }),
  table('/aws/sagemaker/Endpoints', { LoadedModelCount: p(ALL, VARIANT) }),
);

// "Monitor a serverless endpoint" (seed 001): "an exhaustive list ... Any metric not listed below
// is not published for serverless endpoints." Its "Invocations4XXErrors"/"Invocations5XXErrors"
// point at the invocation metrics page, which spells them Invocation4XXErrors/Invocation5XXErrors.
// MemoryUtilization is the endpoint instance metric (/aws/sagemaker/Endpoints).
const SERVERLESS = merge(
  table('AWS/SageMaker', {
    Invocation4XXErrors: p(AVG_SUM, VARIANT),
    Invocation5XXErrors: p(AVG_SUM, VARIANT),
    Invocations: p(['Sum'], VARIANT),
    ModelLatency: p(ALL, VARIANT),
    OverheadLatency: p(ALL, VARIANT),
    ModelSetupTime: p(['Average', 'Minimum', 'Maximum', 'SampleCount'], VARIANT, true),
    ServerlessConcurrentExecutionsUtilization: p(AVG_MAX_MIN, VARIANT),
  }),
  instanceTable('/aws/sagemaker/Endpoints', [...VARIANT, ...HOST], ['MemoryUtilization']),
);
const SERVERLESS_PROVISIONED = merge(
  SERVERLESS,
  table('AWS/SageMaker', {
    ServerlessProvisionedConcurrencyExecutions: p(AVG_MAX_MIN, VARIANT),
    ServerlessProvisionedConcurrencyUtilization: p(AVG_MAX_MIN, VARIANT),
    ServerlessProvisionedConcurrencyInvocations: p(AVG_MAX_MIN, VARIANT),
    ServerlessProvisionedConcurrencySpilloverInvocations: p(AVG_MAX_MIN, VARIANT),
  }),
);

// "Monitor asynchronous endpoint" (seeds 000 and 003): "an exhaustive list ... Any metric not
// listed below is not published if the endpoint is enabled for asynchronous inference", plus
// "host-level metrics" (the endpoint instance metrics). HasBacklogWithoutCapacity is in the
// current edition (000) only.
const ASYNC = merge(
  table('AWS/SageMaker', {
    Invocation4XXErrors: p(AVG_SUM, VARIANT),
    Invocation5XXErrors: p(AVG_SUM, VARIANT),
    ModelLatency: p(ALL, VARIANT),
    ApproximateBacklogSize: p(AVG_MAX_MIN, [['EndpointName']]),
    ApproximateBacklogSizePerInstance: p(AVG_MAX_MIN, [['EndpointName']]),
    ApproximateAgeOfOldestRequest: p(AVG_MAX_MIN, [['EndpointName']]),
    HasBacklogWithoutCapacity: p(['Average'], [['EndpointName']]),
    RequestDownloadFailures: p(['Sum'], VARIANT),
    ResponseUploadFailures: p(['Sum'], VARIANT),
    NotificationFailures: p(['Sum'], VARIANT),
    RequestDownloadLatency: p(ALL, VARIANT),
    ResponseUploadLatency: p(ALL, VARIANT),
    ExpiredRequests: p(['Sum'], VARIANT),
    InvocationFailures: p(['Sum'], VARIANT),
    InvocationsProcesssed: p(['Sum'], VARIANT),
    TimeInBacklog: p(ALL, VARIANT),
    TotalProcessingTime: p(ALL, VARIANT),
  }),
  ENDPOINT_INSTANCES,
);
/**
 * The one name outside the pages, on purpose: the async failure-rate denominator also reads the
 * conventional spelling `InvocationsProcessed` beside the page's `InvocationsProcesssed`, each
 * FILLed with 0 (issue 11), so the alarm holds whichever name CloudWatch carries. It may appear
 * only as a FILLed MetricStat of a metric-math alarm, never alone, in a widget or in a stream.
 */
const ASYNC_DENOMINATOR_ALIAS = 'InvocationsProcessed';

// "Inference Pipeline Logs and Metrics" (seed 004): ContainerLatency "appears only for inference
// pipelines", dimensions "EndpointName, VariantName, ContainerName"; Invocations there also lists
// Sample Count. The pipeline's other invocation and instance metrics are the real-time ones.
const PIPELINE = merge(
  table('AWS/SageMaker', {
    ContainerLatency: p(ALL, [['EndpointName', 'VariantName', 'ContainerName']]),
    Invocations: p(['Sum', 'SampleCount'], VARIANT),
  }),
);

// Seed 002: component invocation metrics ("InferenceComponentName" dimension), the
// /aws/sagemaker/InferenceComponents metrics, and the instance metrics (reservations included)
// of the endpoint's instances.
const INFERENCE_COMPONENTS = merge(
  table('AWS/SageMaker', {
    Invocation4XXErrors: p(AVG_SUM, COMPONENT),
    Invocation5XXErrors: p(AVG_SUM, COMPONENT),
    InvocationModelErrors: p(AVG_SUM, COMPONENT),
    Invocations: p(['Sum'], COMPONENT),
    ModelLatency: p(ALL, COMPONENT),
    OverheadLatency: p(ALL, COMPONENT),
    InvocationsPerCopy: p(['Sum'], COMPONENT),
    ConcurrentRequestsPerCopy: p(['Minimum', 'Maximum'], COMPONENT),
  }),
  instanceTable('/aws/sagemaker/InferenceComponents', COMPONENT, ['CPUUtilizationNormalized', 'GPUMemoryUtilizationNormalized', 'GPUUtilizationNormalized', 'MemoryUtilizationNormalized']),
  ENDPOINT_INSTANCES,
);

const REAL_TIME = merge(REAL_TIME_INVOCATION, ENDPOINT_INSTANCES);

// Jobs: seed 002's instance table and its "Host" dimension, per job namespace.
const TRAINING = instanceTable('/aws/sagemaker/TrainingJobs', HOST);
const PROCESSING = instanceTable('/aws/sagemaker/ProcessingJobs', HOST);
const TRANSFORM = instanceTable(
  '/aws/sagemaker/TransformJobs',
  HOST,
  INSTANCE_METRIC_NAMES.filter((name) => name !== 'DiskUtilization'),
);

// Seed 002, "SageMaker Ground Truth metrics": the dataset-object metrics per labeling job
// ("Dimensions for Dataset Object Metrics": LabelingJobName), valid statistic Max; the worker,
// task and job-count metrics have no dimension table (account level), Sum and Sample Count.
// The page prints no namespace: AWS/Sagemaker/LabelingJobs is the spelling exporters list.
const LABELING_JOB = [['LabelingJobName']] as const;
const SUM_COUNT: readonly Stat[] = ['Sum', 'SampleCount'];
const LABELING = table('AWS/Sagemaker/LabelingJobs', {
  ...Object.fromEntries(['DatasetObjectsAutoAnnotated', 'DatasetObjectsHumanAnnotated', 'DatasetObjectsLabelingFailed', 'TotalDatasetObjectsLabeled'].map((m) => [m, p(['Maximum'], LABELING_JOB)])),
  ...Object.fromEntries(
    ['ActiveWorkers', 'JobsFailed', 'JobsSucceeded', 'JobsStopped', 'TasksAccepted', 'TasksDeclined', 'TasksReturned', 'TasksSubmitted', 'TimeSpent'].map((m) => [m, p(SUM_COUNT, [[]])]),
  ),
});

const MI_FUNCTIONS: Record<string, Stat> = { AVG: 'Average', SUM: 'Sum', MIN: 'Minimum', MAX: 'Maximum', COUNT: 'SampleCount' };

interface MetricRef {
  where: string;
  namespace: string;
  metric: string;
  /** Sorted dimension names; undefined for a stream filter (namespace and name only). */
  dimensions?: string[];
  stat?: string;
  /** A FILLed denominator of metric math (the async alias may be only that). */
  filled?: boolean;
}

interface PlannedAction {
  action: string;
  input: Record<string, unknown>;
}

/** Every metric a plan's actions name. */
function metricRefs(actions: PlannedAction[]): MetricRef[] {
  const refs: MetricRef[] = [];
  const dimsOf = (dimensions: unknown) => ((dimensions as Array<{ Name: string }> | undefined) ?? []).map((d) => d.Name).sort();
  for (const { action, input } of actions) {
    if (action === 'PutMetricAlarm') {
      const where = `alarm ${String(input.AlarmName)}`;
      if (typeof input.MetricName === 'string') {
        refs.push({ where, namespace: String(input.Namespace), metric: input.MetricName, dimensions: dimsOf(input.Dimensions), stat: String(input.Statistic ?? input.ExtendedStatistic) });
      }
      const queries = (input.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: unknown }; Stat: string } }>) ?? [];
      const expressions = queries.map((q) => q.Expression ?? '').join(' ');
      for (const query of queries) {
        if (query.MetricStat) {
          const { Metric, Stat } = query.MetricStat;
          refs.push({ where, namespace: Metric.Namespace, metric: Metric.MetricName, dimensions: dimsOf(Metric.Dimensions), stat: Stat, filled: expressions.includes(`FILL(${query.Id}, 0)`) });
        }
        const select = /^SELECT\s+(\w+)\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)"((?:,\s*\w+)*)\)/i.exec(query.Expression ?? '');
        if (select) {
          const [, fn, metric, namespace, dims] = select;
          const dimensions = dims!
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean)
            .sort();
          refs.push({ where, namespace: namespace!, metric: metric!, dimensions, stat: MI_FUNCTIONS[fn!.toUpperCase()] ?? fn! });
        } else if (/\bSELECT\b/i.test(query.Expression ?? '')) {
          throw new Error(`${where}: a Metrics Insights query this test cannot read: ${query.Expression}`);
        }
      }
    } else if (action === 'PutDashboard') {
      const body = JSON.parse(String(input.DashboardBody)) as { widgets: Array<{ properties?: { metrics?: unknown[][] } }> };
      for (const widget of body.widgets) {
        for (const line of widget.properties?.metrics ?? []) {
          const options = line.find((part) => typeof part === 'object') as { stat?: string; expression?: string } | undefined;
          if (options?.expression !== undefined) continue;
          const [namespace, metric, ...rest] = line.filter((part) => typeof part === 'string') as string[];
          const dimensions = rest.filter((_, i) => i % 2 === 0).sort();
          refs.push({ where: `dashboard ${String(input.DashboardName)}`, namespace: namespace!, metric: metric!, dimensions, stat: options?.stat ?? 'Average' });
        }
      }
    } else if (action === 'PutMetricStream') {
      for (const filter of (input.IncludeFilters as Array<{ Namespace: string; MetricNames?: string[] }>) ?? []) {
        for (const metric of filter.MetricNames ?? []) refs.push({ where: `stream ${String(input.Name)}`, namespace: filter.Namespace, metric });
      }
    }
  }
  // Only AWS's namespaces: sagewatch's own outcome metrics (PutMetricData) are ours to name.
  return refs.filter((ref) => ref.namespace.startsWith('AWS/') || ref.namespace.startsWith('/aws/'));
}

/** What is wrong with each reference against the published table (empty: all published). */
function unpublished(refs: MetricRef[], published: Table, allowAsyncAlias = false): string[] {
  const problems: string[] = [];
  for (const ref of refs) {
    const label = `${ref.where}: ${ref.namespace} ${ref.metric}`;
    if (allowAsyncAlias && ref.metric === ASYNC_DENOMINATOR_ALIAS && ref.namespace === 'AWS/SageMaker') {
      if (!ref.filled) problems.push(`${label} (the alias, not as a FILLed denominator)`);
      continue;
    }
    const entry = published[ref.namespace]?.[ref.metric];
    if (!entry) {
      problems.push(`${label} is not published for this kind`);
      continue;
    }
    if (ref.dimensions && !entry.dimensions.some((set) => [...set].sort().join(',') === ref.dimensions!.join(','))) {
      problems.push(`${label} with dimensions [${ref.dimensions.join(', ')}] (published: ${entry.dimensions.map((s) => `[${s.join(', ')}]`).join(' or ')})`);
    }
    if (ref.stat) {
      const percentile = /^p\d+(\.\d+)?$/.test(ref.stat);
      if (percentile ? !entry.percentiles : !(entry.stats as readonly string[]).includes(ref.stat))
        problems.push(`${label} with statistic ${ref.stat} (published: ${entry.stats.join(', ')}${entry.percentiles ? ', percentiles' : ''})`);
    }
  }
  return problems;
}

const D = 'events/sagemaker/describe';
const dir = mkdtempSync(join(tmpdir(), 'sagewatch-published-'));
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };

/** The IN_SERVICE endpoint event, for the endpoint of a describe fixture (AWS's event format). */
function endpointEvent(describeFile: string): string {
  const describe = read(describeFile) as unknown as { endpoint: { EndpointName: string; EndpointArn: string } };
  const event = read('events/sagemaker/endpoint-state-change.in-service.json');
  event.resources = [describe.endpoint.EndpointArn];
  event.detail = { ...event.detail, EndpointName: describe.endpoint.EndpointName, EndpointArn: describe.endpoint.EndpointArn };
  const file = join(dir, `${describe.endpoint.EndpointName}.event.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

/** The processing job's event while it runs: AWS's event with InProgress and no end time. */
function runningProcessingJob(): string {
  const event = read('events/sagemaker/processing-job-state-change.completed.json');
  const { ProcessingEndTime: _ended, ...detail } = event.detail;
  event.detail = { ...detail, ProcessingJobStatus: 'InProgress' };
  const file = join(dir, 'processing-in-progress.event.json');
  writeFileSync(file, JSON.stringify(event));
  return file;
}

/** The labeling job's event with nothing but its status in the detail, as Ground Truth sends it. */
function labelingJobNamedByResources(): string {
  const event = read('events/sagemaker/labeling-job-state-change.in-progress.json');
  event.detail = { LabelingJobStatus: 'InProgress' };
  const file = join(dir, 'labeling-status-only.event.json');
  writeFileSync(file, JSON.stringify(event));
  return file;
}

/** The pipeline's describe with its second container's ContainerHostname left out, as users often do. */
function pipelineWithoutHostname(): string {
  const raw = read(`${D}/inference-pipeline.json`) as unknown as { models: Array<{ Containers: Array<Record<string, unknown>> }> };
  delete raw.models[0]!.Containers[1]!.ContainerHostname;
  const file = join(dir, 'inference-pipeline-unnamed.describe.json');
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

async function planned(event: string, describe?: string): Promise<{ kinds: string[]; actions: PlannedAction[] }> {
  const result = await cli(['plan', '--event', event, ...(describe ? ['--describe', describe] : []), '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { kinds: string[]; actions: PlannedAction[] };
}

const ENDPOINT_CASES: Array<{ kind: string; describe: string; kinds: string[]; published: Table; async?: boolean }> = [
  { kind: 'real-time', describe: `${D}/real-time.json`, kinds: ['real-time'], published: REAL_TIME },
  { kind: 'serverless', describe: `${D}/serverless.json`, kinds: ['serverless'], published: SERVERLESS },
  { kind: 'serverless with provisioned concurrency', describe: `${D}/serverless-provisioned.json`, kinds: ['serverless-provisioned-concurrency'], published: SERVERLESS_PROVISIONED },
  { kind: 'async', describe: `${D}/async.json`, kinds: ['async'], published: ASYNC, async: true },
  { kind: 'multi-model', describe: `${D}/multi-model.json`, kinds: ['real-time', 'multi-model'], published: merge(REAL_TIME, MULTI_MODEL) },
  // Async and multi-model: the async list is exhaustive, so no model-loading metric at all.
  { kind: 'async multi-model', describe: `${D}/async-multi-model.json`, kinds: ['async', 'multi-model'], published: ASYNC, async: true },
  { kind: 'inference pipeline', describe: `${D}/inference-pipeline.json`, kinds: ['real-time', 'inference-pipeline'], published: merge(REAL_TIME, PIPELINE) },
  // Its ContainerLatency through a Metrics Insights query (SCHEMA with the page's dimension set).
  { kind: 'inference pipeline, a container without hostname', describe: pipelineWithoutHostname(), kinds: ['real-time', 'inference-pipeline'], published: merge(REAL_TIME, PIPELINE) },
  { kind: 'inference components', describe: `${D}/inference-components.json`, kinds: ['inference-components'], published: INFERENCE_COMPONENTS },
];

describe('sagewatch plan --json names only what the seed pages publish for the kind', () => {
  for (const c of ENDPOINT_CASES) {
    it(`${c.kind} endpoint`, async () => {
      const plan = await planned(endpointEvent(c.describe), c.describe);
      expect(plan.kinds).toEqual(c.kinds);
      const refs = metricRefs(plan.actions);
      // Not vacuous: alarms, a dashboard and the stream all name metrics.
      expect(new Set(refs.map((r) => r.where.split(' ')[0]))).toEqual(new Set(['alarm', 'dashboard', 'stream']));
      expect(unpublished(refs, c.published, c.async)).toEqual([]);
    });
  }

  it('the check itself: an async multi-model plan naming ModelCacheHit, or the alias alone, is caught', () => {
    const refs: MetricRef[] = [
      { where: 'stream s', namespace: 'AWS/SageMaker', metric: 'ModelCacheHit' },
      { where: 'alarm a', namespace: 'AWS/SageMaker', metric: 'InvocationsProcessed', dimensions: ['EndpointName', 'VariantName'], stat: 'Sum', filled: false },
      { where: 'alarm b', namespace: 'AWS/SageMaker', metric: 'ModelLatency', dimensions: ['EndpointName', 'VariantName'], stat: 'p99' },
      { where: 'alarm c', namespace: 'AWS/SageMaker', metric: 'ApproximateBacklogSize', dimensions: ['EndpointName', 'VariantName'], stat: 'Average' },
    ];
    expect(unpublished(refs, ASYNC, true)).toEqual([
      'stream s: AWS/SageMaker ModelCacheHit is not published for this kind',
      'alarm a: AWS/SageMaker InvocationsProcessed (the alias, not as a FILLed denominator)',
      'alarm b: AWS/SageMaker ModelLatency with statistic p99 (published: Average, Sum, Minimum, Maximum, SampleCount)',
      'alarm c: AWS/SageMaker ApproximateBacklogSize with dimensions [EndpointName, VariantName] (published: [EndpointName])',
    ]);
  });

  const JOB_CASES: Array<{ kind: string; label?: string; event: () => string; published: Table }> = [
    { kind: 'training-job', event: () => 'events/sagemaker/training-job-state-change.in-progress.json', published: TRAINING },
    { kind: 'processing-job', event: runningProcessingJob, published: PROCESSING },
    { kind: 'transform-job', event: () => 'events/sagemaker/transform-job-state-change.in-progress.json', published: TRANSFORM },
    { kind: 'labeling-job', event: () => 'events/sagemaker/labeling-job-state-change.in-progress.json', published: LABELING },
    // As Ground Truth sends it: only LabelingJobStatus in the detail, the name in resources[0].
    { kind: 'labeling-job', label: 'labeling-job, named only by resources[0]', event: labelingJobNamedByResources, published: LABELING },
  ];
  for (const c of JOB_CASES) {
    it(`running ${c.label ?? c.kind}`, async () => {
      const plan = await planned(c.event());
      expect(plan.kinds).toEqual([c.kind]);
      const refs = metricRefs(plan.actions);
      expect(refs.some((r) => r.where.startsWith('stream'))).toBe(true);
      expect(unpublished(refs, c.published)).toEqual([]);
    });
  }
});
