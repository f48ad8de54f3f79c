import { describe, expect, it } from 'vitest';
import { indexEntry, itemBytes, queryReadCost, readUnits, valueSize, writeCost, writeUnits, type Item, type TableSchema } from '../../bench/capacity';
import { costPerMillionRequests, vcpuShare } from '../../bench/cost';
import { clientCpuPerWrite, goalChecks, toJson, type BenchFigures } from '../../bench/report';
import { PRICES } from '../../lib/pricing';

// The bench's accounting and output shape only: no timings are asserted.

const requests: TableSchema = {
  name: 'requests',
  keys: ['inferenceId', 'endpointName'],
  indexes: [
    { name: 'byEndpoint', keys: ['endpointName', 'requestTime'], projection: 'ALL' },
    { name: 'byOpen', keys: ['openShard', 'openSince'], projection: 'KEYS_ONLY' },
  ],
};

/** An item of exactly `bytes` bytes: keys plus a padding string. */
function itemOf(bytes: number, extra: Item = {}): Item {
  const base: Item = { inferenceId: { S: 'id-1' }, endpointName: { S: 'ep' }, ...extra };
  const pad = bytes - itemBytes(base) - 'pad'.length;
  return { ...base, pad: { S: 'x'.repeat(pad) } };
}

describe('DynamoDB item sizes', () => {
  it('sizes attribute names and values by DynamoDB rules', () => {
    expect(itemBytes({ ab: { S: 'héllo' } })).toBe(2 + 6);
    // Numbers: 1 byte per two significant digits, plus 1; leading and trailing zeros do not count.
    expect(valueSize({ N: '12345' })).toBe(4);
    expect(valueSize({ N: '0.00120' })).toBe(2);
    expect(valueSize({ N: '-1000' })).toBe(2);
    expect(valueSize({ BOOL: true })).toBe(1);
    expect(valueSize({ NULL: true })).toBe(1);
    expect(valueSize({ SS: ['ab', 'c'] })).toBe(3);
    expect(valueSize({ B: Buffer.from('abcd').toString('base64') })).toBe(4);
    // Lists and maps: 3 bytes, plus 1 per element (and the element's name, for a map).
    expect(valueSize({ L: [{ S: 'ab' }, { N: '1' }] })).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueSize({ M: { k: { S: 'ab' } } })).toBe(3 + 1 + 1 + 2);
    expect(itemBytes(itemOf(1500))).toBe(1500);
  });

  it('rounds writes up per KB and reads per 4 KB, halving eventually consistent reads', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4096, false)).toBe(0.5);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(9000, true)).toBe(3);
    // A Query page is sized as a whole: three 2 KB items are 6 KB, two units strongly consistent.
    expect(queryReadCost([itemOf(2048), itemOf(2048), itemOf(2048)], true)).toBe(2);
  });
});

describe('write units of one write', () => {
  it('bills the larger of the item before and after, and every index entry it puts', () => {
    const after = itemOf(1500, { requestTime: { S: '2024-05-01T12:00:00.000Z' }, openShard: { S: 'open#1' }, openSince: { S: '2024-05-01T12:00:00.000Z' } });
    const cost = writeCost(requests, undefined, after);
    expect(cost.table).toBe(2);
    expect(cost.indexes.byEndpoint).toEqual({ units: 2, writes: 1 });
    // KEYS_ONLY: the table's and the index's keys, well under 1 KB.
    expect(itemBytes(indexEntry(after, requests, requests.indexes[1]!)!)).toBeLessThan(200);
    expect(cost.indexes.byOpen).toEqual({ units: 1, writes: 1 });
  });

  it('counts a delete and a put when an index key moves', () => {
    const before = itemOf(900, { requestTime: { S: '2024-05-01T12:00:00.000Z' } });
    const after = { ...before, requestTime: { S: '2024-05-01T12:00:05.000Z' } };
    expect(writeCost(requests, before, after).indexes.byEndpoint).toEqual({ units: 2, writes: 2 });
  });

  it('bills one index write when only projected attributes change, none when the entry is unchanged', () => {
    const before = itemOf(900, { requestTime: { S: 't1' }, openShard: { S: 'open#1' }, openSince: { S: 't1' } });
    const after = { ...before, status: { S: 'Completed' } };
    const cost = writeCost(requests, before, after);
    expect(cost.table).toBe(1);
    expect(cost.indexes.byEndpoint).toEqual({ units: 1, writes: 1 });
    // byOpen projects keys only: a status change does not touch it.
    expect(cost.indexes.byOpen).toEqual({ units: 0, writes: 0 });
  });

  it('bills the delete of an entry whose index key is removed (a sparse index left)', () => {
    const before = itemOf(900, { openShard: { S: 'open#1' }, openSince: { S: 't1' } });
    const after: Item = { ...before };
    delete after.openShard;
    delete after.openSince;
    expect(writeCost(requests, before, after).indexes.byOpen).toEqual({ units: 1, writes: 1 });
  });

  it('bills a failed condition by the item it was checked against, and no index', () => {
    const before = itemOf(2500, { requestTime: { S: 't1' } });
    const cost = writeCost(requests, before, before, true);
    expect(cost.table).toBe(3);
    expect(cost.indexes.byEndpoint).toEqual({ units: 0, writes: 0 });
    expect(writeCost(requests, undefined, undefined, true).table).toBe(1);
  });
});

const figures: BenchFigures = {
  writeUnitsPerRequest: 2.5,
  readUnitsPerRequest: 0.75,
  ratio: 4.567,
  logsCpuMsPerRequest: 0.81234,
  logsCpuMsPerWrite: 0.7,
  logsClientCpuMsPerWrite: 0.25,
  logsHandlerCpuMsPerRequest: 0.4567,
  replayMisses: 0,
  peakRssMb: 400.04,
  deployedMemoryMb: 1024,
  cpuMsPerNotification: 1.2,
  coldStarts: { processLogs: { firstCallMs: 120.04, firstCallWallMs: 300, warmCallMs: 10 } },
  bundles: { processLogs: { bytes: 316_000, file: '/tmp/x.mjs', importMs: 33.333, importWallMs: 40 } },
  costPerMillionRequestsUsd: 3.14157,
};

describe('npm run bench -- --json', () => {
  it('has the keys of issue 15 and the client and handler figures beside them, every value a number', () => {
    const json = toJson(figures) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(json).sort()).toEqual(['bundles', 'coldStart', 'costPerMillionRequestsUsd', 'processLogs', 'processNotifications', 'store']);
    expect(Object.keys(json.store!).sort()).toEqual(['readUnitsPerRequest', 'writeUnitsPerRequest']);
    expect(Object.keys(json.processLogs!).sort()).toEqual(['clientCpuMsPerWrite', 'cpuMsPerRequest', 'deployedMemoryMb', 'handlerCpuMsPerRequest', 'peakRssMb', 'ratio']);
    expect(Object.keys(json.processNotifications!)).toEqual(['cpuMsPerNotification']);
    expect(json.coldStart).toEqual({ processLogs: { firstCallMs: 120 } });
    expect(json.bundles).toEqual({ processLogs: { bytes: 316_000, importMs: 33.3 } });
    expect(json.costPerMillionRequestsUsd).toBe(3.14);
    expect(json.processLogs).toEqual({ ratio: 4.57, cpuMsPerRequest: 0.812, peakRssMb: 400, deployedMemoryMb: 1024, clientCpuMsPerWrite: 0.25, handlerCpuMsPerRequest: 0.457 });
  });

  it('checks each goal', () => {
    const goals = goalChecks(figures);
    expect(goals.writeUnits.ok).toBe(true);
    expect(goals.readUnits.ok).toBe(false);
    expect(goals.cpuPerWrite.ok).toBe(true);
    expect(goals.cpuPerNotification.ok).toBe(true);
    expect(goals.memory.ok).toBe(true);
    expect(goalChecks({ ...figures, peakRssMb: 513 }).memory.ok).toBe(false);
    expect(goalChecks({ ...figures, peakRssMb: Number.NaN }).memory.ok).toBe(false);
  });

  it('judges the client CPU per write, not the whole handler, and not at all when the replay strayed', () => {
    // The whole handler is at 0.7 ms a write, the client at 0.25: the goal is the client's.
    expect(goalChecks(figures).cpuPerWrite.ok).toBe(true);
    expect(goalChecks({ ...figures, logsClientCpuMsPerWrite: 0.31 }).cpuPerWrite.ok).toBe(false);
    const strayed = goalChecks({ ...figures, replayMisses: 2 }).cpuPerWrite;
    expect(strayed.ok).toBe(false);
    expect(strayed.text).toContain('missed 2');
    expect(goalChecks({ ...figures, logsClientCpuMsPerWrite: Number.NaN }).cpuPerWrite.ok).toBe(false);
  });

  it('takes the client CPU as the real run minus the replay, over the writes', () => {
    expect(clientCpuPerWrite(70, 40, 120)).toBe(0.25);
    expect(clientCpuPerWrite(70, 40, 0)).toBeNaN();
  });
});

describe('cost per million requests', () => {
  it('prices request units, Lambda time at its vCPU share, and the queue, from the price table', () => {
    const { totalUsd, lines } = costPerMillionRequests({
      writeUnitsPerRequest: 2,
      readUnitsPerRequest: 1,
      lambdas: [{ key: 'processLogs', memoryMb: 1769, cpuMsPerRequest: 1, invocationsPerRequest: 0 }],
      sqsRequestsPerRequest: 1.2,
      kinesisBilledKbPerRequest: 0,
      kinesisBytesPerRequest: 0,
      logBytesPerRequest: 0,
      snsPublishesPerRequest: 0,
    });
    const line = (item: string) => lines.find((l) => l.item === item)!.usd;
    expect(line('DynamoDB writes')).toBeCloseTo(2 * PRICES.dynamodb.writeRequestUnits.usd, 10);
    expect(line('DynamoDB reads')).toBeCloseTo(PRICES.dynamodb.readRequestUnits.usd, 10);
    // 1 ms of CPU on a full vCPU at 1769 MB: 1e6 × 0.001 s × 1769/1024 GB.
    expect(line('Lambda processLogs')).toBeCloseTo(1000 * (1769 / 1024) * PRICES.lambda.arm64Duration.usd, 10);
    expect(line('SQS')).toBeCloseTo(1.2 * PRICES.sqs.standardRequests.usd, 10);
    expect(totalUsd).toBeCloseTo(
      lines.reduce((s, l) => s + l.usd, 0),
      10,
    );
    expect(vcpuShare(512)).toBeCloseTo(512 / 1769, 10);
    expect(vcpuShare(4096)).toBe(1);
  });
});
