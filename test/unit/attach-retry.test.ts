import { describe, expect, it } from 'vitest';
import { isThrottlingError, isTransientAwsError, Pacer, withRetry } from '../../lib/attach/retry';

describe('withRetry', () => {
  it('backs off exponentially with full jitter, capped, and gives up after the attempts', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    const error = await withRetry(
      async () => {
        calls++;
        throw throttled;
      },
      { attempts: 5, baseDelayMs: 100, maxDelayMs: 500, random: () => 0.99, sleep: async (ms) => void sleeps.push(ms) },
    ).catch((e: unknown) => e);
    expect(error).toBe(throttled);
    expect(calls).toBe(5);
    expect(sleeps).toEqual([99, 198, 396, 495]);
  });

  it('jitter spreads the waits between 0 and the ceiling', async () => {
    const sleeps: number[] = [];
    const randoms = [0, 0.5];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('x'), { name: 'ServiceUnavailable' });
        return 'ok';
      },
      { attempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000, random: () => randoms.shift() ?? 1, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([0, 1000]);
  });

  it('does not retry what retrying cannot fix', async () => {
    let calls = 0;
    const denied = Object.assign(new Error('no'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw denied;
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });
});

describe('isTransientAwsError', () => {
  it.each([
    [{ name: 'Throttling' }, true],
    [{ name: 'ThrottlingException' }, true],
    [{ name: 'TooManyRequestsException' }, true],
    [{ name: 'OperationAbortedException' }, true],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 503 } }, true],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, true],
    [{ name: 'Error', code: 'ECONNRESET' }, true],
    [{ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } }, false],
    [{ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }, false],
    [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, false],
    [new TypeError('bug'), false],
    ['text', false],
  ])('%o → %s', (error, expected) => {
    expect(isTransientAwsError(error)).toBe(expected);
  });

  it('tells throttling apart', () => {
    expect(isThrottlingError({ name: 'Throttling' })).toBe(true);
    expect(isThrottlingError({ name: 'ServiceUnavailable' })).toBe(false);
  });
});

describe('Pacer', () => {
  it('spaces calls 1000/perSecond ms apart', async () => {
    let now = 10_000;
    const sleeps: number[] = [];
    const pacer = new Pacer(
      4,
      () => now,
      async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    );
    for (let i = 0; i < 4; i++) await pacer.wait();
    expect(sleeps).toEqual([250, 250, 250]);
    now += 5_000;
    await pacer.wait();
    expect(sleeps).toHaveLength(3);
  });
});

describe('the AWS gateway under the account-wide API budget', () => {
  it('takes a token for every attempt of every call, by its AWS operation name, before sending', async () => {
    const { createAwsGateway } = await import('../../lib/attach/aws-gateway');
    const { ApiBudget } = await import('../../lib/aws/api-budget');
    const taken: string[] = [];
    const budget = new ApiBudget({
      take: async (operation) => {
        taken.push(operation);
        return { granted: true as const };
      },
    });
    const sent: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return {};
      },
    };
    const gateway = createAwsGateway({ cloudwatch: client, logs: client, sns: client } as never, { budget, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    await gateway.putMetricAlarm({ AlarmName: 'a' } as never);
    await gateway.deleteAlarms({ AlarmNames: ['a'] });
    await gateway.putSubscriptionFilter({ logGroupName: 'g', filterName: 'f', filterPattern: '', destinationArn: 'arn:aws:kinesis:us-east-1:1:stream/s' });
    expect(taken).toEqual(['PutMetricAlarm', 'DeleteAlarms', 'PutSubscriptionFilter']);
    expect(sent).toEqual(['PutMetricAlarmCommand', 'DeleteAlarmsCommand', 'PutSubscriptionFilterCommand']);
  });
});
