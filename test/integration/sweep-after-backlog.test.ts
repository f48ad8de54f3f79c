import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createLogsHandler } from '../../functions/process-logs';
import { createHandler as createSweepHandler } from '../../functions/sweep-requests';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { createDocumentClient } from '../../lib/aws/clients';
import { loadConfig, resetConfig } from '../../lib/config';
import { WindowStore } from '../../lib/store/windows';
import { dataLogMessage, dataMessage, kinesisEvent, logEvent, subscriptionRecords } from '../../local/builders';
import { captureEmf } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

useDynamo();
const MINUTE = 60_000;

beforeEach(() => {
  process.env.REQUESTS_TABLE = TABLES.requests;
  process.env.STATE_TABLE = TABLES.state;
  process.env.STUCK_AFTER_MINUTES = '15';
  process.env.PIPELINE_LAG_ALERT_MINUTES = '10';
  resetConfig();
});

/**
 * The notification queue was 20 minutes behind at its last batch, then no batch came again:
 * the backlog drained and notifications stopped (the very case a lost notification is). The
 * sweeper must not wait for that input for ever.
 */
describe('sweeper after the notification queue drained', () => {
  it('holds back while the backlog may still deliver, then calls the request stuck and says the queue caught up', async () => {
    const endpoint = `drained-${Date.now()}`;
    const arrival = Date.now();
    const records = subscriptionRecords([
      dataMessage({ endpointName: endpoint, events: [logEvent(arrival - MINUTE, dataLogMessage(arrival - MINUTE, `lost-${endpoint}`, 'Received server error (500) from primary'))] }),
    ]);
    expect((await captureEmf(() => createLogsHandler()(kinesisEvent(records)))).result).toEqual({ batchItemFailures: [] });
    const config = loadConfig();
    await new WindowStore(createDocumentClient({ region: config.region }), config.stateTable).putInputLag({ input: 'notifications', at: arrival, lagMs: 20 * MINUTE });

    let now = arrival + 10 * MINUTE;
    const publisher = new MemoryPublisher();
    const sweep = createSweepHandler({ publisher, now: () => now });

    // 10 minutes after a batch that waited 20: its notification may still be in the queue.
    const early = (await captureEmf(() => sweep())).result;
    expect(early.stuck).toBe(0);
    expect(publisher.published.map((a) => [a.kind, a.status])).toEqual([['pipeline-behind', 'firing']]);
    // Silence on this input is also what lost topic subscriptions look like: the alert says where to look.
    expect(publisher.published[0]!.description).toContain("check that the endpoints' success and error topics still deliver to sagewatch's queue");

    // Silent for longer than the lag it last said and the hold: the queue is empty.
    now = arrival + 31 * MINUTE;
    const late = (await captureEmf(() => sweep())).result;
    expect(late.stuck).toBe(1);
    const kinds = publisher.published.slice(1).map((a) => [a.kind, a.status]);
    expect(kinds).toContainEqual(['pipeline-behind', 'resolved']);
    expect(publisher.published.some((a) => a.status === 'firing' && a.kind !== 'pipeline-behind' && a.resource.name === endpoint)).toBe(true);
  });
});
