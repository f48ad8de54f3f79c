import type { _Record } from '@aws-sdk/client-kinesis';
import { controlMessage, uuidFrom } from './builders';
import { encodeSubscriptionData } from '../lib/logs/subscription';
import { KinesisEventSource, putRecords } from './kinesis';
import type { LocalStack } from './emulators';
import { subscriptionRecords, type LogLineDelivery } from './log-records';
import { LocalQueue } from './sqs';
import { notificationBody, type Scenario } from './simulator';
import { Traffic, type SimRequest } from './traffic';
import type { SimulatedClock } from './clock';
import type { Chaos } from './chaos';

type Handler = (event: unknown) => Promise<unknown>;

export interface PlayerHandlers {
  processLogs: Handler;
  processNotifications: Handler;
  sweepRequests: () => Promise<unknown>;
}

export interface PlayOptions {
  stream: string;
  account: string;
  chaos?: Chaos;
  /** The sweeper's schedule (the deployed one is every 5 minutes). */
  sweepEveryMinutes: number;
  /** Called with each request as it is generated (the summary keeps what it needs of it). */
  onRequest: (request: SimRequest) => void;
  progress: (fraction: number, label: string) => void;
}

export interface PlayOutcome {
  deadLetters: number;
  kinesisFailures: number;
}

interface Due {
  lines: LogLineDelivery[];
  notifications: SimRequest[];
}

const MINUTE = 60_000;

/**
 * Plays a scenario's timeline minute by minute on the simulated clock: each minute's arrivals
 * are generated, their data-log lines and notifications are scheduled for the minute sagewatch's
 * inputs receive them (later under a delay condition), then delivered to the stream and the
 * queue, whose event sources drain as Lambda's would; the sweeper runs on its schedule. Only
 * what is still in flight is held, so memory does not grow with the length of the run.
 */
export async function playTimeline(scenario: Scenario, stack: LocalStack, clock: SimulatedClock, handlers: PlayerHandlers, options: PlayOptions): Promise<PlayOutcome> {
  const { chaos } = options;
  const minutes = Math.ceil((scenario.end - scenario.start) / MINUTE);
  const traffic = new Traffic(scenario.traffic);
  const kinesisFailures: _Record[][] = [];
  const processLogs = chaos ? chaos.crashingStreamConsumer(handlers.processLogs) : handlers.processLogs;
  const source = new KinesisEventSource(stack.kinesis.client, options.stream, stack.region, async (event) => (await processLogs(event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> }, {
    batchSize: 100,
    maxRetries: 10,
    bisectOnError: true,
    onFailure: (records) => kinesisFailures.push(records),
  });
  const queue = new LocalQueue(async (event) => (await handlers.processNotifications(event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> }, {
    batchSize: 10,
    maxReceiveCount: 5,
    ...(chaos ? { shuffle: chaos.shuffle } : {}),
  });

  const due = new Map<number, Due>();
  const slot = (at: number, now: number) => Math.min(minutes - 1, Math.max(now, Math.floor((at - scenario.start) / MINUTE)));
  const bucket = (m: number): Due => {
    let entry = due.get(m);
    if (!entry) due.set(m, (entry = { lines: [], notifications: [] }));
    return entry;
  };

  for (let m = 0; m < minutes; m++) {
    for (const request of traffic.arrivals(m)) {
      options.onRequest(request);
      for (const line of request.logLines) {
        bucket(slot(line.deliverAt, m)).lines.push({
          endpointName: request.endpointName,
          inferenceId: request.inferenceId,
          logStream: `${request.variantName}/${request.instanceId}/data-log`,
          at: line.at,
          message: line.message,
        });
      }
      if (request.notificationDelivered) bucket(slot(request.notificationDeliverAt, m)).notifications.push(request);
    }
    clock.advanceTo(scenario.start + (m + 1) * MINUTE);
    const work = due.get(m);
    due.delete(m);
    const records = work ? subscriptionRecords(work.lines, options.account) : [];
    if (m % 10 === 0 && records.length > 0) records.push({ data: encodeSubscriptionData(controlMessage()), partitionKey: 'control' });
    if (records.length > 0) await putRecords(stack.kinesis.client, options.stream, records);
    for (const request of work?.notifications ?? []) {
      const messageId = uuidFrom(`sqs|${request.inferenceId}`);
      const body = notificationBody(request, stack.region);
      // SNS hands the message to the queue when the request finishes; sagewatch reads it later when behind.
      queue.send(body, messageId, request.completedAt + 30);
      if (chaos?.duplicate()) queue.send(body, messageId, request.completedAt + 30);
    }
    // Each drain consumes the stream to its end (retries included): an idle minute has nothing to read.
    if (records.length > 0) await source.drain();
    if (chaos) {
      const again = await chaos.redelivery(stack.kinesis.client, options.stream);
      if (again.length > 0) await source.deliver(again, 0);
    }
    await queue.drain();
    await stack.sns.settle();
    if ((m + 1) % options.sweepEveryMinutes === 0 && m + 1 < minutes) {
      await handlers.sweepRequests();
      await stack.sns.settle();
    }
    options.progress((m + 1) / minutes, `replayed minute ${m + 1}/${minutes} of traffic`);
  }
  return { deadLetters: queue.deadLetters.length, kinesisFailures: kinesisFailures.reduce((n, batch) => n + batch.length, 0) };
}
