import type { Price } from './price';

const source = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const checked = '2026-12-02';

/** DynamoDB on-demand, Standard table class (prices halved on 2024-11-01). */
export const dynamodb = {
  writeRequestUnits: {
    usd: 0.625,
    per: 1_000_000,
    unit: 'write request unit',
    region: 'us-east-1',
    source,
    checked,
    note: 'one unit per 1 KB of item written (rounded up), for the table and for each global secondary index the write touches',
  },
  readRequestUnits: {
    usd: 0.125,
    per: 1_000_000,
    unit: 'read request unit',
    region: 'us-east-1',
    source,
    checked,
    note: 'one unit per strongly consistent read of up to 4 KB, half a unit eventually consistent',
  },
  storage: {
    usd: 0.25,
    per: 1,
    unit: 'GB-month',
    region: 'us-east-1',
    source,
    checked,
    note: 'first 25 GB-month free; items and index entries, each with 100 bytes of overhead',
  },
} satisfies Record<string, Price>;
