import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { errorMessage, errorName, isConditionFailure, isRetryableAwsError } from '../../lib/aws/errors';

const sdkError = <T>(Kind: new (opts: { message: string; $metadata: object }) => T): T => new Kind({ message: 'x', $metadata: { httpStatusCode: 400 } });

describe('lib/aws/errors', () => {
  it('tells a failed condition from every other error', () => {
    expect(isConditionFailure(sdkError(ConditionalCheckFailedException))).toBe(true);
    expect(isConditionFailure(sdkError(ProvisionedThroughputExceededException))).toBe(false);
    expect(isConditionFailure('ConditionalCheckFailedException')).toBe(false);
    expect(isConditionFailure(undefined)).toBe(false);
  });

  it('retries throttling, service faults and unanswered calls, not a caller mistake', () => {
    expect(isRetryableAwsError(sdkError(ProvisionedThroughputExceededException))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error('busy'), { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error('slow down'), { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isRetryableAwsError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableAwsError(sdkError(ConditionalCheckFailedException))).toBe(false);
    expect(isRetryableAwsError(Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });

  it('names and describes anything thrown', () => {
    expect(errorName(sdkError(ConditionalCheckFailedException))).toBe('ConditionalCheckFailedException');
    expect(errorName('oops')).toBe('Error');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(42)).toBe('42');
  });
});
