import { API_QUOTAS, type BudgetedOperation } from './quotas';

/**
 * The account-wide API budget: one token bucket per AWS operation, shared by every execution
 * and every Lambda process of the account, refilled at the operation's published rate
 * (lib/aws/quotas.ts) and holding one second of it. A call takes a token first; when the
 * bucket is empty it waits as long as the refill needs, so a burst of events (a deploy touching
 * 200 endpoints, 200 concurrent executions) slows down to the quota instead of leaning on
 * throttling retries. The buckets of the writing APIs live in the state table
 * (lib/store/api-budget.ts executes the conditional writes), so a token costs a write only where
 * the call it guards is one. Reads are paced in each process at their quota instead: an
 * unchanged account must cost reads only, and reconcile's Distributed Map bounds how many
 * processes read at once.
 */
export interface TokenBuckets {
  /** Takes one token if there is one; otherwise answers how many ms until there will be. */
  take(operation: string, bucket: { capacity: number; perSecond: number }, nowMs: number): Promise<{ granted: true } | { granted: false; waitMs: number }>;
}

export interface ApiBudgetOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  quotas?: Partial<Record<BudgetedOperation, { perSecond: number }>>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ApiBudget {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly nextRead = new Map<string, number>();

  constructor(
    private readonly buckets: TokenBuckets,
    private readonly options: ApiBudgetOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Waits until the account may make one more `operation` call. Unbudgeted operations pass at once. */
  async acquire(operation: string): Promise<void> {
    if (!Object.hasOwn(API_QUOTAS, operation)) return;
    const perSecond = this.options.quotas?.[operation as BudgetedOperation]?.perSecond ?? API_QUOTAS[operation as BudgetedOperation].perSecond;
    const bucket = { capacity: Math.max(1, perSecond), perSecond };
    if (!API_QUOTAS[operation as BudgetedOperation].write) {
      const now = this.now();
      const at = Math.max(now, this.nextRead.get(operation) ?? 0);
      this.nextRead.set(operation, at + 1000 / perSecond);
      if (at > now) await this.sleep(at - now);
      return;
    }
    for (;;) {
      const answer = await this.buckets.take(operation, bucket, this.now());
      if (answer.granted) return;
      await this.sleep(answer.waitMs);
    }
  }
}

/** The bucket arithmetic, shared by every store: tokens refilled since `at`, at most the capacity. */
export function refill(tokens: number, atMs: number, nowMs: number, bucket: { capacity: number; perSecond: number }): number {
  return Math.min(bucket.capacity, tokens + (Math.max(0, nowMs - atMs) / 1000) * bucket.perSecond);
}

export function waitForToken(tokens: number, bucket: { perSecond: number }): number {
  return Math.ceil(((1 - tokens) / bucket.perSecond) * 1000);
}
