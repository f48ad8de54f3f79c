import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createLogsHandler } from '../../functions/process-logs';
import { createHandler as createNotificationsHandler } from '../../functions/process-notifications';
import { loadConfig, resetConfig } from '../../lib/config';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { requestStoreFromConfig } from '../../lib/store';
import { asyncNotification, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, sqsEvent, subscriptionRecords } from '../../local/builders';
import { captureEmf, metricSum } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';
import { itemBytes } from '../support/item-size';

/** Bounded records, split bodies and unreadable times, through the real handlers against dynalite. */
const db = useDynamo();
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0, 250);
let run = 0;

beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  delete process.env.MAX_LOG_LINES_PER_REQUEST;
  delete process.env.MAX_LOG_LINE_CHARS;
  resetConfig();
});

const store = () => requestStoreFromConfig(loadConfig());
const notifications = () => createNotificationsHandler({ publisher: new MemoryPublisher() });
/** The largest text per character: three UTF-8 bytes each. */
const huge = (chars: number) => '€'.repeat(chars);

async function rawItem(inferenceId: string, endpointName: string): Promise<Record<string, unknown>> {
  const got = (await db.client().send(new GetCommand({ TableName: TABLES.requests, Key: { inferenceId, endpointName } }))) as { Item?: Record<string, unknown> };
  return got.Item!;
}

describe('bounded records', () => {
  it.each([
    ['the default bounds', {}],
    ['bounds configured far too large', { MAX_LOG_LINES_PER_REQUEST: '100000', MAX_LOG_LINE_CHARS: '10000000' }],
  ])('keep a record under 64 KB whatever the largest inputs at every field, with %s', async (_name, env) => {
    Object.assign(process.env, env);
    resetConfig();
    const endpoint = `e${'x'.repeat(60)}-${run}`;
    const id = `${'€'.repeat(60)}-${run}`.slice(0, 64);
    const variant = 'v'.repeat(400);
    const instance = `i-${'0'.repeat(400)}`;
    const lines = Array.from({ length: 30 }, (_, i) => logEvent(T0 + i, dataLogMessage(T0 + i, id, `Received server error (500) from primary with message "${huge(100_000)}"`)));
    const records = subscriptionRecords([dataMessage({ endpointName: endpoint, logStream: `${variant}/${instance}/data-log`, events: lines })]);
    await captureEmf(() => createLogsHandler()(kinesisEvent(records)));
    const message = {
      ...asyncNotification({ inferenceId: id, endpointName: endpoint, status: 'Failed', receivedTime: new Date(T0).toISOString(), eventTime: new Date(T0 + 5).toISOString() }),
      failureReason: `ClientError: ${huge(60_000)}`,
      awsRegion: huge(1_000),
      failureLocation: `s3://bucket/${huge(20_000)}`,
      requestParameters: { endpointName: endpoint, inputLocation: `s3://bucket/${huge(20_000)}` },
      responseParameters: { failureLocation: `s3://bucket/${huge(20_000)}`, inferenceResponse: huge(50_000) },
    };
    const { result, emf } = await captureEmf(() => notifications()(sqsEvent([{ body: JSON.stringify(snsEnvelope(message)) }])));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(metricSum(emf, 'StoreWritesRejected')).toBe(0);

    const item = await rawItem(id, endpoint);
    expect(itemBytes(item)).toBeLessThan(64 * 1024);
    const [record] = await store().getByInferenceId(id);
    expect(record?.truncated).toEqual(['awsRegion', 'failureLocation', 'failureReason', 'inlineResponse', 'inputLocation', 'logLines']);
    expect(record?.logLineCount).toBe(30);
    expect(record?.failureReason?.endsWith('…')).toBe(true);
  });

  it('rejects a notification whose id no API call could carry, with its reason, and keeps the batch', async () => {
    const body = JSON.stringify(
      snsEnvelope(asyncNotification({ inferenceId: 'x'.repeat(300), endpointName: 'e', status: 'Completed', receivedTime: '2026-11-30T08:00:00Z', eventTime: '2026-11-30T08:00:01Z' })),
    );
    const { result, emf } = await captureEmf(() => notifications()(sqsEvent([{ body }])));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(metricSum(emf, 'NotificationsMalformed', { Reason: 'bad_inference_id' })).toBe(1);
  });
});

describe('split bodies', () => {
  const head = 'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">';
  const body = ['<title>500 Internal Server Error</title>', '<h1>Internal Server Error</h1>', '<p>CUDA error: out of memory</p>', '".'];

  it('attaches continuation lines to the line before them in the same stream, within a batch', async () => {
    const endpoint = `split-${run}`;
    const id = `split-${run}`;
    const other = `other-${run}`;
    const events = [logEvent(T0, dataLogMessage(T0, id, head)), ...body.map((text, i) => logEvent(T0 + 1 + i, text)), logEvent(T0 + 10, dataLogMessage(T0 + 10, other, 'Inference request succeeded'))];
    const { emf } = await captureEmf(() => createLogsHandler()(kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events })]))));
    const [record] = await store().getByInferenceId(id);
    expect(record?.logLines[0]?.message).toBe([head, ...body].join('\n'));
    expect(record?.logLineCount).toBe(1);
    expect((await store().getByInferenceId(other))[0]?.logLines[0]?.message).toBe('Inference request succeeded');
    expect(metricSum(emf, 'DataLogContinuationLines')).toBe(4);
    expect(metricSum(emf, 'DataLogLinesUnparsed')).toBe(0);
  });

  it('attaches them across batches where the stream continues, and a redelivery changes nothing', async () => {
    const endpoint = `split2-${run}`;
    const id = `split2-${run}`;
    const handler = createLogsHandler();
    const first = kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, id, head)), logEvent(T0 + 1, body[0]!)] })], 1));
    const second = kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: body.slice(1).map((text, i) => logEvent(T0 + 2 + i, text)) })], 2));
    await captureEmf(() => handler(first));
    await captureEmf(() => handler(second));
    await captureEmf(() => handler(second));
    const [record] = await store().getByInferenceId(id);
    expect(record?.logLines[0]?.message).toBe([head, ...body].join('\n'));
    expect(record?.logLineCount).toBe(1);
  });

  it('keeps continuation lines of another stream apart', async () => {
    const endpoint = `split3-${run}`;
    const a = `a-${run}`;
    const events = (stream: string, evs: ReturnType<typeof logEvent>[]) => dataMessage({ endpointName: endpoint, logStream: `AllTraffic/${stream}/data-log`, events: evs });
    await captureEmf(() =>
      createLogsHandler()(kinesisEvent(subscriptionRecords([events('i-0aaa', [logEvent(T0, dataLogMessage(T0, a, head))]), events('i-0bbb', [logEvent(T0 + 1, 'stray text of another instance')])]))),
    );
    expect((await store().getByInferenceId(a))[0]?.logLines[0]?.message).toBe(head);
  });
});

describe('notifications whose receivedTime cannot be read', () => {
  it('are counted, stay queryable by their completion time, and say so on the record', async () => {
    const endpoint = `norecv-${run}`;
    const message = asyncNotification({ inferenceId: `norecv-${run}`, endpointName: endpoint, status: 'Completed', receivedTime: 'yesterday-ish', eventTime: '2026-11-30T08:00:05.000Z' });
    const { emf } = await captureEmf(() => notifications()(sqsEvent([{ body: JSON.stringify(snsEnvelope(message)) }])));
    expect(metricSum(emf, 'NotificationProblems', { Problem: 'ReceivedTimeUnreadable' })).toBe(1);
    const listed = await store().queryByEndpoint({ endpointName: endpoint, from: '2026-11-30T08:00:00.000Z', to: '2026-11-30T08:01:00.000Z' });
    expect(listed.map((r) => r.inferenceId)).toEqual([`norecv-${run}`]);
    expect(listed[0]).toMatchObject({ requestTime: '2026-11-30T08:00:05.000Z', problems: ['receivedTime "yesterday-ish" is not a time'] });
    expect(listed[0]?.receivedAt).toBeUndefined();
  });
});
