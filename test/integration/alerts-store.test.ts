import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert, resolveAlert, type Alert, type AlertInput } from '../../lib/alert-model/alert';
import { AlertStore, type SendDecision } from '../../lib/store/alerts';
import { ensureTables, startDynamo, type EmbeddedDynamo } from '../../local/dynamo';

/** The dedupe store against dynalite: real conditional writes, real races. */
const TABLES = { requests: 'alerts-t-requests', inventory: 'alerts-t-inventory', state: 'alerts-t-state' };
let dynamo: EmbeddedDynamo;
let client: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  await ensureTables(dynamo.endpoint, TABLES);
  client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

const T0 = Date.UTC(2024, 5, 3, 23, 50);
const MIN = 60_000;
let seq = 0;

/** A store on a clock the test moves by hand. */
function storeAt(start = T0) {
  const clock = { now: start };
  const store = new AlertStore(client, { tableName: TABLES.state, now: () => clock.now });
  return { store, clock };
}

function alertFor(name: string, overrides: Partial<AlertInput> = {}, at = T0): Alert {
  return createAlert({
    kind: 'failure-burst',
    severity: 'critical',
    title: `Failure burst on ${name}`,
    description: 'Many requests failed.',
    resource: { type: 'endpoint', name, region: 'us-east-1', account: '123456789012' },
    detectedAt: at,
    ...overrides,
  });
}

const unique = (label: string) => `${label}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;

function summary(decision: SendDecision): string {
  return `${decision.send ? 'send' : 'skip'}:${decision.reason}`;
}

describe('shouldSend', () => {
  it('sends the first firing alert and suppresses repeats inside the cooldown', async () => {
    const { store, clock } = storeAt();
    const name = unique('ep');
    expect(summary(await store.shouldSend(alertFor(name), 600))).toBe('send:first');
    clock.now += 5 * MIN;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('skip:suppressed');
    clock.now += 5 * MIN - 1;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('skip:suppressed');
    clock.now += 1;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('send:cooldown-elapsed');
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('skip:suppressed');
  });

  it('dedupes by fingerprint: another resource or kind is sent on its own', async () => {
    const { store } = storeAt();
    const name = unique('ep');
    expect(summary(await store.shouldSend(alertFor(name), 600))).toBe('send:first');
    expect(summary(await store.shouldSend(alertFor(`${name}-b`), 600))).toBe('send:first');
    expect(summary(await store.shouldSend(alertFor(name, { kind: 'latency-shift' }), 600))).toBe('send:first');
    expect(summary(await store.shouldSend(alertFor(name, { severity: 'warning', title: 'other words' }), 600))).toBe('skip:suppressed');
  });

  it('sends a resolution once, and only after a firing alert was sent', async () => {
    const { store, clock } = storeAt();
    const name = unique('ep');
    const firing = alertFor(name);
    expect(summary(await store.shouldSend(resolveAlert(firing, { at: T0 }), 600))).toBe('skip:not-firing');

    expect(summary(await store.shouldSend(firing, 600))).toBe('send:first');
    clock.now += MIN;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('skip:suppressed');
    clock.now += MIN;
    expect(summary(await store.shouldSend(resolveAlert(firing, { at: clock.now }), 600))).toBe('send:resolution');
    expect(summary(await store.shouldSend(resolveAlert(firing, { at: clock.now + 1 }), 600))).toBe('skip:not-firing');

    // Firing again after a resolution is news, cooldown or not.
    clock.now += MIN;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('send:refiring');
  });

  it('sends no resolution for a firing state that has outlived its retention', async () => {
    const { store, clock } = storeAt();
    const name = unique('ep');
    const firing = alertFor(name);
    expect((await store.shouldSend(firing, 600)).send).toBe(true);
    clock.now += 8 * 24 * 60 * MIN;
    expect(summary(await store.shouldSend(resolveAlert(firing, { at: clock.now }), 600))).toBe('skip:not-firing');
  });

  it('lets exactly one of two racing writers send', async () => {
    for (let round = 0; round < 5; round++) {
      const name = unique('race');
      const [a, b] = await Promise.all([storeAt().store.shouldSend(alertFor(name), 600), storeAt().store.shouldSend(alertFor(name), 600)]);
      expect([a, b].filter((d) => d.send)).toHaveLength(1);
      expect([a, b].map(summary).sort()).toEqual(['send:first', 'skip:suppressed']);
    }
  });

  it('lets exactly one of many racing writers send, for firing and for resolution', async () => {
    const name = unique('crowd');
    const firing = await Promise.all(Array.from({ length: 12 }, () => storeAt().store.shouldSend(alertFor(name), 600)));
    expect(firing.filter((d) => d.send)).toHaveLength(1);
    const resolved = resolveAlert(alertFor(name), { at: T0 + MIN });
    const resolutions = await Promise.all(Array.from({ length: 12 }, () => storeAt(T0 + MIN).store.shouldSend(resolved, 600)));
    expect(resolutions.filter((d) => d.send).map(summary)).toEqual(['send:resolution']);
  });

  it('writes a TTL that outlives both the cooldown and the retention', async () => {
    const { store } = storeAt();
    const short = alertFor(unique('ttl'));
    await store.shouldSend(short, 600);
    const long = alertFor(unique('ttl'));
    await store.shouldSend(long, 30 * 86_400);
    const item = async (alert: Alert) =>
      ((await client.send(new GetCommand({ TableName: TABLES.state, Key: { pk: `alert#${alert.fingerprint}`, sk: 'state' } }))).Item ?? {}) as Record<string, unknown>;
    expect((await item(short)).expiresAt).toBe(Math.floor(T0 / 1000) + 7 * 86_400);
    expect((await item(long)).expiresAt).toBe(Math.floor(T0 / 1000) + 30 * 86_400);
    expect(await item(short)).toMatchObject({ status: 'firing', kind: 'failure-burst', alertId: short.id, suppressUntil: T0 + 600_000 });
  });
});

describe('release', () => {
  it('gives a new fingerprint back, so the retry after a failed publish sends', async () => {
    const { store } = storeAt();
    const alert = alertFor(unique('rel'));
    const claim = await store.shouldSend(alert, 600);
    if (!claim.send) throw new Error('expected a claim');
    await claim.release();
    expect(summary(await store.shouldSend(alert, 600))).toBe('send:first');
  });

  it('restores the previous state of a known fingerprint', async () => {
    const { store, clock } = storeAt();
    const name = unique('rel');
    await store.shouldSend(alertFor(name), 600);
    clock.now += 11 * MIN;
    const claim = await store.shouldSend(alertFor(name, {}, clock.now), 600);
    expect(summary(claim)).toBe('send:cooldown-elapsed');
    if (claim.send) await claim.release();
    // Back to the old state, whose cooldown is over: the retry sends.
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('send:cooldown-elapsed');
  });

  it('never undoes a claim made by someone else since', async () => {
    const { store, clock } = storeAt();
    const name = unique('rel');
    const stale = await store.shouldSend(alertFor(name), 600);
    clock.now += 11 * MIN;
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('send:cooldown-elapsed');
    if (stale.send) await stale.release();
    expect(summary(await store.shouldSend(alertFor(name, {}, clock.now), 600))).toBe('skip:suppressed');
  });
});

describe('recent', () => {
  it('lists sent alerts newest first, across days, within the range and limit', async () => {
    const tableAt = (at: number) => storeAt(at).store;
    const name = unique('hist');
    const times = [T0 - 30 * MIN, T0, T0 + 20 * MIN, T0 + 40 * MIN]; // the last two are past midnight UTC
    const sent = times.map((at, i) => alertFor(`${name}-${i}`, {}, at));
    for (const [i, alert] of sent.entries()) await tableAt(times[i]!).recordSent(alert, { messageId: `m-${i}` });

    const reader = tableAt(T0 + 45 * MIN);
    const all = await reader.recent(T0 - 60 * MIN);
    const mine = all.filter((s) => s.alert.resource.name.startsWith(name));
    expect(mine.map((s) => s.alert.id)).toEqual([sent[3]!.id, sent[2]!.id, sent[1]!.id, sent[0]!.id]);
    expect(mine[0]).toEqual({ alert: sent[3], sentAt: new Date(times[3]!).toISOString(), messageId: 'm-3' });

    const lastHalfHour = (await reader.recent(T0 + 15 * MIN)).filter((s) => s.alert.resource.name.startsWith(name));
    expect(lastHalfHour.map((s) => s.alert.id)).toEqual([sent[3]!.id, sent[2]!.id]);

    const bounded = (await reader.recent(T0 - 60 * MIN, { until: T0 })).filter((s) => s.alert.resource.name.startsWith(name));
    expect(bounded.map((s) => s.alert.id)).toEqual([sent[1]!.id, sent[0]!.id]);

    expect(await reader.recent(T0 - 60 * MIN, { limit: 1 })).toHaveLength(1);
  });

  it('skips history items it cannot read', async () => {
    const at = Date.UTC(2024, 0, 15, 12);
    await client.send(new PutCommand({ TableName: TABLES.state, Item: { pk: 'alerts#2024-01-15', sk: `${new Date(at).toISOString()}#bad`, alert: '{"nope":1}' } }));
    const good = alertFor(unique('hist'), {}, at);
    await storeAt(at).store.recordSent(good);
    const listed = await storeAt(at + MIN).store.recent(at - MIN);
    expect(listed.map((s) => s.alert.id)).toEqual([good.id]);
  });
});

describe('state', () => {
  it('tells a detector whether a fingerprint is firing', async () => {
    const { store, clock } = storeAt();
    const firing = alertFor(unique('st'));
    expect(await store.state(firing.fingerprint)).toBeUndefined();
    await store.shouldSend(firing, 600);
    expect(await store.state(firing.fingerprint)).toEqual({
      fingerprint: firing.fingerprint,
      status: 'firing',
      kind: 'failure-burst',
      severity: 'critical',
      title: firing.title,
      alertId: firing.id,
      sentAt: new Date(T0).toISOString(),
      suppressUntil: new Date(T0 + 600_000).toISOString(),
    });
    clock.now += MIN;
    await store.shouldSend(resolveAlert(firing, { at: clock.now }), 600);
    expect((await store.state(firing.fingerprint))?.status).toBe('resolved');
  });
});
