/**
 * Dollars per million async requests, from what the bench measured and the price table
 * (lib/pricing). Lambda is billed for wall time, which on the deployed memory sizes is mostly
 * CPU: Lambda gives a function memory/1769 of a vCPU, so a request that needs c ms of CPU
 * keeps the function busy c·1769/memory ms at least (time spent waiting on DynamoDB comes on
 * top where it does not overlap other requests' work; the bench cannot know AWS's latency).
 */
import { PRICES, costUsd } from '../lib/pricing';

export interface LambdaUse {
  key: string;
  memoryMb: number;
  cpuMsPerRequest: number;
  /** Invocations per async request (billed per invocation); 0 for a fixed schedule. */
  invocationsPerRequest: number;
}

export interface CostInputs {
  writeUnitsPerRequest: number;
  readUnitsPerRequest: number;
  lambdas: LambdaUse[];
  sqsRequestsPerRequest: number;
  /** Kinesis: each record rounded up to 1 KB in, its bytes out. */
  kinesisBilledKbPerRequest: number;
  kinesisBytesPerRequest: number;
  /** What the functions write to CloudWatch Logs (logs and EMF documents). */
  logBytesPerRequest: number;
  snsPublishesPerRequest: number;
}

export interface CostLine {
  item: string;
  usd: number;
  detail: string;
}

const MILLION = 1_000_000;
/** AWS bills data in GB of 2^30 bytes. */
const GB = 2 ** 30;
const KB_PER_GB = 2 ** 20;
/** Lambda allocates one full vCPU at 1,769 MB, proportionally less below. */
const MB_PER_VCPU = 1769;

export function vcpuShare(memoryMb: number): number {
  return Math.min(1, memoryMb / MB_PER_VCPU);
}

export function costPerMillionRequests(inputs: CostInputs): { totalUsd: number; lines: CostLine[] } {
  const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
  const lines: CostLine[] = [
    {
      item: 'DynamoDB writes',
      usd: costUsd(PRICES.dynamodb.writeRequestUnits, inputs.writeUnitsPerRequest * MILLION),
      detail: `${round(inputs.writeUnitsPerRequest)} write request units per request`,
    },
    {
      item: 'DynamoDB reads',
      usd: costUsd(PRICES.dynamodb.readRequestUnits, inputs.readUnitsPerRequest * MILLION),
      detail: `${round(inputs.readUnitsPerRequest)} read request units per request`,
    },
  ];
  for (const use of inputs.lambdas) {
    const busyMs = use.cpuMsPerRequest / vcpuShare(use.memoryMb);
    const gbSeconds = (use.memoryMb / 1024) * (busyMs / 1000);
    lines.push({
      item: `Lambda ${use.key}`,
      usd: costUsd(PRICES.lambda.arm64Duration, gbSeconds * MILLION) + costUsd(PRICES.lambda.requests, use.invocationsPerRequest * MILLION),
      detail: `${round(use.cpuMsPerRequest, 3)} ms CPU per request at ${use.memoryMb} MB (${round(vcpuShare(use.memoryMb))} vCPU), ${round(use.invocationsPerRequest, 4)} invocations`,
    });
  }
  lines.push(
    {
      item: 'SQS',
      usd: costUsd(PRICES.sqs.standardRequests, inputs.sqsRequestsPerRequest * MILLION),
      detail: `${round(inputs.sqsRequestsPerRequest)} requests (SNS delivery, Lambda's receive and delete in batches of 10)`,
    },
    {
      item: 'Kinesis',
      usd: costUsd(PRICES.kinesis.onDemandDataIn, (inputs.kinesisBilledKbPerRequest * MILLION) / KB_PER_GB) + costUsd(PRICES.kinesis.onDemandDataOut, (inputs.kinesisBytesPerRequest * MILLION) / GB),
      detail: `${round(inputs.kinesisBilledKbPerRequest, 3)} KB billed in, ${Math.round(inputs.kinesisBytesPerRequest)} bytes out per request`,
    },
    {
      item: 'CloudWatch Logs',
      usd: costUsd(PRICES.cloudwatch.logsIngestion, (inputs.logBytesPerRequest * MILLION) / GB),
      detail: `${Math.round(inputs.logBytesPerRequest)} bytes of the functions' logs and EMF per request`,
    },
    {
      item: 'SNS alerts',
      usd: costUsd(PRICES.sns.publishes, inputs.snsPublishesPerRequest * MILLION),
      detail: `${round(inputs.snsPublishesPerRequest * 1000, 3)} alerts per 1,000 requests`,
    },
  );
  return { totalUsd: lines.reduce((sum, line) => sum + line.usd, 0), lines };
}

/** DynamoDB storage of `bytesPerRequest` (items and index entries with their overhead) for a month. */
export function storagePerMillionRequestsMonthUsd(bytesPerRequest: number): number {
  return costUsd(PRICES.dynamodb.storage, (bytesPerRequest * MILLION) / GB);
}
