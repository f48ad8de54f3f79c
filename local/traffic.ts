import { uuidFrom } from './builders';
import type { LatencyPeak, ScenarioCondition, ScenarioEndpoint } from './scenario-file';

/**
 * Async inference traffic as a stream, minute by minute: Poisson arrivals around each
 * endpoint's rate (with an optional 24-hour cycle), latency drawn from a mixture of log-normal
 * peaks, a baseline failure rate, and the scenario's conditions applied to the requests they
 * cover. Nothing about a minute is kept once it has been handed out, so a run's memory does
 * not grow with its length. Same seed, same traffic.
 */

export interface SimLogLine {
  at: number;
  message: string;
  /** When sagewatch's log input receives it (later than `at` under a log-delay). */
  deliverAt: number;
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
  /** False when a condition drops the notification: the record must stay open and be reported stuck. */
  notificationDelivered: boolean;
  /** When sagewatch's notification input receives it (later than `completedAt` under a notification-delay). */
  notificationDeliverAt: number;
  /** Ids of the conditions that changed this request. */
  conditions: string[];
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

/** An independent stream per (seed, name): adding an endpoint does not change the others' traffic. */
export function streamSeed(seed: number, name: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

export function poisson(mean: number, rnd: () => number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rnd();
    while (p > limit) {
      k++;
      p *= rnd();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rnd)));
}

function binomial(n: number, p: number, rnd: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 60) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rnd() < p) k++;
    return k;
  }
  return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gaussian(rnd))));
}

/** Requests per minute at `minute` (from the start): the base rate times the daily sine. */
export function rateAt(endpoint: Pick<ScenarioEndpoint, 'requestsPerMinute' | 'dailyCycle'>, minute: number): number {
  return endpoint.requestsPerMinute * Math.max(0, 1 + endpoint.dailyCycle * Math.sin((2 * Math.PI * minute) / 1440));
}

export function sampleLatency(peaks: readonly LatencyPeak[], rnd: () => number): number {
  const total = peaks.reduce((sum, p) => sum + p.weight, 0);
  let pick = rnd() * total;
  let peak = peaks[peaks.length - 1]!;
  for (const p of peaks) {
    pick -= p.weight;
    if (pick < 0) {
      peak = p;
      break;
    }
  }
  return peak.p50 * Math.exp(peak.spread * gaussian(rnd));
}

const MINUTE = 60_000;
/** SageMaker's default request TTL: an expired request was received this long before it failed. */
const EXPIRY_MS = 6 * 3_600_000;

const SERVER_ERRORS = [
  'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>CUDA error: out of memory</p>\n".',
  'Received server error (500) from primary with message "{"error": "model raised ValueError: input tensor shape mismatch"}".',
];
const FAILURE_REASON = 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';

export interface TrafficOptions {
  seed: number;
  /** Epoch ms of minute 0. */
  start: number;
  durationMinutes: number;
  endpoints: readonly ScenarioEndpoint[];
  conditions: readonly ScenarioCondition[];
  /**
   * Exactly this many arrivals per endpoint, spread over the timeline by its rate profile
   * (the default demo's `--requests N`); without, arrivals are Poisson around the rate.
   */
  exactCounts?: ReadonlyMap<string, number>;
}

interface EndpointStream {
  endpoint: ScenarioEndpoint;
  rnd: () => number;
  instances: [string, string];
  /** Arrivals per minute when the count is exact. */
  counts?: Int32Array;
  next: number;
}

export class Traffic {
  private readonly streams: EndpointStream[];

  constructor(private readonly options: TrafficOptions) {
    this.streams = options.endpoints.map((endpoint, e) => {
      const rnd = random(streamSeed(options.seed, endpoint.name));
      const stream: EndpointStream = {
        endpoint,
        rnd,
        instances: [`i-0${(0x1a2b3c4d5e6f7 + e * 7919).toString(16)}`, `i-0${(0x2b3c4d5e6f708 + e * 104729).toString(16)}`],
        next: 0,
      };
      const exact = options.exactCounts?.get(endpoint.name);
      if (exact !== undefined) stream.counts = spread(exact, endpoint, options.durationMinutes, rnd);
      return stream;
    });
  }

  /** The requests of every endpoint that arrive in minute `minute` (0-based), in arrival order. */
  arrivals(minute: number): SimRequest[] {
    const out: SimRequest[] = [];
    for (const stream of this.streams) {
      const count = stream.counts ? (stream.counts[minute] ?? 0) : poisson(rateAt(stream.endpoint, minute + 0.5), stream.rnd);
      const times: number[] = [];
      for (let i = 0; i < count; i++) times.push(this.options.start + (minute + stream.rnd()) * MINUTE);
      times.sort((a, b) => a - b);
      for (const at of times) out.push(this.request(stream, Math.floor(at)));
    }
    return out.sort((a, b) => a.receivedAt - b.receivedAt);
  }

  private active(type: ScenarioCondition['type'], endpoint: string, at: number): ScenarioCondition[] {
    const minute = (at - this.options.start) / MINUTE;
    return this.options.conditions.filter((c) => c.type === type && (c.endpoint === undefined || c.endpoint === endpoint) && minute >= c.fromMinute && minute < c.toMinute);
  }

  private request(stream: EndpointStream, receivedAt: number): SimRequest {
    const { endpoint, rnd } = stream;
    const n = stream.next++;
    const inferenceId = uuidFrom(`${this.options.seed}|${endpoint.name}|${n}`);
    const touched: string[] = [];
    let latency = sampleLatency(endpoint.latencyMs, rnd);
    for (const shift of this.active('latency-shift', endpoint.name, receivedAt)) {
      if (shift.type === 'latency-shift') latency *= shift.factor;
      touched.push(shift.id);
    }
    let failureRate = endpoint.failureRate;
    // A burst changes the requests it makes fail: what a detector can see of it.
    const bursts: string[] = [];
    for (const burst of this.active('error-burst', endpoint.name, receivedAt)) {
      if (burst.type === 'error-burst') failureRate = burst.failureRate;
      bursts.push(burst.id);
    }
    const completedAt = receivedAt + Math.max(1, Math.round(latency));
    const request: SimRequest = {
      inferenceId,
      endpointName: endpoint.name,
      variantName: 'AllTraffic',
      instanceId: stream.instances[n % 2]!,
      receivedAt,
      completedAt,
      status: 'Completed',
      logLines: [],
      notificationDelivered: true,
      notificationDeliverAt: completedAt,
      conditions: touched,
    };
    const expiry = this.active('expired-requests', endpoint.name, completedAt).find((c) => c.type === 'expired-requests' && rnd() < c.fraction);
    if (expiry) {
      // It waited in the queue past its TTL: received long ago, never reached the container.
      request.status = 'Failed';
      request.receivedAt = completedAt - EXPIRY_MS;
      request.failureReason = `ClientError: Request ${inferenceId} has expired`;
      touched.push(expiry.id);
    } else if (rnd() < failureRate) {
      touched.push(...bursts);
      request.status = 'Failed';
      request.failureReason = FAILURE_REASON;
      const at = completedAt - Math.min(50, Math.floor((completedAt - receivedAt) / 2));
      request.logLines.push({ at, message: SERVER_ERRORS[n % SERVER_ERRORS.length]!, deliverAt: at });
      const lost = this.active('lost-notifications', endpoint.name, completedAt).find((c) => c.type === 'lost-notifications' && rnd() < c.fraction);
      if (lost) {
        request.notificationDelivered = false;
        touched.push(lost.id);
      }
    }
    for (const line of request.logLines) {
      for (const delay of this.active('log-delay', endpoint.name, line.at)) {
        if (delay.type === 'log-delay') line.deliverAt = Math.max(line.deliverAt, line.at + delay.delayMinutes * MINUTE);
        touched.push(delay.id);
      }
    }
    if (request.notificationDelivered) {
      for (const delay of this.active('notification-delay', endpoint.name, completedAt)) {
        if (delay.type === 'notification-delay') request.notificationDeliverAt = Math.max(request.notificationDeliverAt, completedAt + delay.delayMinutes * MINUTE);
        touched.push(delay.id);
      }
    }
    return request;
  }
}

/** Spreads exactly `total` arrivals over the minutes in proportion to the rate profile. */
function spread(total: number, endpoint: ScenarioEndpoint, minutes: number, rnd: () => number): Int32Array {
  const weights = Array.from({ length: minutes }, (_, m) => rateAt(endpoint, m + 0.5));
  let remainingWeight = weights.reduce((a, b) => a + b, 0);
  let remaining = total;
  const counts = new Int32Array(minutes);
  for (let m = 0; m < minutes && remaining > 0; m++) {
    const k = m === minutes - 1 ? remaining : binomial(remaining, remainingWeight > 0 ? weights[m]! / remainingWeight : 1, rnd);
    counts[m] = k;
    remaining -= k;
    remainingWeight -= weights[m]!;
  }
  return counts;
}
