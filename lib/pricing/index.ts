/**
 * The price table: every AWS price sagewatch computes a cost from, one file per service, each
 * entry with its source page and the day it was read (see price.ts). Add prices here, never as
 * constants beside the code that uses them.
 */
import { cloudwatch } from './cloudwatch';
import { dynamodb } from './dynamodb';
import { kinesis } from './kinesis';
import { lambda } from './lambda';
import type { Price } from './price';
import { sns } from './sns';
import { sqs } from './sqs';

export { costUsd, type Price } from './price';
export { CLOUDWATCH_BILLING } from './cloudwatch';

export const PRICES = { cloudwatch, dynamodb, kinesis, lambda, sns, sqs } satisfies Record<string, Record<string, Price>>;
