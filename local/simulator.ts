import { asyncNotification, dataLogMessage, snsEnvelope, topicArn, uuidFrom } from './builders';
import { describeBundle, endpointEvent, jobDescribe, jobEvent, type EndpointKindSpec, type JobSpec } from './sagemaker-fixtures';

/**
 * The traffic simulator of `sagewatch demo`: endpoints of every kind, jobs, and async requests
 * with their data-log lines and notifications over the last 70 minutes, plus injected faults.
 * Everything derives from the seed: same seed, same run.
 */

export type FaultKind = 'error-burst' | 'latency-shift' | 'lost-notifications' | 'expired-requests' | 'failed-training-job';

export interface InjectedFault {
  id: string;
  kind: FaultKind;
  resource: string;
  /** The alert kind that should catch it. */
  expectedAlert: string;
}

export interface SimLogLine {
  at: number;
  message: string;
}

export interface SimRequest {
  inferenceId: string;
  endpointName: string;
  variantName: string;
  instanceId: string;
  receivedAt: number;
  completedAt: number;
  status: 'Completed' | 'Failed';
  failureReason?: string;
  logLines: SimLogLine[];
  /** False when a fault drops the notification: the record must stay open and be reported stuck. */
  notificationDelivered: boolean;
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
  requests: SimRequest[];
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

/** mulberry32: small, fast, and reproducible across platforms. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KIND_ORDER: EndpointKindSpec['kind'][] = [
  'async',
  'async',
  'async-multi-model',
  'real-time',
  'serverless',
  'serverless-provisioned',
  'multi-model',
  'pipeline',
  'inference-components',
];

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
/** Fault windows end with the timeline so the detectors' sliding windows see them live. */
const RECENT_MINUTES = 4;
const BASELINE_MINUTES = 66;

export const MIN_ASYNC_ENDPOINTS_FOR_FAULTS = 3;

export function buildScenario(options: ScenarioOptions): Scenario {
  const rnd = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const end = options.end;
  const start = end - (BASELINE_MINUTES + RECENT_MINUTES) * MINUTE;

  const used = new Map<string, number>();
  const endpoints: SimEndpoint[] = [];
  for (let i = 0; i < options.endpoints; i++) {
    const kind = KIND_ORDER[i % KIND_ORDER.length]!;
    const names = NAMES[kind];
    const n = used.get(kind) ?? 0;
    used.set(kind, n + 1);
    const base = names[n % names.length]!;
    const name = n >= names.length ? `${base}-${Math.floor(n / names.length) + 1}` : base;
    const spec: EndpointKindSpec = { kind, name, region: options.region, account: options.account };
    endpoints.push({ name, spec, describe: describeBundle(spec, start - 86_400_000), event: endpointEvent(spec, 'IN_SERVICE', start) });
  }

  const asyncEndpoints = endpoints.filter((e) => e.spec.kind === 'async' || e.spec.kind === 'async-multi-model');
  const faults: InjectedFault[] = [];
  const [burstTarget, latencyTarget, lossTarget] = asyncEndpoints;
  if (options.faults === 'default') {
    if (!burstTarget || !latencyTarget || !lossTarget) {
      throw new Error(`the default faults need ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} async endpoints: use --endpoints 3 or more, or --faults none`);
    }
    faults.push(
      { id: 'F1', kind: 'error-burst', resource: burstTarget.name, expectedAlert: 'failure-burst' },
      { id: 'F2', kind: 'latency-shift', resource: latencyTarget.name, expectedAlert: 'latency-shift' },
      { id: 'F3', kind: 'lost-notifications', resource: lossTarget.name, expectedAlert: 'log-errors-without-notification' },
      { id: 'F4', kind: 'expired-requests', resource: lossTarget.name, expectedAlert: 'expired-requests' },
    );
  }

  // Requests: each async endpoint gets its share, 30% of it in the last minutes (where the
  // detectors look), the rest spread over the baseline hour before.
  const requests: SimRequest[] = [];
  const perEndpoint = asyncEndpoints.length > 0 ? Math.floor(options.requests / asyncEndpoints.length) : 0;
  asyncEndpoints.forEach((endpoint, e) => {
    const count = perEndpoint + (e < options.requests - perEndpoint * asyncEndpoints.length ? 1 : 0);
    const baseLatency = 600 + Math.floor(rnd() * 1400);
    const instances = [`i-0${(0x1a2b3c4d5e6f7 + e * 7919).toString(16)}`, `i-0${(0x2b3c4d5e6f708 + e * 104729).toString(16)}`];
    for (let i = 0; i < count; i++) {
      const recent = rnd() < 0.3;
      const receivedAt = recent
        ? end - RECENT_MINUTES * MINUTE + Math.floor(rnd() * (RECENT_MINUTES * MINUTE - 20_000))
        : start + Math.floor(rnd() * BASELINE_MINUTES * MINUTE);
      let latency = Math.round(baseLatency * (0.7 + rnd() * 0.6));
      const inferenceId = uuidFrom(`${options.seed}|${endpoint.name}|${i}`);
      const instanceId = pick(instances);
      let status: 'Completed' | 'Failed' = rnd() < 0.01 ? 'Failed' : 'Completed';
      let failureReason: string | undefined;
      const logLines: SimLogLine[] = [];
      const notificationDelivered = true;
      if (recent && latencyTarget === endpoint && options.faults === 'default') latency *= 4;
      if (recent && burstTarget === endpoint && options.faults === 'default' && rnd() < 0.6) status = 'Failed';
      if (status === 'Failed') {
        const html = rnd() < 0.5;
        const message = html
          ? `Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>CUDA error: out of memory</p>\n".`
          : 'Received server error (500) from primary with message "{"error": "model raised ValueError: input tensor shape mismatch"}".';
        logLines.push({ at: receivedAt + latency - 50, message });
        failureReason = 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
      }
      requests.push({
        inferenceId,
        endpointName: endpoint.name,
        variantName: 'AllTraffic',
        instanceId,
        receivedAt,
        completedAt: receivedAt + latency,
        status,
        ...(failureReason ? { failureReason } : {}),
        logLines,
        notificationDelivered,
      });
    }
  });

  if (options.faults === 'default' && lossTarget) {
    // F3: four failed requests 40 minutes ago whose error notifications were never delivered.
    for (let i = 0; i < 4; i++) {
      const receivedAt = end - 40 * MINUTE + i * 7_000;
      requests.push({
        inferenceId: uuidFrom(`${options.seed}|lost|${i}`),
        endpointName: lossTarget.name,
        variantName: 'AllTraffic',
        instanceId: 'i-0c0ffee000000lost',
        receivedAt,
        completedAt: receivedAt + 3_000,
        status: 'Failed',
        failureReason: 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.',
        logLines: [{ at: receivedAt + 2_950, message: 'The response from container primary did not specify the required Content-Length header' }],
        notificationDelivered: false,
      });
    }
    // F4: two requests that sat in the queue past their TTL, in the last minutes.
    for (let i = 0; i < 2; i++) {
      const completedAt = end - 2 * MINUTE + i * 11_000;
      const inferenceId = uuidFrom(`${options.seed}|expired|${i}`);
      requests.push({
        inferenceId,
        endpointName: lossTarget.name,
        variantName: 'AllTraffic',
        instanceId: 'i-0c0ffee00000queue',
        receivedAt: completedAt - 6 * 3_600_000,
        completedAt,
        status: 'Failed',
        failureReason: `ClientError: Request ${inferenceId} has expired`,
        logLines: [],
        notificationDelivered: true,
      });
    }
  }
  requests.sort((a, b) => a.completedAt - b.completedAt);

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
    faults.push({ id: 'F5', kind: 'failed-training-job', resource: failed.spec.name, expectedAlert: 'job-failed' });
  }
  return { seed: options.seed, start, end, endpoints, jobs, requests, faults };
}

function job(spec: Omit<JobSpec, 'region' | 'account'>, options: ScenarioOptions): SimJob {
  const full: JobSpec = { ...spec, region: options.region, account: options.account };
  return {
    spec: full,
    events: [jobEvent(full, 'InProgress', spec.start), jobEvent(full, spec.status, spec.end)],
    describe: jobDescribe(full),
  };
}

/** The data-log lines of the scenario, as CloudWatch Logs events per endpoint and stream. */
export function logEventsOf(request: SimRequest): Array<{ at: number; message: string; stream: string }> {
  return request.logLines.map((line) => ({
    at: line.at,
    message: dataLogMessage(line.at, request.inferenceId, line.message),
    stream: `${request.variantName}/${request.instanceId}/data-log`,
  }));
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
