// Over 300 lines on purpose: the bench's deterministic inputs (log batches, notifications, the worst
// case) share one seeded random source and one script of what a request writes.
/**
 * Deterministic inputs for the bench, in AWS's own formats and built with the same builders as
 * the simulator and the tests: a Kinesis batch of CloudWatch Logs subscription records (the
 * data logs of several async endpoints, a share of failing requests with multi-line bodies,
 * some container-log records and a control message), and SQS batches of async notifications.
 */
import type { LogRecordInput } from '../lib/logs/kinesis-event';
import { random } from '../local/simulator';
import { encodeSubscriptionData, type LogEvent } from '../lib/logs/subscription';
import { asyncNotification, controlMessage, dataLogMessage, dataMessage, kinesisEvent, sequenceNumber, snsEnvelope, sqsEvent, topicArn } from '../local/builders';

/** serverless.ts: the processLogs Kinesis event source's batchSize (a test keeps them equal). */
export const DEPLOYED_KINESIS_BATCH_SIZE = 500;
/** serverless.ts: the processNotifications SQS event source's batchSize. */
export const DEPLOYED_SQS_BATCH_SIZE = 10;
/** Lambda's invocation payload limit is 6 MB; the bench fills a batch to just under it. */
export const DEFAULT_BATCH_BYTES = 6_000_000;

export type KinesisEvent = ReturnType<typeof kinesisEvent>;
export type SqsEvent = ReturnType<typeof sqsEvent>;

/** The simulator's seeded PRNG: the same seed always gives the same workload. */
export const prng = random;

class Rand {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(count: number): string {
    let out = '';
    while (out.length < count)
      out += Math.floor(this.next() * 1e9)
        .toString()
        .padStart(9, '0');
    return out.slice(0, count);
  }
  uuid(): string {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(this.next() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

export interface BenchRequest {
  inferenceId: string;
  endpointName: string;
  status: 'Completed' | 'Failed';
  failureReason?: string;
  receivedMs: number;
  completedMs: number;
  /** Data-log lines this request writes, and how many of them the batch holds. */
  lines: number;
  linesInBatch: number;
}

export interface LogWorkloadOptions {
  /** Size of the invocation payload (the Kinesis event as JSON) to approach without exceeding. */
  targetBytes?: number;
  maxRecords?: number;
  endpoints?: number;
  /** Share of requests that fail (error lines with multi-line bodies). */
  errorShare?: number;
  seed?: number;
  startMs?: number;
  /** Append records with the remaining lines of requests still open at the end (store scenario). */
  flushOpenRequests?: boolean;
  /** Log events in every record (CloudWatch Logs puts up to 10,000 in one); default: sized to fill the batch. */
  eventsPerRecord?: number;
  /** Share of records that come from container-log streams rather than data logs (default 0.05). */
  containerShare?: number;
}

export interface LogWorkload {
  event: KinesisEvent;
  /** What Lambda hands the function: the event as one JSON document. */
  payloadBytes: number;
  records: LogRecordInput[];
  logEvents: number;
  dataLogLines: number;
  /** Uncompressed subscription JSON of every record: what the floor parses. */
  decodedBytes: number;
  requests: BenchRequest[];
}

interface Stream {
  endpointName: string;
  variantName: string;
  instanceId: string;
  dataLog: boolean;
  idPrefix: string;
  clock: number;
  seq: number;
  open: OpenRequest[];
}

interface OpenRequest {
  request: BenchRequest;
  messages: string[];
  next: number;
}

const ENDPOINT_NAMES = [
  'fraud-detector-async',
  'doc-ocr-async',
  'video-tagging-async',
  'llm-summarise-async',
  'churn-batch-async',
  'speech-to-text-async',
  'image-upscale-async',
  'embeddings-async',
  'claims-triage-async',
  'forecast-async',
];

const CONTAINER_LINES = [
  '[INFO ] W-9000-model_1-stdout MODEL_LOG - Predicting batch of 8 inputs',
  '[INFO ] W-9000-model_1-stdout MODEL_LOG - Preprocessing took 12.4 ms',
  '[WARN ] W-9000-model_1-stderr MODEL_LOG - torch.cuda memory fragmentation above threshold',
  '[INFO ] pool-2-thread-3 ACCESS_LOG - /169.254.178.2:51234 "POST /invocations HTTP/1.1" 200 834',
  '[INFO ] pool-2-thread-3 ACCESS_LOG - /169.254.178.2:51236 "GET /ping HTTP/1.1" 200 1',
];

function succeeded(r: Rand): string {
  return (
    `Inference request succeeded. ModelLatency: ${r.int(20_000, 900_000)} us, RequestDownloadLatency: ${r.int(1_000, 20_000)} us, ` +
    `ResponseUploadLatency: ${r.int(1_000, 50_000)} us, TimeInBacklog: ${r.int(0, 5_000)} ms, TotalProcessingTime: ${r.int(20, 3_000)} ms`
  );
}

function htmlError(r: Rand, endpointName: string, status: number): string {
  const title = status === 502 ? '502 Bad Gateway' : status === 503 ? '503 Service Unavailable' : '500 Internal Server Error';
  return [
    `Received server error (${status}) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">`,
    `<title>${title}</title>`,
    `<h1>${title.slice(4)}</h1>`,
    '<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>',
    `<!-- worker ${r.int(1, 16)} request ${r.digits(8)} -->`,
    `". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/${endpointName} in account 123456789012 for more information.`,
  ].join('\n');
}

function traceback(r: Rand): string {
  return [
    'Received server error (500) from primary with message "Traceback (most recent call last):',
    '  File "/opt/conda/lib/python3.10/site-packages/sagemaker_inference/transformer.py", line 128, in transform',
    '    result = self._run_handler_function(self._transform_fn, *(self._model, input_data, content_type, accept))',
    '  File "/opt/ml/model/code/inference.py", line 57, in predict_fn',
    `    logits = model(batch.to(device))[${r.int(0, 3)}]`,
    `torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate ${r.int(100, 4000)}.00 MiB (GPU 0; 22.20 GiB total capacity)`,
    '". See the SageMaker Endpoint logs in your account for more information.',
  ].join('\n');
}

function clientError(r: Rand): string {
  return [
    'Received client error (400) from primary with message "{',
    '  "error": "ValidationError",',
    `  "detail": "input tensor has shape [1, ${r.int(100, 900)}] but the model expects [1, 512]",`,
    `  "request": "${r.digits(12)}"`,
    '}". See the SageMaker Endpoint logs in your account for more information.',
  ].join('\n');
}

/** The data-log lines of one request and how it ends. */
function requestScript(r: Rand, endpointName: string, errorShare: number): { messages: string[]; failureReason?: string } {
  if (!r.chance(errorShare)) {
    // A transient 5xx the platform retried before the request succeeded.
    if (r.chance(0.04)) return { messages: [htmlError(r, endpointName, 503), succeeded(r)] };
    return { messages: [succeeded(r)] };
  }
  const kind = r.int(0, 5);
  const reason = 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
  switch (kind) {
    case 0:
      return { messages: [htmlError(r, endpointName, 500)], failureReason: reason };
    case 1:
      return { messages: [htmlError(r, endpointName, 502), htmlError(r, endpointName, 502), htmlError(r, endpointName, 502)], failureReason: reason };
    case 2:
      return { messages: [traceback(r)], failureReason: reason };
    case 3:
      return {
        messages: [clientError(r)],
        failureReason: 'ClientError: Received client error (400) from model. See the SageMaker Endpoint logs in your account for more information.',
      };
    case 4:
      return {
        messages: ['The response from container primary did not specify the required Content-Length header'],
        failureReason: 'ClientError: The response from container primary did not specify the required Content-Length header',
      };
    default:
      return {
        messages: [`Model container did not respond to the invocation within ${r.int(60, 3600)} seconds`],
        failureReason: 'ClientError: Model container did not respond within the allotted time.',
      };
  }
}

function buildStreams(r: Rand, endpoints: number, startMs: number): Stream[] {
  const streams: Stream[] = [];
  for (let e = 0; e < endpoints; e++) {
    const endpointName = ENDPOINT_NAMES[e % ENDPOINT_NAMES.length]! + (e >= ENDPOINT_NAMES.length ? `-${e}` : '');
    const variants = r.chance(0.3) ? ['AllTraffic', 'Canary'] : ['AllTraffic'];
    for (const variantName of variants) {
      const instances = r.int(1, 4);
      for (let i = 0; i < instances; i++) {
        const instanceId = `i-0${r.digits(16).replace(/\d/g, (d) => 'abcdef0123456789'[Number(d)]!)}`;
        for (const dataLog of [true, false]) {
          streams.push({ endpointName, variantName, instanceId, dataLog, idPrefix: r.digits(8), clock: startMs + r.int(0, 1000), seq: 0, open: [] });
        }
      }
    }
  }
  return streams;
}

/** CloudWatch Logs event ids are 56-digit strings; ids of one stream share a prefix and grow with time. */
function nextEventId(r: Rand, stream: Stream): string {
  stream.seq++;
  return `${stream.idPrefix}${String(stream.clock).padStart(16, '0')}${String(stream.seq).padStart(8, '0')}${r.digits(24)}`;
}

function streamEvents(r: Rand, stream: Stream, count: number, errorShare: number, requests: BenchRequest[], counts: { lines: number }): LogEvent[] {
  const events: LogEvent[] = [];
  for (let k = 0; k < count; k++) {
    stream.clock += r.int(1, 40);
    if (!stream.dataLog) {
      const at = new Date(stream.clock).toISOString().replace('T', ' ').replace('Z', '');
      events.push({ id: nextEventId(r, stream), timestamp: stream.clock, message: `${at} ${r.pick(CONTAINER_LINES)}` });
      continue;
    }
    // Continue a request in progress on this instance, or start a new one.
    let open = stream.open.length > 0 && r.chance(0.35) ? r.pick(stream.open) : undefined;
    if (!open) {
      const script = requestScript(r, stream.endpointName, errorShare);
      const receivedMs = stream.clock - r.int(50, 30_000);
      const request: BenchRequest = {
        inferenceId: r.uuid(),
        endpointName: stream.endpointName,
        status: script.failureReason ? 'Failed' : 'Completed',
        ...(script.failureReason ? { failureReason: script.failureReason } : {}),
        receivedMs,
        completedMs: stream.clock,
        lines: script.messages.length,
        linesInBatch: 0,
      };
      requests.push(request);
      open = { request, messages: script.messages, next: 0 };
      stream.open.push(open);
    }
    events.push(emitLine(r, stream, open));
    counts.lines++;
  }
  return events;
}

function emitLine(r: Rand, stream: Stream, open: OpenRequest): LogEvent {
  const message = dataLogMessage(stream.clock, open.request.inferenceId, open.messages[open.next]!);
  open.next++;
  open.request.linesInBatch++;
  open.request.completedMs = Math.max(open.request.completedMs, stream.clock);
  if (open.next >= open.messages.length) stream.open.splice(stream.open.indexOf(open), 1);
  return { id: nextEventId(r, stream), timestamp: stream.clock, message };
}

function recordEntrySize(data: string, n: number): number {
  // Each record's share of the event JSON, with the comma that separates it from the next.
  return JSON.stringify(kinesisEvent([{ data, sequenceNumber: sequenceNumber(n) }]).Records[0]).length + 1;
}

/**
 * A Kinesis batch as Lambda delivers it to processLogs: at most `maxRecords` records (the
 * deployed batch size) whose event JSON stays under `targetBytes`. Records hold the events of
 * one log stream each, as CloudWatch Logs delivers them, so their sizes vary.
 */
export function logWorkload(options: LogWorkloadOptions = {}): LogWorkload {
  const targetBytes = options.targetBytes ?? DEFAULT_BATCH_BYTES;
  const maxRecords = options.maxRecords ?? DEPLOYED_KINESIS_BATCH_SIZE;
  const errorShare = options.errorShare ?? 0.1;
  const r = new Rand(prng(options.seed ?? 7));
  const startMs = options.startMs ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  const streams = buildStreams(r, options.endpoints ?? 6, startMs);
  const dataStreams = streams.filter((s) => s.dataLog);
  const containerStreams = streams.filter((s) => !s.dataLog);
  const requests: BenchRequest[] = [];
  const counts = { lines: 0 };
  const specs: Array<{ data: string; sequenceNumber: string }> = [];
  let logEvents = 0;
  let decodedBytes = 0;
  // `{"Records":[` + `]}` around the records, minus the comma the last record does not need.
  let total = 14 - 1;
  let bytesPerEvent = 120;
  const controlAt = Math.min(3, maxRecords - 1);

  const push = (payload: ReturnType<typeof dataMessage>, size: number, data: string) => {
    specs.push({ data, sequenceNumber: sequenceNumber(specs.length + 1) });
    total += size;
    logEvents += payload.logEvents.length;
    decodedBytes += Buffer.byteLength(JSON.stringify(payload));
  };

  while (specs.length < maxRecords) {
    if (specs.length === controlAt) {
      const payload = controlMessage();
      // The builder stamps the health check with the current time; the workload stays reproducible.
      for (const event of payload.logEvents) event.timestamp = startMs;
      const data = encodeSubscriptionData(payload);
      const size = recordEntrySize(data, specs.length + 1);
      if (total + size > targetBytes) break;
      push(payload, size, data);
      continue;
    }
    const stream = r.chance(options.containerShare ?? 0.05) ? r.pick(containerStreams) : r.pick(dataStreams);
    const budget = (targetBytes - total) / (maxRecords - specs.length);
    let count = options.eventsPerRecord ?? Math.max(1, Math.round(((budget - 420) / bytesPerEvent) * (0.4 + 1.2 * r.next())));
    // Try the record; when it would overflow the batch, try fewer events, then stop.
    let placed = false;
    while (count >= 1) {
      const snapshot = { clock: stream.clock, seq: stream.seq, open: stream.open.map((o) => ({ ...o })), requests: requests.length, lines: counts.lines };
      const linesBefore = new Map(stream.open.map((o) => [o.request, o.request.linesInBatch]));
      const events = streamEvents(r, stream, count, errorShare, requests, counts);
      const payload = dataMessage({
        logGroup: `/aws/sagemaker/Endpoints/${stream.endpointName}`,
        logStream: `${stream.variantName}/${stream.instanceId}${stream.dataLog ? '/data-log' : ''}`,
        events,
      });
      const data = encodeSubscriptionData(payload);
      const size = recordEntrySize(data, specs.length + 1);
      if (total + size <= targetBytes) {
        push(payload, size, data);
        bytesPerEvent = 0.8 * bytesPerEvent + 0.2 * ((size - 420) / events.length);
        placed = true;
        break;
      }
      // Undo the events that did not fit.
      stream.clock = snapshot.clock;
      stream.seq = snapshot.seq;
      stream.open = snapshot.open;
      for (const open of stream.open) open.request.linesInBatch = linesBefore.get(open.request) ?? 0;
      requests.length = snapshot.requests;
      counts.lines = snapshot.lines;
      count = count > 8 ? Math.floor(count / 2) : count - 1;
    }
    if (!placed) break;
  }

  if (options.flushOpenRequests) {
    for (const stream of dataStreams) {
      if (stream.open.length === 0) continue;
      const events: LogEvent[] = [];
      while (stream.open.length > 0) {
        stream.clock += r.int(1, 40);
        events.push(emitLine(r, stream, stream.open[0]!));
        counts.lines++;
      }
      const payload = dataMessage({
        logGroup: `/aws/sagemaker/Endpoints/${stream.endpointName}`,
        logStream: `${stream.variantName}/${stream.instanceId}/data-log`,
        events,
      });
      const data = encodeSubscriptionData(payload);
      push(payload, recordEntrySize(data, specs.length + 1), data);
    }
  }

  return logWorkloadOf(specs, { logEvents, dataLogLines: counts.lines, decodedBytes, requests });
}

/** The Kinesis event of `specs`, with what the bench knows of its content. */
function logWorkloadOf(specs: Array<{ data: string; sequenceNumber: string }>, content: Pick<LogWorkload, 'logEvents' | 'dataLogLines' | 'decodedBytes' | 'requests'>): LogWorkload {
  const event = kinesisEvent(specs);
  return {
    event,
    payloadBytes: Buffer.byteLength(JSON.stringify(event)),
    records: specs.map((s) => ({ id: s.sequenceNumber, data: s.data })),
    ...content,
  };
}

export interface NotificationWorkloadOptions {
  count: number;
  batchSize?: number;
  seed?: number;
  /** Share of messages delivered raw (raw message delivery) rather than in an SNS envelope. */
  rawShare?: number;
  /** When the first request was received, and the gap to the next (default 7 ms). */
  startMs?: number;
  spacingMs?: number;
}

/** The notification each finished request publishes to its endpoint's success or error topic. */
export function notificationFor(request: BenchRequest): Record<string, unknown> {
  return asyncNotification({
    inferenceId: request.inferenceId,
    endpointName: request.endpointName,
    status: request.status,
    receivedTime: new Date(request.receivedMs).toISOString(),
    eventTime: new Date(request.completedMs + 3).toISOString(),
    ...(request.failureReason ? { failureReason: request.failureReason } : {}),
  });
}

/** SQS events (`batchSize` messages each) holding the notifications of `requests`. */
export function notificationEvents(requests: readonly BenchRequest[], options: { batchSize?: number; seed?: number; rawShare?: number } = {}): SqsEvent[] {
  const r = new Rand(prng(options.seed ?? 11));
  const batchSize = options.batchSize ?? DEPLOYED_SQS_BATCH_SIZE;
  const rawShare = options.rawShare ?? 0.2;
  const events: SqsEvent[] = [];
  for (let i = 0; i < requests.length; i += batchSize) {
    const messages = requests.slice(i, i + batchSize).map((request) => {
      const notification = notificationFor(request);
      const body = r.chance(rawShare) ? JSON.stringify(notification) : JSON.stringify(snsEnvelope(notification, { topicArn: topicArn(request.endpointName, request.status), messageId: r.uuid() }));
      return { body, messageId: r.uuid() };
    });
    events.push(sqsEvent(messages));
  }
  return events;
}

/** `count` notifications of requests of several endpoints, one in ten failed, in SQS batches. */
export function notificationWorkload(options: NotificationWorkloadOptions): SqsEvent[] {
  const r = new Rand(prng(options.seed ?? 13));
  const t0 = options.startMs ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  const requests: BenchRequest[] = [];
  for (let i = 0; i < options.count; i++) {
    const endpointName = r.pick(ENDPOINT_NAMES.slice(0, 6));
    const failed = r.chance(0.1);
    const receivedMs = t0 + i * (options.spacingMs ?? 7);
    requests.push({
      inferenceId: r.uuid(),
      endpointName,
      status: failed ? 'Failed' : 'Completed',
      ...(failed ? { failureReason: r.pick(FAILURE_REASONS) } : {}),
      receivedMs,
      completedMs: receivedMs + r.int(200, 60_000),
      lines: 0,
      linesInBatch: 0,
    });
  }
  // The queue holds them in the order they finish: a batch spans the rate's few seconds, not a
  // minute of latencies (which the notification input's lag would read as falling behind).
  requests.sort((a, b) => a.completedMs - b.completedMs);
  return notificationEvents(requests, { ...options, seed: (options.seed ?? 13) + 1 });
}

const FAILURE_REASONS = [
  'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.',
  'ClientError: Received client error (400) from model. See the SageMaker Endpoint logs in your account for more information.',
  'ClientError: The response from container primary did not specify the required Content-Length header',
  'ClientError: Model container did not respond within the allotted time.',
  'ClientError: Request has expired',
  'ServerError: Failed to download the input from S3.',
];

export interface WorstCaseOptions {
  /** Size of the invocation payload to approach without exceeding (Lambda's limit is 6 MB). */
  targetBytes?: number;
  /** Log events per record: CloudWatch Logs delivers up to 10,000 in one. */
  eventsPerRecord?: number;
  /** How many of the records are data-log records (one line per request, each a write). */
  dataLogRecords?: number;
  /** Lines in each data-log record (default: eventsPerRecord). */
  dataLogEvents?: number;
  seed?: number;
  startMs?: number;
}

/**
 * The batch that costs processLogs the most memory: records of 10,000 events each, filled to
 * Lambda's payload limit, almost all of it a chatty model container repeating one line (which
 * gzip shrinks about tenfold, so 6 MB of event holds ~45 MB of subscription JSON), with
 * `dataLogRecords` records of data-log lines of distinct requests among them (each line a write,
 * which is what makes the batch slow to run against dynalite: the bench uses fewer lines).
 */
export function worstCaseWorkload(options: WorstCaseOptions = {}): LogWorkload {
  const targetBytes = options.targetBytes ?? DEFAULT_BATCH_BYTES;
  const eventsPerRecord = options.eventsPerRecord ?? 10_000;
  const r = new Rand(prng(options.seed ?? 17));
  let clock = options.startMs ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  const endpointName = ENDPOINT_NAMES[0]!;
  const instanceId = 'i-0c0ffee0c0ffee001';
  const requests: BenchRequest[] = [];
  const specs: Array<{ data: string; sequenceNumber: string }> = [];
  let total = 14 - 1;
  let logEvents = 0;
  let dataLogLines = 0;
  let decodedBytes = 0;
  let seq = 0;
  // Sequential ids, as one log stream's ids are: the timestamp and a counter.
  const eventId = () => `${String(clock).padStart(20, '0')}${String(++seq).padStart(36, '0')}`;
  const dataRecordAt = new Set(Array.from({ length: options.dataLogRecords ?? 1 }, (_, i) => i * 7));
  for (let n = 0; ; n++) {
    const dataLog = dataRecordAt.has(n);
    const count = dataLog ? (options.dataLogEvents ?? eventsPerRecord) : eventsPerRecord;
    const events: LogEvent[] = [];
    for (let k = 0; k < count; k++) {
      clock += 1;
      if (dataLog) {
        const request: BenchRequest = {
          inferenceId: r.uuid(),
          endpointName,
          status: 'Completed',
          receivedMs: clock - r.int(50, 30_000),
          completedMs: clock,
          lines: 1,
          linesInBatch: 1,
        };
        requests.push(request);
        events.push({ id: eventId(), timestamp: clock, message: dataLogMessage(clock, request.inferenceId, succeeded(r)) });
      } else {
        events.push({ id: eventId(), timestamp: clock, message: `${CHATTY_CONTAINER_LINE}${r.int(5, 900)} ms, request ${r.digits(6)}` });
      }
    }
    const payload = dataMessage({
      logGroup: `/aws/sagemaker/Endpoints/${endpointName}`,
      logStream: `AllTraffic/${instanceId}${dataLog ? '/data-log' : ''}`,
      events,
    });
    const data = encodeSubscriptionData(payload);
    const size = recordEntrySize(data, specs.length + 1);
    if (total + size > targetBytes) {
      if (dataLog) requests.length -= count;
      break;
    }
    specs.push({ data, sequenceNumber: sequenceNumber(specs.length + 1) });
    total += size;
    logEvents += events.length;
    if (dataLog) dataLogLines += events.length;
    decodedBytes += Buffer.byteLength(JSON.stringify(payload));
  }
  return logWorkloadOf(specs, { logEvents, dataLogLines, decodedBytes, requests });
}

/** A model server logging every request at INFO: the same line over and over. */
const CHATTY_CONTAINER_LINE = '[INFO ] W-9000-model_1-stdout MODEL_LOG - Backend response time: ';
