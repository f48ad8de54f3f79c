import type { Price } from './price';

const source = 'https://aws.amazon.com/sns/pricing/';
const checked = '2026-12-02';

/** Amazon SNS standard topics. */
export const sns = {
  publishes: {
    usd: 0.5,
    per: 1_000_000,
    unit: 'request',
    region: 'us-east-1',
    source,
    checked,
    note: 'each 64 KB chunk of a published message is one request; first million a month free',
  },
  sqsDeliveries: {
    usd: 0,
    per: 1_000_000,
    unit: 'delivery',
    region: 'us-east-1',
    source,
    checked,
    note: 'deliveries to SQS queues and Lambda functions are free (the receiving service bills its own requests)',
  },
} satisfies Record<string, Price>;
