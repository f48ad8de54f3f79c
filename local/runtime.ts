import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { _Record } from '@aws-sdk/client-kinesis';
import { dataMessage, logEvent, controlMessage, uuidFrom } from './builders';
import { encodeSubscriptionData } from '../lib/logs/subscription';
import { ensureTables, startDynamo } from './dynamo';
import { applyLocalAwsDefaults } from './environment';
import { startKinesis, resetStream, putRecords, KinesisEventSource } from './kinesis';
import { LocalQueue, type QueueMessage } from './sqs';
import { LocalSns } from './sns';
import { LocalSlack } from './slack';
import { ThrottlingProxy } from './chaos-proxy';
import { buildScenario, logEventsOf, notificationBody, random, type Scenario, type SimRequest } from './simulator';
import { loadConfig, resetConfig } from '../lib/config';
import { createDocumentClient } from '../lib/aws/clients';
import { requestStoreFromConfig } from '../lib/store';
import type { RequestRecord } from '../lib/requests/record';
import { ChatNotificationSchema, alertFromChatNotification } from '../lib/alerts/chat';
import type { Alert } from '../lib/alerts/model';
import { runControlPlane, type ControlPlaneRun } from './control-plane';
import { SimulatedClock, realNow } from './clock';

export interface DemoOptions {
  requests: number;
  endpoints: number;
  seed: number;
  faults: 'default' | 'none';
  chaos: boolean;
  home: string;
  /** Progress lines (or a bar on a terminal) go here. */
  progress?: (fraction: number, label: string) => void;
  /** Handler output (logs, EMF) is captured; with verbose it is also copied to stderr. */
  verbose?: boolean;
  /** The end of the simulated timeline; default now. */
  end?: number;
}

export interface DemoSummary {
  seed: number;
  requests: number;
  correlated: number;
  lost: number;
  duplicatesCounted: number;
  injected: Array<{ id: string; kind: string; resource: string }>;
  detected: Array<{ faultId: string; alert: { kind: string; title: string; severity: string; resource: string; fingerprint: string } }>;
  falseAlerts: Array<{ kind: string; title: string; resource: string }>;
  attached: ControlPlaneRun['attached'];
  controlPlane?: ControlPlaneRun['controlPlane'];
  metrics: Record<string, number>;
  alertsSent: number;
  alertsDeliveredToSlack: number;
  slackDuplicates: number;
  chaos?: { throttledWrites: number; crashedInvocations: number; redeliveredBatches: number; duplicatedMessages: number; slackRejections: number };
  deadLetters: number;
  kinesisFailures: number;
  endpoints: Array<{ name: string; kind: string }>;
  elapsedMs: number;
}

const STREAM = 'sagewatch-local-logs';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:sagewatch-local-alerts';
const ACCOUNT = '123456789012';

/** Captures everything written to stdout (handler logs and EMF) while the demo runs. */
class StdoutCapture {
  private original?: typeof process.stdout.write;
  private buffer = '';
  readonly emf: Array<Record<string, unknown>> = [];

  constructor(private readonly echo: boolean) {}

  start(): void {
    this.original = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      this.buffer += text;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        this.line(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
        newline = this.buffer.indexOf('\n');
      }
      if (this.echo) process.stderr.write(text);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }

  stop(): void {
    if (this.original) process.stdout.write = this.original;
    if (this.buffer) this.line(this.buffer);
  }

  private line(text: string): void {
    if (!text.startsWith('{') || !text.includes('"_aws"')) return;
    try {
      this.emf.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Not a metrics document after all.
    }
  }

  /** Sums a metric over the documents whose dimensions are exactly `dims` (by name). */
  sum(name: string, dims: string[]): number {
    let total = 0;
    for (const doc of this.emf) {
      const directive = (doc._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]!;
      if (!directive.Metrics.some((m) => m.Name === name)) continue;
      if (!directive.Dimensions.some((set) => set.length === dims.length && dims.every((d) => set.includes(d)))) continue;
      const value = doc[name];
      total += Array.isArray(value) ? (value as number[]).reduce((a, b) => a + b, 0) : Number(value);
    }
    return total;
  }
}

function chunkRecords(requests: SimRequest[], region: string): Array<{ data: string; partitionKey: string }> {
  // CloudWatch Logs batches events per log stream; group a minute's lines the same way.
  const byStream = new Map<string, Array<{ at: number; message: string }>>();
  const group = new Map<string, string>();
  for (const request of requests) {
    for (const line of logEventsOf(request)) {
      const key = `${request.endpointName}|${line.stream}`;
      group.set(key, request.endpointName);
      byStream.set(key, [...(byStream.get(key) ?? []), line]);
    }
  }
  const records: Array<{ data: string; partitionKey: string }> = [];
  for (const [key, lines] of byStream) {
    lines.sort((a, b) => a.at - b.at);
    const [, stream] = key.split('|');
    for (let i = 0; i < lines.length; i += 50) {
      const payload = dataMessage({
        endpointName: group.get(key)!,
        logStream: stream!,
        owner: ACCOUNT,
        events: lines.slice(i, i + 50).map((l) => logEvent(l.at, l.message)),
      });
      records.push({ data: encodeSubscriptionData(payload), partitionKey: stream! });
    }
  }
  void region;
  return records;
}

export async function runDemo(options: DemoOptions): Promise<{ summary: DemoSummary; scenario: Scenario; alerts: Alert[] }> {
  const started = realNow();
  applyLocalAwsDefaults();
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const end = options.end ?? started;
  const scenario = buildScenario({
    seed: options.seed,
    requests: options.requests,
    endpoints: options.endpoints,
    faults: options.faults,
    end,
    region,
    account: ACCOUNT,
  });
  const progress = options.progress ?? (() => {});
  progress(0, 'starting embedded DynamoDB and Kinesis');

  // Every run starts from an empty store, so the same seed gives the same run; what it stores
  // stays in $SAGEWATCH_HOME for `sagewatch query` afterwards.
  rmSync(resolve(options.home, 'dynamodb'), { recursive: true, force: true });
  rmSync(resolve(options.home, 'kinesis'), { recursive: true, force: true });
  const dynamo = await startDynamo({ path: resolve(options.home, 'dynamodb') });
  const kinesis = await startKinesis({ path: resolve(options.home, 'kinesis') });
  const sns = new LocalSns();
  const slack = new LocalSlack(options.chaos ? { every: 4 } : undefined);
  const proxy = options.chaos ? new ThrottlingProxy(dynamo.endpoint, 25) : undefined;
  const capture = new StdoutCapture(options.verbose ?? false);
  const clock = new SimulatedClock(scenario.start);
  const chaosRnd = random(options.seed ^ 0x5eed);
  let crashed = 0;
  let redelivered = 0;
  let duplicatedMessages = 0;

  try {
    const snsEndpoint = await sns.start();
    const slackUrl = await slack.start();
    const dynamoEndpoint = proxy ? await proxy.start() : dynamo.endpoint;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;
    process.env.AWS_ENDPOINT_URL_SNS = snsEndpoint;
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    process.env.SLACK_WEBHOOK_URL = slackUrl;
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    resetConfig();
    const config = loadConfig();
    await ensureTables(dynamo.endpoint, {
      requests: config.requestsTable,
      requestsByEndpointIndex: config.requestsByEndpointIndex,
      requestsOpenIndex: config.requestsOpenIndex,
      inventory: config.inventoryTable,
      state: config.stateTable,
    });
    // From here on the simulated clock runs: the stream is created at the start of the timeline.
    clock.install();
    await resetStream(kinesis.client, STREAM, 2);

    capture.start();
    const { handler: processLogs } = await import('../functions/process-logs');
    const { handler: processNotifications } = await import('../functions/process-notifications');
    const { handler: notifySlack } = await import('../functions/notify-slack');
    const { handler: sweepRequests } = await import('../functions/sweep-requests');

    // The alerts topic's subscription: every published alert goes to the Slack function, with
    // Lambda's asynchronous retries (two) when it throws.
    sns.subscribe(async (message) => {
      const event = {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: `${TOPIC}:local`,
            Sns: {
              Type: 'Notification',
              MessageId: message.messageId,
              TopicArn: message.topicArn,
              Subject: message.subject ?? null,
              Message: LocalSns.deliveredBody(message),
              Timestamp: new Date().toISOString(),
              SignatureVersion: '1',
              Signature: 'local',
              SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/local.pem',
              UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
              MessageAttributes: {},
            },
          },
        ],
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await notifySlack(event, { getRemainingTimeInMillis: () => 30_000 });
          return;
        } catch {
          // Lambda retries asynchronous invocations twice before the dead-letter queue.
        }
      }
    });

    progress(0.02, 'attaching monitoring to every endpoint and job');
    const { attached, controlPlane } = await runControlPlane(scenario, { config, snsEndpoint, topicArn: TOPIC });
    await sns.settle();

    const kinesisFailures: _Record[][] = [];
    const source = new KinesisEventSource(
      kinesis.client,
      STREAM,
      region,
      async (event) => {
        if (options.chaos && chaosRnd() < 0.08) {
          // A crash mid-batch: half the records are processed (and written), then the
          // function dies; Lambda retries the batch and the merges must not double count.
          crashed++;
          const records = (event as { Records: unknown[] }).Records;
          await processLogs({ Records: records.slice(0, Math.ceil(records.length / 2)) });
          throw new Error('simulated crash mid-batch');
        }
        return (await processLogs(event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> };
      },
      { batchSize: 100, maxRetries: 10, bisectOnError: true, onFailure: (records) => kinesisFailures.push(records) },
    );
    const queue = new LocalQueue(async (event) => (await processNotifications(event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> }, {
      batchSize: 10,
      maxReceiveCount: 5,
      ...(options.chaos
        ? {
            shuffle: (items: QueueMessage[]) => {
              const copy = [...items];
              for (let i = copy.length - 1; i > 0; i--) {
                const j = Math.floor(chaosRnd() * (i + 1));
                [copy[i], copy[j]] = [copy[j]!, copy[i]!];
              }
              return copy;
            },
          }
        : {}),
    });

    // Replay the timeline minute by minute: logs to the stream, notifications to the queue,
    // then let the event sources drain, as Lambda would keep up in real time.
    const minutes = Math.ceil((scenario.end - scenario.start) / 60_000);
    const byMinute = new Map<number, { logs: SimRequest[]; notifications: SimRequest[] }>();
    const slot = (at: number) => Math.max(0, Math.min(minutes - 1, Math.floor((at - scenario.start) / 60_000)));
    for (const request of scenario.requests) {
      if (request.logLines.length > 0) {
        const m = slot(request.logLines[0]!.at);
        byMinute.set(m, { logs: [...(byMinute.get(m)?.logs ?? []), request], notifications: byMinute.get(m)?.notifications ?? [] });
      }
      if (request.notificationDelivered) {
        const m = slot(request.completedAt);
        byMinute.set(m, { logs: byMinute.get(m)?.logs ?? [], notifications: [...(byMinute.get(m)?.notifications ?? []), request] });
      }
    }
    const delivered: _Record[][] = [];
    for (let m = 0; m < minutes; m++) {
      clock.advanceTo(scenario.start + (m + 1) * 60_000);
      const work = byMinute.get(m);
      if (work) {
        const records = chunkRecords(work.logs, region);
        if (m % 10 === 0) records.push({ data: encodeSubscriptionData(controlMessage()), partitionKey: 'control' });
        if (records.length > 0) await putRecords(kinesis.client, STREAM, records);
        for (const request of work.notifications) {
          const messageId = uuidFrom(`sqs|${request.inferenceId}`);
          const body = notificationBody(request, region);
          queue.send(body, messageId);
          if (options.chaos && chaosRnd() < 0.1) {
            duplicatedMessages++;
            queue.send(body, messageId);
          }
        }
      }
      await source.drain();
      if (options.chaos && chaosRnd() < 0.15) {
        // Redeliver an earlier stretch of the stream, late and out of order.
        const again = await readBack(kinesis.client, chaosRnd);
        if (again.length > 0) {
          redelivered++;
          delivered.push(again);
          await source.deliver(again, 0);
        }
      }
      await queue.drain();
      await sns.settle();
      progress(0.05 + (0.85 * (m + 1)) / minutes, `replayed minute ${m + 1}/${minutes} of traffic`);
    }

    progress(0.92, 'sweeping for requests that never got a notification');
    clock.advanceTo(scenario.end);
    await sweepRequests();
    await sns.settle();
    capture.stop();

    clock.uninstall();
    progress(0.96, 'reading back the correlated records');
    const store = requestStoreFromConfig(config, createDocumentClient({ region: config.region }));
    const records = new Map<string, RequestRecord>();
    for (const endpoint of new Set(scenario.requests.map((r) => r.endpointName))) {
      for (const record of await readAll(store, endpoint)) records.set(`${record.endpointName}|${record.inferenceId}`, record);
    }
    let correlated = 0;
    for (const request of scenario.requests) {
      if (isCorrelated(request, records.get(`${request.endpointName}|${request.inferenceId}`))) correlated++;
    }

    const alerts = sns.published
      .map((message) => {
        try {
          const parsed = ChatNotificationSchema.safeParse(JSON.parse(LocalSns.deliveredBody(message)));
          return parsed.success ? alertFromChatNotification(parsed.data) : undefined;
        } catch {
          return undefined;
        }
      })
      .filter((a): a is Alert => a !== undefined);
    const firing = alerts.filter((a) => a.status === 'firing');
    const detected: DemoSummary['detected'] = [];
    const explained = new Set<string>();
    for (const fault of scenario.faults) {
      const match = firing.find((a) => a.kind === fault.expectedAlert && a.resource.name === fault.resource);
      if (match) {
        explained.add(match.fingerprint);
        detected.push({
          faultId: fault.id,
          alert: { kind: match.kind, title: match.title, severity: match.severity, resource: match.resource.name, fingerprint: match.fingerprint },
        });
      }
    }
    const falseAlerts = firing
      .filter((a) => !explained.has(a.fingerprint))
      .map((a) => ({ kind: a.kind, title: a.title, resource: a.resource.name }));

    const notified = scenario.requests.filter((r) => r.notificationDelivered);
    const counted = capture.sum('RequestsCompleted', ['EndpointName']) + capture.sum('RequestsFailed', ['EndpointName']);
    const slackTexts = slack.accepted.map((post) => JSON.stringify(post.body));
    const summary: DemoSummary = {
      seed: options.seed,
      requests: scenario.requests.length,
      correlated,
      lost: scenario.requests.length - correlated,
      duplicatesCounted: Math.max(0, counted - notified.length),
      injected: scenario.faults.map(({ id, kind, resource }) => ({ id, kind, resource })),
      detected,
      falseAlerts,
      attached,
      controlPlane,
      metrics: {
        RequestsCompleted: capture.sum('RequestsCompleted', ['EndpointName']),
        RequestsFailed: capture.sum('RequestsFailed', ['EndpointName']),
        LogErrorsWithoutNotification: capture.sum('LogErrorsWithoutNotification', ['EndpointName']),
        StuckRequests: capture.sum('StuckRequests', ['EndpointName']),
        EndToEndLatencySamples: countValues(capture.emf, 'EndToEndLatency'),
      },
      alertsSent: sns.published.length,
      alertsDeliveredToSlack: slack.accepted.length,
      slackDuplicates: slackTexts.length - new Set(slackTexts).size,
      ...(options.chaos
        ? {
            chaos: {
              throttledWrites: proxy?.throttled ?? 0,
              crashedInvocations: crashed,
              redeliveredBatches: redelivered,
              duplicatedMessages,
              slackRejections: slack.rejected,
            },
          }
        : {}),
      deadLetters: queue.deadLetters.length,
      kinesisFailures: kinesisFailures.reduce((n, batch) => n + batch.length, 0),
      endpoints: scenario.endpoints.map((e) => ({ name: e.name, kind: e.spec.kind })),
      elapsedMs: realNow() - started,
    };
    progress(1, 'done');
    return { summary, scenario, alerts };
  } finally {
    clock.uninstall();
    capture.stop();
    await sns.close();
    await slack.close();
    await proxy?.close();
    await kinesis.close();
    await dynamo.close();
  }
}

async function readBack(client: import('@aws-sdk/client-kinesis').KinesisClient, rnd: () => number): Promise<_Record[]> {
  const { DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } = await import('@aws-sdk/client-kinesis');
  const shards = (await client.send(new DescribeStreamCommand({ StreamName: STREAM }))).StreamDescription?.Shards ?? [];
  const shard = shards[Math.floor(rnd() * shards.length)];
  if (!shard) return [];
  const iterator = (await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const records = (await client.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 10_000 }))).Records ?? [];
  if (records.length === 0) return [];
  const from = Math.floor(rnd() * records.length);
  return records.slice(from, from + 20).reverse();
}

async function readAll(store: ReturnType<typeof requestStoreFromConfig>, endpointName: string): Promise<RequestRecord[]> {
  return store.queryByEndpoint({ endpointName, limit: 1_000_000 });
}

function countValues(emf: Array<Record<string, unknown>>, name: string): number {
  let n = 0;
  for (const doc of emf) {
    const value = doc[name];
    if (value === undefined) continue;
    n += Array.isArray(value) ? value.length : 1;
  }
  return n;
}

/** Whether the stored record holds exactly what was delivered of the request, once. */
export function isCorrelated(request: SimRequest, record: RequestRecord | undefined): boolean {
  if (!record) return false;
  const lines = request.logLines.length;
  if (record.logLineCount !== lines) return false;
  if (lines > 0 !== record.sources.includes('logs')) return false;
  if (request.notificationDelivered) {
    return record.status === request.status && record.sources.includes('notification') && record.notificationCount === 1;
  }
  // Notification lost: the record stays open and the sweeper must have reported it.
  return record.status === 'InProgress' && !record.sources.includes('notification') && record.stuckAt !== undefined;
}
