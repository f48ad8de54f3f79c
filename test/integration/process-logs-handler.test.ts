import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/process-logs';
import { resetConfig } from '../../lib/config';
import { OPEN_SHARDS, type RequestStore } from '../../lib/store/requests';
import { RequestMerges } from '../../lib/correlate/request-merges';
import { findStuck } from '../../lib/detect/sweeper';
import { requestStoreFromConfig } from '../../lib/store';
import { loadConfig } from '../../lib/config';
import { controlMessage, dataLogMessage, dataMessage, kinesisEvent, logEvent, subscriptionRecords } from '../../local/builders';
import { encodeSubscriptionData } from '../../lib/logs/subscription';
import { captureEmf, dimensionSetsOf, metricSum } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

useDynamo();
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0, 250);
let run = 0;

function store(): RequestStore {
  return requestStoreFromConfig(loadConfig());
}

beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  process.env.STATE_TABLE = TABLES.state;
  resetConfig();
});

describe('processLogs handler', () => {
  it('correlates data-log lines into request records and skips everything else', async () => {
    const endpoint = `fraud-async-${run}`;
    const html = 'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC>\n<title>500</title>\n".';
    const event = kinesisEvent(
      subscriptionRecords([
        dataMessage({
          endpointName: endpoint,
          events: [
            logEvent(T0, dataLogMessage(T0, 'req-a', html)),
            logEvent(T0 + 10, dataLogMessage(T0 + 10, 'req-b', 'The response from container primary did not specify the required Content-Length header')),
          ],
        }),
        controlMessage(),
        // A container log stream of the same endpoint: not a data log.
        dataMessage({ endpointName: endpoint, logStream: 'AllTraffic/i-0a1b2c3d4e5f60718', events: [logEvent(T0, 'INFO model loaded')] }),
        dataMessage({ logGroup: '/aws/lambda/unrelated', events: [logEvent(T0, 'START RequestId')] }),
        dataMessage({ endpointName: endpoint, events: [logEvent(T0 + 20, dataLogMessage(T0 + 20, 'req-a', 'Inference request succeeded'))] }),
      ]),
    );
    const handler = createHandler();
    const { result, emf } = await captureEmf(() => handler(event));
    expect(result).toEqual({ batchItemFailures: [] });

    const [a] = await store().getByInferenceId('req-a');
    expect(a).toMatchObject({
      endpointName: endpoint,
      status: 'InProgress',
      logLineCount: 2,
      logErrorCount: 1,
      logCategory: 'ServerError',
      logStatusCode: 500,
      variantName: 'AllTraffic',
      sources: ['logs'],
    });
    expect(a!.logLines[0]).toEqual({
      at: new Date(T0).toISOString(),
      message: html,
      category: 'ServerError',
      statusCode: 500,
      instanceId: 'i-0a1b2c3d4e5f60718',
    });
    const [b] = await store().getByInferenceId('req-b');
    expect(b?.logCategory).toBe('MissingHeader');

    expect(metricSum(emf, 'LogControlMessages')).toBe(1);
    expect(metricSum(emf, 'LogEventsIgnored')).toBe(2);
    expect(metricSum(emf, 'DataLogLines')).toBe(3);
    expect(metricSum(emf, 'LogErrorsWithoutNotification', { EndpointName: endpoint })).toBe(2);
    expect(dimensionSetsOf(emf, 'LogErrorsWithoutNotification')).toContainEqual(['EndpointName']);
  });

  it('counts a redelivered batch once', async () => {
    const endpoint = `dup-${run}`;
    const event = kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, `dup-${run}`, 'Received client error (400) from primary'))] })]));
    const handler = createHandler();
    const first = await captureEmf(() => handler(event));
    const second = await captureEmf(() => handler(event));
    const third = await captureEmf(() => handler(event));
    expect(metricSum(first.emf, 'LogErrorsWithoutNotification', { EndpointName: endpoint })).toBe(1);
    expect(metricSum(second.emf, 'LogErrorsWithoutNotification', { EndpointName: endpoint })).toBe(0);
    expect(metricSum(third.emf, 'DataLogLinesDuplicate')).toBe(1);
    const [record] = await store().getByInferenceId(`dup-${run}`);
    expect(record).toMatchObject({ logLineCount: 1, logErrorCount: 1 });
  });

  it('sets malformed records aside without failing the batch', async () => {
    const endpoint = `bad-${run}`;
    const good = subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, `ok-${run}`, 'Received server error (502) from primary'))] })]);
    const event = kinesisEvent([{ data: 'not-base64-!!', sequenceNumber: '1001' }, { data: Buffer.from('plain text').toString('base64'), sequenceNumber: '1002' }, ...good]);
    const handler = createHandler();
    const { result, emf } = await captureEmf(() => handler(event));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(metricSum(emf, 'LogRecordsMalformed', { Reason: 'bad_base64' })).toBe(1);
    expect(metricSum(emf, 'LogRecordsMalformed', { Reason: 'bad_gzip' })).toBe(1);
    expect((await store().getByInferenceId(`ok-${run}`))[0]?.logStatusCode).toBe(502);
  });

  it('reports only the records whose writes failed, for a retry', async () => {
    process.env.REQUESTS_TABLE = 'no-such-table';
    resetConfig();
    const events = subscriptionRecords([
      dataMessage({ endpointName: 'e', events: [logEvent(T0, dataLogMessage(T0, 'x', 'Received server error (500)'))] }),
      controlMessage(),
      dataMessage({ endpointName: 'e', events: [logEvent(T0, dataLogMessage(T0, 'y', 'Received server error (500)'))] }),
    ]);
    const handler = createHandler();
    const { result, emf } = await captureEmf(() => handler(kinesisEvent(events)));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([events[0]!.sequenceNumber, events[2]!.sequenceNumber]);
    expect(metricSum(emf, 'StoreWriteFailures')).toBe(2);
  });

  it('lists the requests a batch opened for the stuck sweeper, again after a redelivery when the list could not be written', async () => {
    const endpoint = `open-${run}`;
    await new RequestMerges(store()).mergeNotification({ inferenceId: `notified-${run}`, endpointName: endpoint, status: 'Completed', completedAt: new Date(T0).toISOString() });
    const records = subscriptionRecords([
      dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, `open-${run}`, 'Received server error (500) from primary'))] }),
      dataMessage({ endpointName: endpoint, logStream: 'AllTraffic/i-0ffffeeeeddddcccc', events: [logEvent(T0 + 5, dataLogMessage(T0 + 5, `notified-${run}`, 'Inference request succeeded'))] }),
    ]);
    process.env.STATE_TABLE = 'no-such-state-table';
    resetConfig();
    const failed = await captureEmf(() => createHandler()(kinesisEvent(records)));
    // The merges are stored; the record of the request that needed listing is retried.
    expect(failed.result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[0]!.sequenceNumber]);
    expect((await store().getByInferenceId(`open-${run}`))[0]).toMatchObject({ logLineCount: 1 });
    process.env.STATE_TABLE = TABLES.state;
    resetConfig();
    const retried = await captureEmf(() => createHandler()(kinesisEvent([records[0]!])));
    expect(retried.result).toEqual({ batchItemFailures: [] });
    expect(metricSum(retried.emf, 'OpenRequestsListed')).toBe(1);
    // A later line of the listed request does not list it again.
    const later = await captureEmf(() =>
      createHandler()(kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0 + 60_000, dataLogMessage(T0 + 60_000, `open-${run}`, 'retrying'))] })]))),
    );
    expect(metricSum(later.emf, 'OpenRequestsListed')).toBe(0);

    const listed = [];
    for (let shard = 0; shard < OPEN_SHARDS; shard++) listed.push(...(await store().openListsPage(shard, '9999', { limit: 100 })).lists.flatMap((l) => l.requests));
    expect(listed.filter((r) => r.endpointName === endpoint)).toEqual([{ inferenceId: `open-${run}`, endpointName: endpoint, openSince: new Date(T0).toISOString() }]);
    const findings = await findStuck({ requests: store(), stuckAfterMinutes: 15, now: () => T0 + 3_600_000, notificationWatermark: T0 + 3_600_000 });
    expect(findings.stuck.filter((r) => r.endpointName === endpoint).map((r) => r.inferenceId)).toEqual([`open-${run}`]);
  });

  it('lists a request whose line is stamped in the future at its arrival, so neither it nor its list-mates hide from the sweeper', async () => {
    const endpoint = `future-${run}`;
    const arrival = Date.now();
    const future = arrival + 365 * 86_400_000;
    const records = subscriptionRecords([
      dataMessage({
        endpointName: endpoint,
        events: [
          logEvent(future, dataLogMessage(future, `ahead-${run}`, 'Received server error (500) from primary')),
          logEvent(arrival - 1000, dataLogMessage(arrival - 1000, `plain-${run}`, 'Received server error (500) from primary')),
        ],
      }),
    ]);
    const { result } = await captureEmf(() => createHandler()(kinesisEvent(records)));
    expect(result).toEqual({ batchItemFailures: [] });
    // The record keeps the time its line says; only the sweeper's clock starts at arrival.
    expect((await store().getByInferenceId(`ahead-${run}`))[0]?.firstLogAt).toBe(new Date(future).toISOString());
    const later = arrival + 3_600_000;
    const findings = await findStuck({ requests: store(), stuckAfterMinutes: 15, now: () => later, notificationWatermark: later });
    expect(
      findings.stuck
        .filter((r) => r.endpointName === endpoint)
        .map((r) => r.inferenceId)
        .sort(),
    ).toEqual([`ahead-${run}`, `plain-${run}`]);
  });

  it('rejects an event that is not a Kinesis or CloudWatch Logs event', async () => {
    await expect(createHandler()({ hello: 'world' })).rejects.toThrow(/expected a Kinesis event/);
  });

  it('accepts a CloudWatch Logs subscription event delivered straight to Lambda', async () => {
    const endpoint = `direct-${run}`;
    const data = encodeSubscriptionData(dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, `direct-${run}`, 'Model container did not respond'))] }));
    await captureEmf(() => createHandler()({ awslogs: { data } }));
    expect((await store().getByInferenceId(`direct-${run}`))[0]?.logCategory).toBe('Timeout');
  });
});
