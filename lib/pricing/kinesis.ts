import type { Price } from './price';

const source = 'https://aws.amazon.com/kinesis/data-streams/pricing/';
const checked = '2026-12-02';

/** Amazon Kinesis Data Streams, on-demand capacity mode (what the stack deploys). */
export const kinesis = {
  onDemandStreamHours: {
    usd: 0.04,
    per: 1,
    unit: 'stream-hour',
    region: 'us-east-1',
    source,
    checked,
  },
  onDemandDataIn: {
    usd: 0.08,
    per: 1,
    unit: 'GB ingested',
    region: 'us-east-1',
    source,
    checked,
    note: 'each record is rounded up to the next 1 KB',
  },
  onDemandDataOut: {
    usd: 0.04,
    per: 1,
    unit: 'GB retrieved',
    region: 'us-east-1',
    source,
    checked,
  },
} satisfies Record<string, Price>;
