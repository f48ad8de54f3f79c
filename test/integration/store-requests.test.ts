import { describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_SHARDS, RequestStore, type EndpointQuery } from '../../lib/store/requests';
import { RequestMerges } from '../../lib/correlate/request-merges';
import type { LogHalf, NotificationHalf } from '../../lib/requests/halves';
import { TABLES, useDynamo } from '../support/dynamo';

const db = useDynamo();
let counter = 0;
const NOW = Date.UTC(2024, 4, 1, 12, 30);

/** The store with the merge policies applied (lib/correlate/request-merges.ts), as the processors use it. */
function store(overrides: Partial<ConstructorParameters<typeof RequestStore>[1]> = {}) {
  const requests = new RequestStore(db.client(), {
    tableName: TABLES.requests,
    stateTable: TABLES.state,
    retentionDays: 30,
    maxLogLines: 3,
    maxLogLineChars: 40,
    now: () => NOW,
    ...overrides,
  });
  const merges = new RequestMerges(requests);
  const listed = async <R extends { requestTime?: string }>(half: { inferenceId: string; endpointName: string }, result: R): Promise<R> => {
    if (result.requestTime !== undefined) await merges.listByEndpoint([{ inferenceId: half.inferenceId, endpointName: half.endpointName, requestTime: result.requestTime }]);
    return result;
  };
  return {
    // Each merge is a batch of one: as the processors do after a batch, what it merged is listed under its endpoint.
    mergeLogHalf: async (half: LogHalf) => listed(half, await merges.mergeLogHalf(half)),
    mergeNotification: async (half: NotificationHalf) => listed(half, await merges.mergeNotification(half)),
    getByInferenceId: (inferenceId: string) => requests.getByInferenceId(inferenceId),
    queryByEndpoint: (query: EndpointQuery) => requests.queryByEndpoint(query),
  };
}

function ids() {
  counter++;
  return { inferenceId: `req-${counter}-${Math.random().toString(36).slice(2, 8)}`, endpointName: `ep-${counter}` };
}

function logHalf(key: { inferenceId: string; endpointName: string }, lines: Array<[string, number, string, ('ServerError' | 'Info')?]>, instanceId = 'i-0abc'): LogHalf {
  return {
    ...key,
    variantName: 'AllTraffic',
    lines: lines.map(([eventId, at, message, category]) => ({
      eventId,
      at,
      message,
      category: category ?? 'ServerError',
      ...(category === 'Info' ? {} : { statusCode: 500 }),
      instanceId,
    })),
  };
}

function notification(key: { inferenceId: string; endpointName: string }, overrides: Partial<NotificationHalf> = {}): NotificationHalf {
  return {
    ...key,
    status: 'Failed',
    receivedAt: '2024-05-01T12:00:00.000Z',
    completedAt: '2024-05-01T12:00:04.000Z',
    endToEndLatencyMs: 4000,
    failureReason: 'ClientError: Received server error (500) from model.',
    failureCategory: 'ServerError',
    failureStatusCode: 500,
    inputLocation: 's3://in/x',
    ...overrides,
  };
}

const T0 = Date.UTC(2024, 4, 1, 12, 0, 1);

describe('RequestStore merges', () => {
  it('produces the same record whichever half arrives first', async () => {
    const a = ids();
    const b = { inferenceId: a.inferenceId, endpointName: `${a.endpointName}-b` };
    const s = store();
    const lines: Array<[string, number, string]> = [['e1', T0, 'Received server error (500) from primary']];

    await s.mergeLogHalf(logHalf(a, lines));
    await s.mergeNotification(notification(a));
    await s.mergeNotification(notification(b));
    await s.mergeLogHalf(logHalf(b, lines));

    const [first] = await s.getByInferenceId(a.inferenceId).then((r) => r.filter((x) => x.endpointName === a.endpointName));
    const [second] = await s.getByInferenceId(b.inferenceId).then((r) => r.filter((x) => x.endpointName === b.endpointName));
    const strip = ({ endpointName: _e, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;
    expect(strip(first as unknown as Record<string, unknown>)).toEqual(strip(second as unknown as Record<string, unknown>));
    expect(first).toMatchObject({
      status: 'Failed',
      requestTime: '2024-05-01T12:00:00.000Z',
      receivedAt: '2024-05-01T12:00:00.000Z',
      completedAt: '2024-05-01T12:00:04.000Z',
      endToEndLatencyMs: 4000,
      failureCategory: 'ServerError',
      logCategory: 'ServerError',
      logLineCount: 1,
      logErrorCount: 1,
      sources: ['logs', 'notification'],
      expiresAt: Math.floor(NOW / 1000) + 30 * 86_400,
      variantName: 'AllTraffic',
      firstLogAt: new Date(T0).toISOString(),
    });
  });

  it('changes nothing on triple deliveries of either half', async () => {
    const key = ids();
    const s = store();
    const half = logHalf(key, [
      ['e1', T0, 'Received server error (500)'],
      ['e2', T0 + 5, 'retrying', 'Info'],
    ]);
    const first = await s.mergeLogHalf(half);
    const second = await s.mergeLogHalf(half);
    const third = await s.mergeLogHalf(half);
    expect([first.addedLines, second.addedLines, third.addedLines]).toEqual([2, 0, 0]);
    expect(first.firstErrors).toBe(true);
    expect(second.firstErrors).toBe(false);

    const n = notification(key);
    const applied = await Promise.all([s.mergeNotification(n), s.mergeNotification(n), s.mergeNotification(n)]);
    expect(applied.filter((r) => r.applied)).toHaveLength(1);

    const [record] = await s.getByInferenceId(key.inferenceId);
    expect(record).toMatchObject({ logLineCount: 2, logErrorCount: 1, notificationCount: 1 });
    expect(record!.logLines.map((l) => l.message)).toEqual(['Received server error (500)', 'retrying']);
  });

  it('merges overlapping redeliveries line by line', async () => {
    const key = ids();
    const s = store();
    await s.mergeLogHalf(logHalf(key, [['e1', T0, 'one']]));
    // A retried Kinesis batch groups differently: an old line plus a new one.
    const result = await s.mergeLogHalf(
      logHalf(key, [
        ['e1', T0, 'one'],
        ['e2', T0 + 1, 'two'],
      ]),
    );
    expect(result.addedLines).toBe(1);
    expect(result.reads + result.writes).toBeGreaterThanOrEqual(2);
    const [record] = await s.getByInferenceId(key.inferenceId);
    expect(record!.logLineCount).toBe(2);
    expect(record!.logLines.map((l) => l.message)).toEqual(['one', 'two']);
  });

  it('keeps the first lines, truncated, and counts the rest', async () => {
    const key = ids();
    const s = store();
    await s.mergeLogHalf(
      logHalf(key, [
        ['a', T0, 'x'.repeat(100)],
        ['b', T0 + 1, 'b'],
      ]),
    );
    await s.mergeLogHalf(
      logHalf(key, [
        ['c', T0 + 2, 'c'],
        ['d', T0 + 3, 'd'],
        ['e', T0 + 4, 'e'],
      ]),
    );
    await s.mergeLogHalf(
      logHalf(key, [
        ['c', T0 + 2, 'c'],
        ['f', T0 + 5, 'f'],
      ]),
    );
    const [record] = await s.getByInferenceId(key.inferenceId);
    expect(record!.logLineCount).toBe(6);
    expect(record!.logLines.map((l) => l.message)).toEqual([`${'x'.repeat(40)}…`, 'b', 'c']);
  });

  it('lets two racing writers of the same request both land exactly once', async () => {
    const key = ids();
    const writers = [store(), store(), store(), store()];
    // Writers race across log streams (instances): one stream's batches reach the store in
    // order, since each stream goes to one Kinesis shard (distribution ByLogStream).
    const halves = [
      logHalf(key, [['r1', T0, 'a']], 'i-0one'),
      logHalf(key, [['r2', T0 + 1, 'b']], 'i-0two'),
      logHalf(
        key,
        [
          ['r1', T0, 'a'],
          ['r3', T0 + 2, 'c'],
        ],
        'i-0one',
      ),
      logHalf(key, [['r2', T0 + 1, 'b']], 'i-0two'),
    ];
    const results = await Promise.all([
      ...halves.map((half, i) => writers[i]!.mergeLogHalf(half)),
      writers[0]!.mergeNotification(notification(key, { status: 'Completed', failureReason: undefined, failureCategory: undefined, failureStatusCode: undefined })),
      writers[1]!.mergeNotification(notification(key, { status: 'Completed', failureReason: undefined, failureCategory: undefined, failureStatusCode: undefined })),
    ]);
    const added = results.slice(0, 4).reduce((sum, r) => sum + ('addedLines' in r ? r.addedLines : 0), 0);
    expect(added).toBe(3);
    expect(results.slice(4).filter((r) => 'applied' in r && r.applied)).toHaveLength(1);
    const [record] = await store().getByInferenceId(key.inferenceId);
    expect(record).toMatchObject({ logLineCount: 3, status: 'Completed', notificationCount: 1 });
    expect(record!.logLines.map((l) => l.message).sort()).toEqual(['a', 'b', 'c']);
  });

  it('stores a notification whose endpoint has no logs', async () => {
    const key = ids();
    const s = store();
    const result = await s.mergeNotification(
      notification(key, { status: 'Completed', failureReason: undefined, failureCategory: undefined, failureStatusCode: undefined, outputLocation: 's3://out/y' }),
    );
    expect(result.applied).toBe(true);
    expect(result.record).toMatchObject({ status: 'Completed', sources: ['notification'], logLineCount: 0, logLines: [], outputLocation: 's3://out/y' });
  });

  it('keeps the newest notification of a reused inference id and ignores older ones', async () => {
    const key = ids();
    const s = store();
    expect((await s.mergeNotification(notification(key))).applied).toBe(true);
    const retried = await s.mergeNotification(
      notification(key, {
        status: 'Completed',
        receivedAt: '2024-05-01T12:10:00.000Z',
        completedAt: '2024-05-01T12:10:01.000Z',
        endToEndLatencyMs: 1000,
        failureReason: undefined,
        failureCategory: undefined,
        failureStatusCode: undefined,
        outputLocation: 's3://out/z',
      }),
    );
    expect(retried.applied).toBe(true);
    expect(retried.record).toMatchObject({ status: 'Completed', notificationCount: 2, outputLocation: 's3://out/z' });
    expect(retried.record?.failureReason).toBeUndefined();
    const stale = await s.mergeNotification(notification(key));
    expect(stale.applied).toBe(false);
    expect((await s.getByInferenceId(key.inferenceId))[0]?.status).toBe('Completed');
  });

  it('does not let a log line turn a finished request back to InProgress', async () => {
    const key = ids();
    const s = store();
    await s.mergeNotification(notification(key, { status: 'Completed', failureReason: undefined, failureCategory: undefined, failureStatusCode: undefined }));
    const result = await s.mergeLogHalf(logHalf(key, [['z', T0, 'late line', 'Info']]));
    expect(result.notified).toBe(true);
    expect((await s.getByInferenceId(key.inferenceId))[0]?.status).toBe('Completed');
  });
});

describe('RequestStore queries', () => {
  it('lists an endpoint newest first, by time range and status', async () => {
    const s = store();
    const endpointName = `query-ep-${Date.now()}`;
    const make = (i: number, status: 'Completed' | 'Failed') =>
      s.mergeNotification({
        inferenceId: `q-${i}`,
        endpointName,
        status,
        receivedAt: new Date(Date.UTC(2024, 4, 1, 10, i)).toISOString(),
        completedAt: new Date(Date.UTC(2024, 4, 1, 10, i, 30)).toISOString(),
      });
    for (let i = 0; i < 6; i++) await make(i, i % 2 === 0 ? 'Completed' : 'Failed');
    await s.mergeLogHalf({ inferenceId: 'q-log-only', endpointName, variantName: 'v', lines: [{ eventId: 'l', at: Date.UTC(2024, 4, 1, 10, 7), message: 'm', category: 'Other', instanceId: 'i' }] });

    const all = await s.queryByEndpoint({ endpointName });
    expect(all.map((r) => r.inferenceId)).toEqual(['q-log-only', 'q-5', 'q-4', 'q-3', 'q-2', 'q-1', 'q-0']);
    const failed = await s.queryByEndpoint({ endpointName, status: 'Failed', limit: 2 });
    expect(failed.map((r) => r.inferenceId)).toEqual(['q-5', 'q-3']);
    const window = await s.queryByEndpoint({ endpointName, from: '2024-05-01T10:02:00.000Z', to: '2024-05-01T10:04:00.000Z' });
    expect(window.map((r) => r.inferenceId)).toEqual(['q-4', 'q-3', 'q-2']);
    const inProgress = await s.queryByEndpoint({ endpointName, status: 'InProgress' });
    expect(inProgress.map((r) => r.inferenceId)).toEqual(['q-log-only']);
  });
});

describe('RequestStore open-request lists', () => {
  it('reads back every request a batch listed, of every endpoint, each opened by the list’s latest time; lists written one row per request are read too', async () => {
    const requests = new RequestStore(db.client(), {
      tableName: TABLES.requests,
      stateTable: TABLES.state,
      retentionDays: 30,
      maxLogLines: 3,
      maxLogLineChars: 40,
      now: () => NOW,
    });
    const run = `lists-${Math.random().toString(36).slice(2, 8)}`;
    const at = (s: number) => new Date(NOW - 3_600_000 + s * 1000).toISOString();
    const listed = [
      { inferenceId: `${run}-a`, endpointName: `${run}-ep1`, openSince: at(1) },
      { inferenceId: `${run}-b`, endpointName: `${run}-ep2`, openSince: at(3) },
      { inferenceId: `${run}-c`, endpointName: `${run}-ep1`, openSince: at(2) },
    ];
    await requests.listOpen(listed);
    const legacy = { pk: 'openRequests#0', sk: `${at(5)}#legacy-${run}`, requests: JSON.stringify([[`${run}-d`, `${run}-ep3`, at(4)]]) };
    await db.client().send(new PutCommand({ TableName: TABLES.state, Item: legacy }));
    const found = [];
    for (let shard = 0; shard < OPEN_SHARDS; shard++) {
      for (const list of (await requests.openListsPage(shard, '9999', { limit: 100 })).lists) found.push(...list.requests.filter((r) => r.inferenceId.startsWith(run)));
    }
    expect(found.sort((x, y) => x.inferenceId.localeCompare(y.inferenceId))).toEqual([
      { inferenceId: `${run}-a`, endpointName: `${run}-ep1`, openSince: at(3) },
      { inferenceId: `${run}-b`, endpointName: `${run}-ep2`, openSince: at(3) },
      { inferenceId: `${run}-c`, endpointName: `${run}-ep1`, openSince: at(3) },
      { inferenceId: `${run}-d`, endpointName: `${run}-ep3`, openSince: at(4) },
    ]);
  });
});
