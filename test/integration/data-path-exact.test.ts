import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createLogsHandler } from '../../functions/process-logs';
import { createHandler as createNotificationsHandler } from '../../functions/process-notifications';
import { loadConfig, resetConfig } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import { asyncNotification, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, sqsEvent, subscriptionRecords } from '../../local/builders';
import { captureEmf, metricSum } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';
import { MemoryPublisher } from '../../lib/alerts/publish';

/**
 * Issue 12 through the real handlers against dynalite, from inputs in AWS's envelopes: Kinesis
 * events of CloudWatch Logs subscription records, SQS events of SNS envelopes.
 */
useDynamo();
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0, 250);
let run = 0;

beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  resetConfig();
});

const store = () => requestStoreFromConfig(loadConfig());
const notificationsHandler = () => createNotificationsHandler({ publisher: new MemoryPublisher() });

function notificationEvent(inferenceId: string, endpointName: string, overrides: Record<string, unknown> = {}) {
  const message = {
    ...asyncNotification({
      inferenceId,
      endpointName,
      status: 'Completed',
      receivedTime: new Date(T0 - 1_000).toISOString(),
      eventTime: new Date(T0 + 2_000).toISOString(),
    }),
    ...overrides,
  };
  return sqsEvent([{ body: JSON.stringify(snsEnvelope(message)) }]);
}

/** Any id InvokeEndpointAsync accepts: 1–64 characters, `\A\S[\p{Print}]*\z`. */
const acceptedId = fc
  .tuple(
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.array(
      fc.oneof(
        fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        fc.constantFrom('] ', ' [', ']', '[', ' '),
      ),
      { maxLength: 30 },
    ),
  )
  .map(([first, rest]) => (first + rest.join('')).slice(0, 64));

describe('inference ids through processLogs and processNotifications', () => {
  it('correlates a data-log line and a notification into one record found by the exact id, for any id the API accepts', async () => {
    const logs = createLogsHandler();
    const notifications = notificationsHandler();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(acceptedId, fc.boolean(), async (id, notificationFirst) => {
        const endpoint = `exact-${run}-${n++}`;
        const line = kinesisEvent(
          subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, id, 'Received server error (500) from primary with message "boom"'))] })]),
        );
        if (notificationFirst) await captureEmf(() => notifications(notificationEvent(id, endpoint)));
        await captureEmf(() => logs(line));
        if (!notificationFirst) await captureEmf(() => notifications(notificationEvent(id, endpoint)));
        const records = (await store().getByInferenceId(id)).filter((r) => r.endpointName === endpoint);
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({ inferenceId: id, sources: ['logs', 'notification'], logLineCount: 1, status: 'Completed' });
        const listed = await store().queryByEndpoint({ endpointName: endpoint });
        expect(listed.map((r) => r.inferenceId)).toEqual([id]);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('keeps `scan[2026-11-30]-batch` and `trailing-space ` whole: no phantom record, no trimmed one', async () => {
    const endpoint = `phantom-${run}`;
    const ids = ['scan[2026-11-30]-batch', 'trailing-space ', 'trailing-space'];
    await captureEmf(() =>
      createLogsHandler()(
        kinesisEvent(
          subscriptionRecords([dataMessage({ endpointName: endpoint, events: ids.map((id, i) => logEvent(T0 + i, dataLogMessage(T0 + i, id, `Inference request succeeded. line ${i}`))) })]),
        ),
      ),
    );
    const listed = await store().queryByEndpoint({ endpointName: endpoint });
    expect(listed.map((r) => r.inferenceId).sort()).toEqual([...ids].sort());
    expect(await store().getByInferenceId('scan[2026-11-30')).toEqual([]);
    expect((await store().getByInferenceId('trailing-space '))[0]?.logLines[0]?.message).toBe('Inference request succeeded. line 1');
  });
});

describe('redelivery', () => {
  it('leaves a 1,000-line request at 1,000 lines however often its batch comes again, in one write per delivery', async () => {
    const endpoint = `chatty-${run}`;
    const id = `chatty-${run}`;
    const events = Array.from({ length: 1_000 }, (_, i) =>
      logEvent(T0 + i, dataLogMessage(T0 + i, id, i % 10 === 0 ? 'Received server error (500) from primary' : `Inference request succeeded (${i})`)),
    );
    // Spread over several records, as a busy stream delivers them.
    const payloads = Array.from({ length: 10 }, (_, r) => dataMessage({ endpointName: endpoint, events: events.slice(r * 100, r * 100 + 100) }));
    const event = kinesisEvent(subscriptionRecords(payloads));
    const handler = createLogsHandler();
    const first = await captureEmf(() => handler(event));
    await captureEmf(() => handler(event));
    const third = await captureEmf(() => createLogsHandler()(event));
    const [record] = await store().getByInferenceId(id);
    expect(record).toMatchObject({ logLineCount: 1_000, logErrorCount: 100 });
    expect(metricSum(first.emf, 'DataLogLines')).toBe(1_000);
    expect(metricSum(third.emf, 'DataLogLinesDuplicate')).toBe(1_000);
    expect(metricSum(third.emf, 'LogErrorsWithoutNotification', { EndpointName: endpoint })).toBe(0);
  });

  it('merges an earlier batch of a stream replayed after a later one merged, and a second replay of either changes nothing', async () => {
    const endpoint = `replay-${run}`;
    const id = `replay-${run}`;
    const events = Array.from({ length: 40 }, (_, i) => logEvent(T0 + i, dataLogMessage(T0 + i, id, `Inference request succeeded (${i})`)));
    const records = subscriptionRecords(Array.from({ length: 4 }, (_, r) => dataMessage({ endpointName: endpoint, events: events.slice(r * 10, r * 10 + 10) })));
    const handler = createLogsHandler();
    await captureEmf(() => handler(kinesisEvent(records.slice(2))));
    await captureEmf(() => handler(kinesisEvent(records.slice(0, 2))));
    await captureEmf(() => handler(kinesisEvent(records)));
    expect((await store().getByInferenceId(id))[0]?.logLineCount).toBe(40);
    // A gap in the middle: the last and a middle batch first, the ones between them later.
    const gapId = `gap-${run}`;
    const gapEvents = Array.from({ length: 40 }, (_, i) =>
      logEvent(T0 + i, dataLogMessage(T0 + i, gapId, i === 15 ? 'Received server error (500) from primary' : `Inference request succeeded (${i})`)),
    );
    const gap = subscriptionRecords(Array.from({ length: 4 }, (_, r) => dataMessage({ endpointName: endpoint, events: gapEvents.slice(r * 10, r * 10 + 10) })));
    await captureEmf(() => handler(kinesisEvent([gap[3]!])));
    await captureEmf(() => createLogsHandler()(kinesisEvent([gap[1]!])));
    const replayed = await captureEmf(() => createLogsHandler()(kinesisEvent([gap[0]!, gap[2]!])));
    const again = await captureEmf(() => createLogsHandler()(kinesisEvent(gap)));
    expect((await store().getByInferenceId(gapId))[0]).toMatchObject({ logLineCount: 40, logErrorCount: 1 });
    expect(metricSum(replayed.emf, 'DataLogLinesDuplicate')).toBe(0);
    expect(metricSum(again.emf, 'DataLogLinesDuplicate')).toBe(40);
  });

  it('merges a bisected retry: only the records not merged before count', async () => {
    const endpoint = `bisect-${run}`;
    const id = `bisect-${run}`;
    const events = Array.from({ length: 40 }, (_, i) => logEvent(T0 + i, dataLogMessage(T0 + i, id, `Inference request succeeded (${i})`)));
    const records = subscriptionRecords(Array.from({ length: 4 }, (_, r) => dataMessage({ endpointName: endpoint, events: events.slice(r * 10, r * 10 + 10) })));
    const handler = createLogsHandler();
    await captureEmf(() => handler(kinesisEvent(records.slice(0, 2))));
    await captureEmf(() => handler(kinesisEvent(records.slice(1))));
    await captureEmf(() => handler(kinesisEvent(records)));
    expect((await store().getByInferenceId(id))[0]?.logLineCount).toBe(40);
  });
});
