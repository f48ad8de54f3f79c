import type { Price } from './price';

const source = 'https://aws.amazon.com/cloudwatch/pricing/';
const checked = '2026-12-02';

/** Amazon CloudWatch. */
export const cloudwatch = {
  logsIngestion: {
    usd: 0.5,
    per: 1,
    unit: 'GB ingested',
    region: 'us-east-1',
    source,
    checked,
    note: "standard log class; what sagewatch's own functions write (logs and EMF metric documents); Lambda logs are tiered above 10 TB a month",
  },
} satisfies Record<string, Price>;
