import type { Price } from './price';

const source = 'https://aws.amazon.com/lambda/pricing/';
const checked = '2026-12-02';

/** AWS Lambda on-demand: what sagewatch deploys (arm64) and x86 for comparison. */
export const lambda = {
  arm64Duration: {
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-second',
    region: 'us-east-1',
    source,
    checked,
    note: 'first 7.5 billion GB-seconds a month; billed per 1 ms; since 2025-08-01 the init phase of a cold start is billed too',
  },
  x86Duration: {
    usd: 0.0000166667,
    per: 1,
    unit: 'GB-second',
    region: 'us-east-1',
    source,
    checked,
    note: 'first 6 billion GB-seconds a month',
  },
  requests: {
    usd: 0.2,
    per: 1_000_000,
    unit: 'invocation',
    region: 'us-east-1',
    source,
    checked,
  },
} satisfies Record<string, Price>;
