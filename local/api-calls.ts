import { API_QUOTAS, DYNAMODB_WRITES, isBudgeted } from '../lib/aws/quotas';

/** Calls by AWS operation name (`DescribeEndpoint`, `PutMetricAlarm`, `UpdateItem` ...). */
export type ApiCalls = Record<string, number>;

interface Watchable {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}

/**
 * Counts the AWS calls of a local run: SDK clients are watched with a middleware (every
 * command, answered or not), the plan gateway's recorded calls are merged in by name.
 */
export class ApiCallCounter {
  private readonly sdk: ApiCalls = {};

  watch<T extends Watchable>(client: T): T {
    const counts = this.sdk;
    client.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts[operation] = (counts[operation] ?? 0) + 1;
        return next(args);
      }) as never,
      { step: 'initialize', name: 'sagewatchCountCalls' },
    );
    return client;
  }

  /** A snapshot: the SDK counts plus the given gateway operations. */
  merge(gatewayOperations: string[]): ApiCalls {
    const calls: ApiCalls = { ...this.sdk };
    for (const operation of gatewayOperations) calls[operation] = (calls[operation] ?? 0) + 1;
    return sorted(calls);
  }

  since(now: ApiCalls, before: ApiCalls): ApiCalls {
    const delta: ApiCalls = {};
    for (const [operation, n] of Object.entries(now)) if (n - (before[operation] ?? 0) > 0) delta[operation] = n - (before[operation] ?? 0);
    return delta;
  }

  total(calls: ApiCalls): number {
    return Object.values(calls).reduce((sum, n) => sum + n, 0);
  }

  /** Calls that change something: AWS writes of lib/aws/quotas.ts and DynamoDB writes. */
  writes(calls: ApiCalls): number {
    return Object.entries(calls)
      .filter(([operation]) => (isBudgeted(operation) && API_QUOTAS[operation].write) || DYNAMODB_WRITES.has(operation))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  /**
   * Minutes the calls take at the account-wide budget: every budgeted API drains its own
   * bucket at its own rate, in parallel, so the slowest API sets the time.
   */
  simulatedMinutes(calls: ApiCalls): number {
    let seconds = 0;
    for (const [operation, n] of Object.entries(calls)) if (isBudgeted(operation)) seconds = Math.max(seconds, n / API_QUOTAS[operation].perSecond);
    return Math.round((seconds / 60) * 10) / 10;
  }
}

function sorted(calls: ApiCalls): ApiCalls {
  return Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b)));
}
