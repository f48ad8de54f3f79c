import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { DynamoInventory, type Inventory, type ResourceRecord } from '../../lib/store/inventory';
import { TABLES, useDynamo } from '../support/dynamo';

const db = useDynamo();
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

function record(key: string, overrides: Partial<ResourceRecord> = {}): ResourceRecord {
  const [kind, name] = key.split('/') as ['endpoint', string];
  return {
    key,
    kind,
    name,
    arn: `arn:aws:sagemaker:eu-west-1:111122223333:endpoint/${name}`,
    kinds: ['async', 'multi-model'],
    status: 'InService',
    state: 'attached',
    ignored: false,
    observedAt: 1_000,
    gaps: [{ code: 'LogSubscriptionSlotsFull', key: 'LogSubscriptionSlotsFull:/aws/sagemaker/Endpoints/x', message: 'full' }],
    updatedAt: '2024-06-01T12:00:00.000Z',
    ...overrides,
  };
}

/** The same behaviour is required of both implementations: plans must not lie about deployments. */
const implementations: Array<[string, () => Inventory]> = [
  ['DynamoInventory (dynalite)', () => new DynamoInventory(db.client(), TABLES.inventory)],
  ['MemoryInventory', () => new MemoryInventory()],
];

describe.each(implementations)('%s', (_, make) => {
  it('records attachments idempotently and reads them back with the resource', async () => {
    const inventory = make();
    const key = `endpoint/${unique('ep')}`;
    expect(await inventory.read(key)).toEqual({ attachments: [] });
    await inventory.putResource(record(key));
    const alarm = { type: 'alarm' as const, id: 'sagewatch_endpoint.x.variant.AllTraffic.memory', fingerprint: 'f1' };
    const sub = { type: 'sns-subscription' as const, id: 'arn:aws:sns:eu-west-1:111122223333:ok', fingerprint: 'f2', details: { subscriptionArn: 'arn:aws:sns:eu-west-1:111122223333:ok:abc' } };
    await inventory.putAttachment(key, alarm);
    await inventory.putAttachment(key, alarm);
    await inventory.putAttachment(key, sub);
    const snapshot = await inventory.read(key);
    expect(snapshot).toEqual({ resource: record(key), observedAt: 1_000, attachments: [alarm, sub] });
    await inventory.deleteAttachment(key, 'alarm', alarm.id);
    await inventory.deleteAttachment(key, 'alarm', alarm.id);
    expect((await inventory.read(key)).attachments).toEqual([sub]);
  });

  it('locks: one owner at a time, expired locks can be taken over, older describes are stale', async () => {
    const inventory = make();
    const key = `endpoint/${unique('ep')}`;
    expect(await inventory.lock(key, 'a', 100, 10_000, 1_000)).toBe('acquired');
    expect(await inventory.lock(key, 'b', 100, 10_000, 1_000)).toBe('busy');
    expect(await inventory.lock(key, 'a', 100, 12_000, 1_000)).toBe('acquired');
    expect(await inventory.lock(key, 'b', 100, 30_000, 20_000)).toBe('acquired');
    await inventory.unlock(key, 'a');
    expect(await inventory.lock(key, 'c', 100, 30_000, 21_000)).toBe('busy');
    await inventory.unlock(key, 'b');
    expect((await inventory.read(key)).resource).toBeUndefined();
    await inventory.putResource(record(key, { observedAt: 5_000 }));
    expect(await inventory.lock(key, 'c', 4_999, 30_000, 21_000)).toBe('stale');
    expect(await inventory.lock(key, 'c', 5_000, 30_000, 21_000)).toBe('acquired');
    // Writing the resource keeps the lock: the lock and the record share one item.
    await inventory.putResource(record(key, { observedAt: 6_000, state: 'detached', gaps: [] }), { expiresAt: 99 });
    expect(await inventory.lock(key, 'd', 7_000, 30_000, 22_000)).toBe('busy');
    expect((await inventory.read(key)).resource).toMatchObject({ state: 'detached', gaps: [], observedAt: 6_000 });
  });

  it('metric stream membership is a set: adding twice counts once; the last member out may delete it', async () => {
    const inventory = make();
    const name = unique('sagewatch_real-time');
    expect(await inventory.addStreamMember(name, 'real-time', 'endpoint/a')).toEqual({ name, kind: 'real-time', members: ['endpoint/a'] });
    await inventory.addStreamMember(name, 'real-time', 'endpoint/a');
    expect((await inventory.addStreamMember(name, 'real-time', 'endpoint/b')).members).toEqual(['endpoint/a', 'endpoint/b']);
    await inventory.markStreamCreated(name, 'fp-1');
    expect(await inventory.claimStreamDeletion(name)).toBe(false);
    expect((await inventory.removeStreamMember(name, 'endpoint/a')).members).toEqual(['endpoint/b']);
    const last = await inventory.removeStreamMember(name, 'endpoint/b');
    expect(last.members).toEqual([]);
    expect(last.fingerprint).toBe('fp-1');
    expect((await inventory.listStreams()).find((s) => s.name === name)).toEqual({ name, kind: 'real-time', members: [], fingerprint: 'fp-1' });
    expect(await inventory.claimStreamDeletion(name)).toBe(true);
    expect(await inventory.claimStreamDeletion(name)).toBe(false);
    expect((await inventory.listStreams()).find((s) => s.name === name)).toBeUndefined();
    expect(await inventory.removeStreamMember(name, 'endpoint/b')).toEqual({ name, kind: '', members: [] });
    await inventory.markStreamCreated(name, 'fp-2');
    expect((await inventory.listStreams()).find((s) => s.name === name)).toBeUndefined();
  });

  it("the stream's applied request is kept on an item without members; readStreams returns the items that exist, past 100 keys a call", async () => {
    const inventory = make();
    const stream = unique('sagewatch_metrics');
    const kinds = Array.from({ length: 120 }, (_, i) => `${stream}.kind-${i}`);
    for (const name of kinds.filter((_, i) => i % 40 === 0)) await inventory.addStreamMember(name, 'real-time', 'endpoint/a');
    await inventory.setStreamFingerprint(stream, 'metrics', 'fp-1');
    await inventory.setStreamFingerprint(stream, 'metrics', 'fp-2');
    const read = await inventory.readStreams([stream, ...kinds, `${stream}.missing`]);
    expect(read.map((s) => s.name)).toEqual([stream, kinds[0], kinds[40], kinds[80]].sort());
    expect(read.find((s) => s.name === stream)).toEqual({ name: stream, kind: 'metrics', members: [], fingerprint: 'fp-2' });
    // Without members, the applied record can be claimed for deletion like any emptied stream.
    expect(await inventory.claimStreamDeletion(stream)).toBe(true);
    expect(await inventory.readStreams([stream])).toEqual([]);
  });

  it("a job's outcome is claimed once; a released claim can be taken again", async () => {
    const inventory = make();
    const key = `training-job/${unique('job')}`;
    expect(await inventory.claimOutcome(key, 'Failed', '2024-06-01T09:05:00.000Z', 1_800_000_000)).toBe(true);
    expect(await inventory.claimOutcome(key, 'Failed', '2024-06-01T09:05:00.000Z')).toBe(false);
    expect((await inventory.read(key)).outcome).toBe('Failed');
    await inventory.releaseOutcome(key);
    expect(await inventory.claimOutcome(key, 'Failed', '2024-06-01T09:05:00.000Z')).toBe(true);
  });

  it('lists converged resources (not bare locks, not streams)', async () => {
    const inventory = make();
    const key = `endpoint/${unique('listed')}`;
    await inventory.putResource(record(key));
    await inventory.lock(`endpoint/${unique('only-locked')}`, 'x', 1, 2, 1);
    const all: ResourceRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await inventory.listResources(cursor);
      all.push(...page.resources);
      cursor = page.cursor;
    } while (cursor);
    expect(all.find((r) => r.key === key)).toEqual(record(key));
    expect(all.every((r) => r.key.startsWith('endpoint/') && !r.key.includes('only-locked'))).toBe(true);
  });
});

describe('DynamoInventory items', () => {
  it('lays out pk/sk as documented, with the TTL attribute on tombstones', async () => {
    const inventory = new DynamoInventory(db.client(), TABLES.inventory);
    const key = `endpoint/${unique('layout')}`;
    await inventory.putResource(record(key, { state: 'detached' }), { expiresAt: 1_900_000_000 });
    await inventory.putAttachment(key, { type: 'dashboard', id: 'sagewatch-layout', fingerprint: 'f' });
    const items = await db.client().send(new QueryCommand({ TableName: TABLES.inventory, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `resource#${key}` } }));
    expect(items.Items?.map((i) => i.sk)).toEqual(['#resource', 'attachment#dashboard#sagewatch-layout']);
    const meta = await db.client().send(new GetCommand({ TableName: TABLES.inventory, Key: { pk: `resource#${key}`, sk: '#resource' } }));
    expect(meta.Item).toMatchObject({ expiresAt: 1_900_000_000, state: 'detached', kind: 'endpoint' });
    // Attached again: the tombstone's expiry goes.
    await inventory.putResource(record(key));
    const again = await db.client().send(new GetCommand({ TableName: TABLES.inventory, Key: { pk: `resource#${key}`, sk: '#resource' } }));
    expect(again.Item?.expiresAt).toBeUndefined();
  });
});
