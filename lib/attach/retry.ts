/**
 * Retries of control-plane calls: exponential backoff with full jitter (a random wait between
 * 0 and the capped exponential delay), so parallel executions that got throttled together do
 * not come back together. `PutMetricAlarm` allows about 3 calls a second per region, shared
 * by every execution of the account, so throttling is expected, not exceptional.
 */
export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  isRetryable?: (error: unknown) => boolean;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 300, maxDelayMs: 10_000 };

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'KMSThrottlingException',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServiceError',
  'InternalServiceFault',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // CloudWatch Logs: another call is changing the same log group's filters right now.
  'OperationAbortedException',
  'ConcurrentModificationException',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);

/**
 * Throttling, server-side and network errors. Quota errors (LimitExceededException: too many
 * alarms, or a log group's two filter slots taken) are not: retrying cannot fix them.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof e.name === 'string' && (THROTTLING.has(e.name) || TRANSIENT.has(e.name))) return true;
  if (e.$retryable) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

export function isThrottlingError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && THROTTLING.has(name);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const retryable = options.isRetryable ?? isTransientAwsError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !retryable(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}

/**
 * Spaces calls of one kind at least `1000 / perSecond` ms apart within this process: a single
 * endpoint can need a dozen alarms, and sending them as fast as possible only buys throttling.
 */
export class Pacer {
  private next = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {}

  async wait(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await this.sleep(at - now);
  }
}
