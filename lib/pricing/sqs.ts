import type { Price } from './price';

/** Amazon SQS standard queues. */
export const sqs = {
  standardRequests: {
    usd: 0.4,
    per: 1_000_000,
    unit: 'request',
    region: 'us-east-1',
    source: 'https://aws.amazon.com/sqs/pricing/',
    checked: '2026-12-02',
    note: 'each 64 KB chunk of a payload is one request; a batch of up to 10 messages is one request; first million a month free',
  },
} satisfies Record<string, Price>;
