import { asyncNotification, snsEnvelope, topicArn, uuidFrom } from './builders';
import { describeBundle, endpointEvent, jobDescribe, jobEvent, type EndpointKindSpec, type JobSpec } from './sagemaker-fixtures';
import type { ScenarioCondition, ScenarioEndpoint, ScenarioFile } from './scenario-file';
import type { SimRequest, TrafficOptions } from './traffic';

export { random } from './traffic';
export type { SimLogLine, SimRequest } from './traffic';

/**
 * What a local run plays: the SageMaker resources (endpoints of every kind, jobs) the control
 * plane attaches to, the async traffic of the async ones (local/traffic.ts), and the faults it
 * must catch. `sagewatch demo` builds the default one below; `--scenario FILE` builds one from
 * the user's file. Everything derives from the seed: same seed, same run.
 */

export type FaultKind = ScenarioCondition['type'] | 'failed-training-job';

export interface InjectedFault {
  id: string;
  kind: FaultKind;
  resource: string;
  /** The alert kinds that catch it (the first is the one meant for it). */
  expectedAlerts: string[];
  /** Epoch ms the fault starts; detection delay is counted from here. */
  from: number;
  to: number;
  /** It must be caught within this many minutes of `from`. */
  withinMinutes: number;
}

export interface SimEndpoint {
  name: string;
  spec: EndpointKindSpec;
  describe: ReturnType<typeof describeBundle>;
  event: Record<string, unknown>;
}

export interface SimJob {
  spec: JobSpec;
  events: Array<Record<string, unknown>>;
  describe: Record<string, unknown>;
}

export interface Scenario {
  seed: number;
  start: number;
  end: number;
  endpoints: SimEndpoint[];
  jobs: SimJob[];
  /** The async traffic (its endpoints are the async ones above) and every condition, `expect: none` included. */
  traffic: TrafficOptions;
  /** What must be caught: the `expect: alert` conditions and the failed jobs. */
  faults: InjectedFault[];
}

export interface ScenarioOptions {
  seed: number;
  requests: number;
  endpoints: number;
  faults: 'default' | 'none';
  /** The end of the simulated timeline (normally now). */
  end: number;
  region: string;
  account: string;
}

const KIND_ORDER: EndpointKindSpec['kind'][] = ['async', 'async', 'async-multi-model', 'real-time', 'serverless', 'serverless-provisioned', 'multi-model', 'pipeline', 'inference-components'];

const NAMES: Record<EndpointKindSpec['kind'], string[]> = {
  async: ['fraud-scoring-async', 'doc-ocr-async', 'video-tagging-async', 'speech-async'],
  'async-multi-model': ['tenant-forecast-async-mme'],
  'real-time': ['recsys-realtime'],
  serverless: ['support-bot-serverless'],
  'serverless-provisioned': ['search-ranker-serverless-pc'],
  'multi-model': ['pricing-mme'],
  pipeline: ['churn-pipeline'],
  'inference-components': ['genai-components'],
};

const MINUTE = 60_000;
/** The default demo's timeline: long enough for a baseline before the faults and a quiet endpoint's evidence. */
const DEFAULT_MINUTES = 120;
/** The quiet endpoint's rate: under one request a minute, the common case of async inference. */
const QUIET_RPM = 0.4;

export const MIN_ASYNC_ENDPOINTS_FOR_FAULTS = 3;

function isAsync(kind: EndpointKindSpec['kind']): kind is 'async' | 'async-multi-model' {
  return kind === 'async' || kind === 'async-multi-model';
}

function simEndpoint(spec: EndpointKindSpec, start: number): SimEndpoint {
  return { name: spec.name, spec, describe: describeBundle(spec, start - 86_400_000), event: endpointEvent(spec, 'IN_SERVICE', start) };
}

/**
 * The shapes of the default demo's async endpoints, in order: a busy one with a daily cycle, a
 * steady two-peak one (one-page vs fifty-page documents), a quiet one; more endpoints repeat
 * them. Rates are relative: `--requests` decides the totals.
 */
const SHAPES: Array<Omit<ScenarioEndpoint, 'name' | 'kind' | 'requestsPerMinute'> & { weight: number }> = [
  { weight: 1, failureRate: 0.01, dailyCycle: 0.8, latencyMs: [{ weight: 1, p50: 900, spread: 0.25 }] },
  {
    weight: 1.5,
    failureRate: 0.01,
    dailyCycle: 0,
    latencyMs: [
      { weight: 0.55, p50: 400, spread: 0.15 },
      { weight: 0.45, p50: 6000, spread: 0.15 },
    ],
  },
  { weight: 0, failureRate: 0, dailyCycle: 0, latencyMs: [{ weight: 1, p50: 2500, spread: 0.3 }] },
];

export function buildScenario(options: ScenarioOptions): Scenario {
  const end = options.end;
  const start = end - DEFAULT_MINUTES * MINUTE;
  const used = new Map<string, number>();
  const endpoints: SimEndpoint[] = [];
  for (let i = 0; i < options.endpoints; i++) {
    const kind = KIND_ORDER[i % KIND_ORDER.length]!;
    const names = NAMES[kind];
    const n = used.get(kind) ?? 0;
    used.set(kind, n + 1);
    const base = names[n % names.length]!;
    const name = n >= names.length ? `${base}-${Math.floor(n / names.length) + 1}` : base;
    endpoints.push(simEndpoint({ kind, name, region: options.region, account: options.account }, start));
  }

  const asyncEndpoints = endpoints.filter((e) => isAsync(e.spec.kind));
  if (options.faults === 'default' && asyncEndpoints.length < MIN_ASYNC_ENDPOINTS_FOR_FAULTS) {
    throw new Error(`the default faults need ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} async endpoints: use --endpoints 3 or more, or --faults none`);
  }
  const shaped = asyncEndpoints.map((e, i) => ({ endpoint: e, shape: SHAPES[i % SHAPES.length]! }));
  // The quiet endpoints keep their rate whatever --requests says (up to a quarter of it); the
  // others share the rest by weight.
  const quiet = shaped.filter((s) => s.shape.weight === 0);
  const quietCount = quiet.length > 0 ? Math.min(Math.round(QUIET_RPM * DEFAULT_MINUTES), Math.floor(options.requests / (4 * quiet.length))) : 0;
  const busyTotal = options.requests - quietCount * quiet.length;
  const weights = shaped.reduce((sum, s) => sum + s.shape.weight, 0);
  const exactCounts = new Map<string, number>();
  let assigned = 0;
  const busy = shaped.filter((s) => s.shape.weight > 0);
  busy.forEach((s, i) => {
    const count = i === busy.length - 1 ? busyTotal - assigned : Math.floor((busyTotal * s.shape.weight) / weights);
    exactCounts.set(s.endpoint.name, count);
    assigned += count;
  });
  for (const s of quiet) exactCounts.set(s.endpoint.name, quietCount);
  const trafficEndpoints: ScenarioEndpoint[] = shaped.map(({ endpoint, shape }) => ({
    name: endpoint.name,
    kind: endpoint.spec.kind as ScenarioEndpoint['kind'],
    requestsPerMinute: (exactCounts.get(endpoint.name) ?? 0) / DEFAULT_MINUTES,
    failureRate: shape.failureRate,
    dailyCycle: shape.dailyCycle,
    latencyMs: shape.latencyMs,
  }));

  // sagewatch's own notification input falls 8 minutes behind for a quarter of an hour: late
  // notifications are evaluated late, and nothing is called lost.
  const conditions: ScenarioCondition[] = [{ id: 'C1', type: 'notification-delay', fromMinute: 25, toMinute: 40, delayMinutes: 8, expect: 'none' }];
  if (options.faults === 'default') {
    const [busyOne, twoPeak, quietOne] = asyncEndpoints.map((e) => e.name);
    conditions.push(
      { id: 'F1', type: 'error-burst', endpoint: busyOne!, fromMinute: 85, toMinute: 105, failureRate: 0.6, expect: 'alert', withinMinutes: 15 },
      { id: 'F2', type: 'latency-shift', endpoint: twoPeak!, fromMinute: 90, toMinute: 120, factor: 4, expect: 'alert', withinMinutes: 25 },
      { id: 'F3', type: 'lost-notifications', endpoint: quietOne!, fromMinute: 60, toMinute: 100, fraction: 0.5, expect: 'alert', withinMinutes: 45 },
      { id: 'F4', type: 'expired-requests', endpoint: twoPeak!, fromMinute: 45, toMinute: 60, fraction: 0.3, expect: 'alert', withinMinutes: 15 },
      { id: 'F6', type: 'error-burst', endpoint: quietOne!, fromMinute: 60, toMinute: 120, failureRate: 1, expect: 'alert', withinMinutes: 30 },
    );
  }
  const traffic: TrafficOptions = { seed: options.seed, start, durationMinutes: DEFAULT_MINUTES, endpoints: trafficEndpoints, conditions, exactCounts };
  const faults = faultsOf(conditions, start);

  const jobs: SimJob[] = [
    job({ type: 'training', name: 'xgb-churn-train-0412', status: 'Completed', start: start + 5 * MINUTE, end: start + 35 * MINUTE }, options),
    job({ type: 'processing', name: 'feature-prep-0412', status: 'Completed', start: start + 2 * MINUTE, end: start + 9 * MINUTE }, options),
  ];
  if (options.faults === 'default') {
    const failed = job(
      {
        type: 'training',
        name: 'bert-finetune-0412',
        status: 'Failed',
        start: end - 30 * MINUTE,
        end: end - 12 * MINUTE,
        failureReason: 'AlgorithmError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)',
      },
      options,
    );
    jobs.push(failed);
    faults.push({ id: 'F5', kind: 'failed-training-job', resource: failed.spec.name, expectedAlerts: ['job-failed'], from: failed.spec.end, to: failed.spec.end, withinMinutes: 12 });
  }
  faults.sort((a, b) => a.id.localeCompare(b.id));
  return { seed: options.seed, start, end, endpoints, jobs, traffic, faults };
}

/** A scenario from a user's file (`demo --scenario`): its async endpoints only, no jobs. */
export function scenarioFromFile(file: ScenarioFile, options: { seed?: number; end: number; region: string; account: string }): Scenario {
  const seed = options.seed ?? file.seed;
  const start = options.end - file.durationMinutes * MINUTE;
  const endpoints = file.endpoints.map((e) => simEndpoint({ kind: e.kind, name: e.name, region: options.region, account: options.account }, start));
  const traffic: TrafficOptions = { seed, start, durationMinutes: file.durationMinutes, endpoints: file.endpoints, conditions: file.conditions };
  return { seed, start, end: options.end, endpoints, jobs: [], traffic, faults: faultsOf(file.conditions, start) };
}

/** Which alert kinds catch (and explain) a condition of each type. */
export const ALERTS_FOR: Record<ScenarioCondition['type'], string[]> = {
  'error-burst': ['failure-burst'],
  'latency-shift': ['latency-shift'],
  'lost-notifications': ['log-errors-without-notification', 'stuck-requests'],
  // One cause, one page: the failure detector does not count expiries (lib/detect/model-failures.ts).
  'expired-requests': ['expired-requests'],
  'notification-delay': ['pipeline-behind'],
  'log-delay': ['pipeline-behind'],
};

function faultsOf(conditions: readonly ScenarioCondition[], start: number): InjectedFault[] {
  return conditions
    .filter((c) => c.expect === 'alert')
    .map((c) => ({
      id: c.id,
      kind: c.type,
      resource: c.endpoint ?? 'sagewatch',
      expectedAlerts: ALERTS_FOR[c.type],
      from: start + c.fromMinute * MINUTE,
      to: start + c.toMinute * MINUTE,
      withinMinutes: c.withinMinutes ?? 0,
    }));
}

function job(spec: Omit<JobSpec, 'region' | 'account'>, options: Pick<ScenarioOptions, 'region' | 'account'>): SimJob {
  const full: JobSpec = { ...spec, region: options.region, account: options.account };
  return {
    spec: full,
    events: [jobEvent(full, 'InProgress', spec.start), jobEvent(full, spec.status, spec.end)],
    describe: jobDescribe(full),
  };
}

/** The SQS message body SNS delivers for a request's notification (default, enveloped delivery). */
export function notificationBody(request: SimRequest, region: string): string {
  const message = asyncNotification({
    inferenceId: request.inferenceId,
    endpointName: request.endpointName,
    status: request.status,
    receivedTime: new Date(request.receivedAt).toISOString(),
    eventTime: new Date(request.completedAt).toISOString(),
    awsRegion: region,
    ...(request.failureReason ? { failureReason: request.failureReason } : {}),
  });
  return JSON.stringify(
    snsEnvelope(message, {
      topicArn: topicArn(request.endpointName, request.status),
      messageId: uuidFrom(`sns|${request.inferenceId}`),
      timestamp: new Date(request.completedAt + 30).toISOString(),
    }),
  );
}
