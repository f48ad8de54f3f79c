import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/process-notifications';
import { resetConfig } from '../../lib/config';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { asyncNotification, sqsEvent } from '../../local/builders';
import { DynamoProxy } from '../../local/dynamo-proxy';
import { captureEmf } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

/**
 * What processNotifications writes to the state table, seen on the wire in front of dynalite:
 * detector, window and alert state is written only when its content changes, so a redelivered
 * batch (or one that adds nothing an incident does not already say) costs no write units there.
 */
const db = useDynamo();

interface Write {
  operation: string;
  table: string;
  pk: string;
  sk: string;
}

/** A loopback proxy that notes every write's table and key and passes the bytes on untouched. */
class WriteRecorder {
  readonly writes: Write[] = [];
  private proxy?: DynamoProxy;

  start(target: string): Promise<string> {
    this.proxy = new DynamoProxy(target, (operation, body) => {
      if (/^(PutItem|UpdateItem|DeleteItem)$/.test(operation)) {
        const input = JSON.parse(body.toString('utf8')) as { TableName: string; Item?: Record<string, { S?: string }>; Key?: Record<string, { S?: string }> };
        const key = input.Item ?? input.Key ?? {};
        this.writes.push({ operation, table: input.TableName, pk: key.pk?.S ?? '', sk: key.sk?.S ?? '' });
      }
      return undefined;
    });
    return this.proxy.start();
  }

  /** The state-table writes since `from`, but the endpoint listings (the requests' index, not detector state). */
  stateWrites(from: number): Write[] {
    return this.writes.slice(from).filter((w) => w.table === TABLES.state && !w.pk.startsWith('endpoint#'));
  }

  async close(): Promise<void> {
    await this.proxy?.close();
  }
}

const recorder = new WriteRecorder();
beforeAll(async () => {
  // The handler builds its clients at its first call, from this.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = await recorder.start(db.endpoint());
  process.env.REQUESTS_TABLE = TABLES.requests;
  process.env.STATE_TABLE = TABLES.state;
  resetConfig();
});
afterAll(async () => {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint();
  await recorder.close();
});

const BASE = Date.UTC(2024, 4, 1, 12, 0, 0);
const ENDPOINT = 'state-writes';

function batch(from: number, count: number, failed: number, at: number) {
  return sqsEvent(
    Array.from({ length: count }, (_, i) => ({
      messageId: `m-${from + i}`,
      body: JSON.stringify(
        asyncNotification({
          inferenceId: `req-${from + i}`,
          endpointName: ENDPOINT,
          status: i < failed ? 'Failed' : 'Completed',
          receivedTime: new Date(at - 2_000).toISOString(),
          eventTime: new Date(at).toISOString(),
          failureReason: 'ClientError: Received server error (500) from model.',
        }),
      ),
    })),
  );
}

const keysOf = (writes: readonly Write[]) => writes.map((w) => `${w.operation} ${w.pk} ${w.sk}`);

describe('processNotifications state-table writes', () => {
  it('writes no detector, window or alert state for a batch that changes none, and writes what changed', async () => {
    const publisher = new MemoryPublisher();
    let now = BASE + 30_000;
    const handler = createHandler({ publisher, now: () => now });

    // History, then a burst that opens an incident: its slot, the incident, the alert's claim and history, the queue lag.
    await captureEmf(() => handler(batch(100, 20, 0, BASE - 15 * 60_000)));
    let mark = recorder.writes.length;
    const burst = batch(0, 10, 6, BASE + 20_000);
    await captureEmf(() => handler(burst));
    expect(publisher.published.map((a) => a.kind)).toEqual(['failure-burst']);
    const opened = keysOf(recorder.stateWrites(mark));
    expect(opened).toContain(`UpdateItem detect#${ENDPOINT} s#2024-05-01T12:00`);
    expect(opened).toContain(`PutItem detect#${ENDPOINT} ~i#failure-burst`);
    expect(opened.some((k) => k.startsWith('UpdateItem alert#'))).toBe(true);

    // SQS redelivers the burst a second later: nothing in it is new, so nothing is written.
    now += 1_000;
    mark = recorder.writes.length;
    await captureEmf(() => handler(burst));
    expect(recorder.stateWrites(mark)).toEqual([]);

    // More failures of the same incident: only their counts change (the incident holds, the lag is the same).
    now += 1_000;
    mark = recorder.writes.length;
    await captureEmf(() => handler(batch(10, 5, 5, BASE + 25_000)));
    expect(keysOf(recorder.stateWrites(mark))).toEqual([`UpdateItem detect#${ENDPOINT} s#2024-05-01T12:00`]);
    expect(publisher.published).toHaveLength(1);

    // The same messages again three minutes after they were sent: the queue's lag has changed, and is written.
    now = BASE + 25_000 + 3 * 60_000;
    mark = recorder.writes.length;
    await captureEmf(() => handler(batch(10, 5, 5, BASE + 25_000)));
    expect(keysOf(recorder.stateWrites(mark))).toEqual(['PutItem input#notifications lag']);
  });
});
