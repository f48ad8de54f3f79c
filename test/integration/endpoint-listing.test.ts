import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createLogsHandler } from '../../functions/process-logs';
import { createHandler as createNotificationsHandler } from '../../functions/process-notifications';
import { loadConfig, resetConfig } from '../../lib/config';
import { RequestMerges } from '../../lib/correlate/request-merges';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { requestStoreFromConfig } from '../../lib/store';
import { EndpointListings, LIST_BYTES, endpointPartition } from '../../lib/store/requests-by-endpoint';
import { StoreClock } from '../../lib/store/requests-item';
import { asyncNotification, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, sqsEvent, subscriptionRecords } from '../../local/builders';
import { captureEmf } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

/**
 * Each endpoint's requests by time, listed in the state table by the processors (no index on
 * the requests table): what `sagewatch query --endpoint` and the alerts' samples read.
 */
const db = useDynamo();
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0, 250);
let run = 0;

beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  resetConfig();
});

const listings = () => new EndpointListings(db.client(), TABLES.state, new StoreClock(() => T0, 30));
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function collect(endpointName: string, bounds: { from?: string; to?: string } = {}) {
  const hours: Array<Array<{ inferenceId: string; requestTime: string }>> = [];
  for await (const entries of listings().hours(endpointName, bounds)) hours.push(entries);
  return hours;
}

/** The listing items of an endpoint as stored, with their size as DynamoDB counts it (names and values). */
async function listingItems(endpointName: string) {
  const output = (await db.client().send(new QueryCommand({ TableName: TABLES.state, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': endpointPartition(endpointName) } }))) as {
    Items?: Array<Record<string, unknown>>;
  };
  return (output.Items ?? []).map((item) => ({ item, bytes: Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)), 0) }));
}

describe('EndpointListings', () => {
  it('reads an endpoint hour by hour, newest first, each hour without repeats and inside inclusive bounds', async () => {
    const endpoint = `hours-${run}`;
    // Two batches list the same request (both halves, or a redelivery); another endpoint is listed beside it.
    await listings().list([
      { endpointName: endpoint, inferenceId: 'a', requestTime: at(0) },
      { endpointName: endpoint, inferenceId: 'b', requestTime: at(30) },
      { endpointName: endpoint, inferenceId: 'c', requestTime: at(61) },
      { endpointName: `${endpoint}-other`, inferenceId: 'x', requestTime: at(61) },
    ]);
    await listings().list([
      { endpointName: endpoint, inferenceId: 'b', requestTime: at(30) },
      { endpointName: endpoint, inferenceId: 'd', requestTime: at(125) },
      { endpointName: endpoint, inferenceId: 'e', requestTime: at(59) },
    ]);
    const ids = (hours: Awaited<ReturnType<typeof collect>>) => hours.map((entries) => entries.map((entry) => entry.inferenceId));
    expect(ids(await collect(endpoint))).toEqual([['d'], ['c'], ['e', 'b', 'a']]);
    expect((await collect(endpoint))[2]?.[1]).toEqual({ inferenceId: 'b', requestTime: at(30) });
    // Bounds cut inside their hours: from 00:30 to 01:01 exactly.
    expect(ids(await collect(endpoint, { from: at(30), to: at(61) }))).toEqual([['c'], ['e', 'b']]);
    expect(ids(await collect(endpoint, { from: at(62) }))).toEqual([['d']]);
    expect(ids(await collect(endpoint, { to: at(29) }))).toEqual([['a']]);
    expect(ids(await collect(`${endpoint}-other`))).toEqual([['x']]);
    expect(await collect(`${endpoint}-never`)).toEqual([]);
  });

  it('splits a batch past an item bound into several items, each far below 400 KB, and reads every entry back', async () => {
    const endpoint = `split-${run}`;
    // 64-character ids of characters JSON escapes: the worst case the bound is sized for.
    const id = (i: number) => `${'"\\'.repeat(28)}${String(i).padStart(8, '0')}`;
    const many = Array.from({ length: 4_000 }, (_, i) => ({ endpointName: endpoint, inferenceId: id(i), requestTime: at(i / 1_000) }));
    await listings().list(many);
    const items = await listingItems(endpoint);
    expect(items.length).toBeGreaterThan(1);
    for (const { bytes } of items) expect(bytes).toBeLessThanOrEqual(LIST_BYTES);
    const read = (await collect(endpoint)).flat();
    expect(read).toHaveLength(4_000);
    expect(new Set(read.map((entry) => entry.inferenceId))).toEqual(new Set(many.map((entry) => entry.inferenceId)));
  });
});

function notificationEvent(inferenceId: string, endpointName: string) {
  const message = asyncNotification({ inferenceId, endpointName, status: 'Completed', receivedTime: new Date(T0 - 1_000).toISOString(), eventTime: new Date(T0 + 2_000).toISOString() });
  return sqsEvent([{ messageId: `m-${inferenceId}`, body: JSON.stringify(snsEnvelope(message)) }]);
}

const linesEvent = (endpointName: string, inferenceId: string) =>
  kinesisEvent(subscriptionRecords([dataMessage({ endpointName, events: [logEvent(T0, dataLogMessage(T0, inferenceId, 'Inference request succeeded.'))] })]));

describe('which batch lists a request', () => {
  it('lists it once, by whichever half came first, and finds it by endpoint either way', async () => {
    const notifications = createNotificationsHandler({ publisher: new MemoryPublisher() });
    const logs = createLogsHandler();
    for (const notificationFirst of [true, false]) {
      const endpoint = `order-${run}-${notificationFirst ? 'notification' : 'logs'}`;
      const id = `req-${endpoint}`;
      if (notificationFirst) await captureEmf(() => notifications(notificationEvent(id, endpoint)));
      await captureEmf(() => logs(linesEvent(endpoint, id)));
      // Later lines of a listed request do not list it again.
      await captureEmf(() => logs(kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0 + 5, dataLogMessage(T0 + 5, id, 'second line'))] })]))));
      if (!notificationFirst) await captureEmf(() => notifications(notificationEvent(id, endpoint)));
      expect(await listingItems(endpoint), endpoint).toHaveLength(1);
      const found = await requestStoreFromConfig(loadConfig()).queryByEndpoint({ endpointName: endpoint });
      expect(found.map((record) => [record.inferenceId, record.status, record.logLineCount])).toEqual([[id, 'Completed', 2]]);
    }
  });

  it('lists a request again when its batch is redelivered, since the first delivery may have failed before listing', async () => {
    const endpoint = `again-${run}`;
    const logs = createLogsHandler();
    await captureEmf(() => logs(linesEvent(endpoint, 'r1')));
    await captureEmf(() => logs(linesEvent(endpoint, 'r1')));
    expect(await listingItems(endpoint)).toHaveLength(2);
    const found = await requestStoreFromConfig(loadConfig()).queryByEndpoint({ endpointName: endpoint });
    expect(found.map((record) => record.inferenceId)).toEqual(['r1']);
  });

  it('retries the records and messages whose listing could not be written, and their retry lists them', async () => {
    const endpoint = `unlisted-${run}`;
    let failures = 1;
    class FailingOnce extends RequestMerges {
      override async listByEndpoint(entries: Parameters<RequestMerges['listByEndpoint']>[0]) {
        if (failures-- > 0) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
        return super.listByEndpoint(entries);
      }
    }
    const store = new FailingOnce(requestStoreFromConfig(loadConfig()));
    const logs = createLogsHandler({ store });
    const event = linesEvent(endpoint, 'r-logs');
    const first = await captureEmf(() => logs(event));
    expect(first.result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(event.Records.map((record) => record.kinesis.sequenceNumber));
    expect(await listingItems(endpoint)).toHaveLength(0);
    const retry = await captureEmf(() => logs(event));
    expect(retry.result.batchItemFailures).toEqual([]);
    expect(await listingItems(endpoint)).toHaveLength(1);

    failures = 1;
    const notifications = createNotificationsHandler({ store, publisher: new MemoryPublisher() });
    const message = notificationEvent('r-notified', endpoint);
    expect((await captureEmf(() => notifications(message))).result.batchItemFailures).toEqual([{ itemIdentifier: 'm-r-notified' }]);
    expect((await captureEmf(() => notifications(message))).result.batchItemFailures).toEqual([]);
    const found = await requestStoreFromConfig(loadConfig()).queryByEndpoint({ endpointName: endpoint });
    expect(found.map((record) => record.inferenceId).sort()).toEqual(['r-logs', 'r-notified']);
  });
});
