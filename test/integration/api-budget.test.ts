import { describe, expect, it } from 'vitest';
import { ApiBudget } from '../../lib/aws/api-budget';
import { API_QUOTAS } from '../../lib/aws/quotas';
import { DynamoTokenBuckets } from '../../lib/store/api-budget';
import { TABLES, useDynamo } from '../support/dynamo';

const db = useDynamo();

describe('account-wide API budget (token buckets in the state table, dynalite)', () => {
  it('grants exactly the bucket under 50 concurrent takers, then the refill rate, never more', async () => {
    const buckets = new DynamoTokenBuckets(db.client(), TABLES.state);
    const bucket = { capacity: 3, perSecond: 3 };
    const t0 = Date.UTC(2024, 5, 1);
    const first = await Promise.all(Array.from({ length: 50 }, () => buckets.take('PutMetricAlarm', bucket, t0)));
    expect(first.filter((a) => a.granted)).toHaveLength(3);
    for (const answer of first.filter((a) => !a.granted)) expect((answer as { waitMs: number }).waitMs).toBeGreaterThan(0);

    // One second later (the clock is the caller's): three more tokens, whoever races for them.
    const second = await Promise.all(Array.from({ length: 50 }, () => buckets.take('PutMetricAlarm', bucket, t0 + 1000)));
    expect(second.filter((a) => a.granted)).toHaveLength(3);
    // Another API has a bucket of its own.
    expect(await buckets.take('PutDashboard', { capacity: 10, perSecond: 10 }, t0)).toEqual({ granted: true });
  });

  it('paces concurrent executions to the published rate: 30 PutMetricAlarm calls from 6 "executions" take 9 s of simulated time at 3/s', async () => {
    const buckets = new DynamoTokenBuckets(db.client(), TABLES.state);
    let now = Date.UTC(2024, 6, 1);
    const granted: number[] = [];
    // A simulated clock: waiting advances it (the budget sleeps, the store answers in that time).
    const budget = new ApiBudget(buckets, { now: () => now, sleep: async (ms) => void (now += ms) });
    const operation = 'DeleteAlarms';
    expect(API_QUOTAS[operation].perSecond).toBe(3);
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = 0; i < 5; i++) {
          await budget.acquire(operation);
          granted.push(now);
        }
      }),
    );
    expect(granted).toHaveLength(30);
    const start = Date.UTC(2024, 6, 1);
    // Never more than capacity (3) in the first instant plus 3 per second after it.
    for (const t of granted) {
      const within = granted.filter((g) => g <= t).length;
      expect(within).toBeLessThanOrEqual(3 + Math.floor(((t - start) / 1000) * 3) + 1);
    }
    expect(Math.max(...granted) - start).toBeGreaterThanOrEqual(8_000);
  });
});
