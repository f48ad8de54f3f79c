/**
 * What an AWS call's error means, judged in one place: every store, gateway and handler asks
 * these rather than comparing names itself, so "retry", "lost the race" and "report" mean the
 * same everywhere.
 */

/** An event that is not of the shape a handler is subscribed to: a deployment or caller mistake. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') return error.name;
  return 'Error';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A conditional write whose condition did not hold: a lost race or a duplicate, never a fault. */
export function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TransactionConflictException',
  'LimitExceededException',
  // A missing table or permission is an operator's mistake: retrying keeps the data in the
  // stream until it is fixed, or until the on-failure destination takes it.
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
]);

/**
 * Whether retrying the same call later could succeed: throttling, service faults, a race, and
 * errors with no answer from the service (network); the SDK's own `$retryable` mark counts too.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || status === 429;
}
