import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/notify-slack';
import { silentLog } from '../../lib/telemetry/observations';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';

/**
 * A broken webhook must not feed on itself. The health alarms of notify-slack notify the alerts
 * topic notify-slack is subscribed to: if each of their notifications also failed the invoke,
 * its Errors alarm would go ALARM → (failing notification, more errors) → OK → ALARM ... forever.
 * Here Slack answers 500 to everything, through a real loopback server.
 */
let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

const ENV = { SLACK_WEBHOOK_URL: '', NAME_PREFIX: 'sagewatch-prod', AWS_LAMBDA_FUNCTION_NAME: 'sagewatch-prod-notifySlack' };

function fixture(name: string): { Records: Array<{ Sns: { Message: string; MessageId: string } }> } {
  return JSON.parse(readFileSync(new URL(`../../events/alerts/${name}.json`, import.meta.url), 'utf8'));
}

/** The SNS event of a state change of one of the stack's alarms, as CloudWatch publishes it. */
function alarmEvent(alarmName: string, from: string, to: string) {
  const event = fixture('sns-cloudwatch-alarm-single-metric');
  const message = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
  Object.assign(message, { AlarmName: alarmName, OldStateValue: from, NewStateValue: to, AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${alarmName}` });
  event.Records[0]!.Sns.Message = JSON.stringify(message);
  event.Records[0]!.Sns.MessageId = `${alarmName}-${to}`;
  return event;
}

function failingHandler() {
  // Every attempt of every delivery fails.
  slack.script(...Array.from({ length: 100 }, () => ({ status: 500 })));
  const errors: string[] = [];
  const handler = createHandler({
    env: { ...ENV, SLACK_WEBHOOK_URL: slack.url },
    metrics: false,
    delivery: { sleep: async () => {}, random: () => 0.5, timeoutMs: 250 },
    log: { ...silentLog, error: (message: string) => void errors.push(message) },
  });
  return { handler, errors };
}

describe('health alarms cannot loop through a failing Slack subscriber', () => {
  it('an ordinary alert that cannot be delivered fails the invoke (Lambda retries it, then parks it)', async () => {
    const { handler } = failingHandler();
    await expect(handler(fixture('sns-sagewatch-alert'))).rejects.toThrow(/Slack delivery failed for 1 of 1/);
  });

  it('the alarms that failure raises (errors, throttles, parked messages), ALARM and OK, never fail an invoke: no new error, no next cycle', async () => {
    const { handler, errors } = failingHandler();
    const own = ['sagewatch-prod-health-notifySlack-errors', 'sagewatch-prod-health-notifySlack-throttles', 'sagewatch-prod-health-notify-slack-failures-depth'];
    for (const name of own) {
      for (const [from, to] of [
        ['OK', 'ALARM'],
        ['ALARM', 'OK'],
      ] as const) {
        await expect(handler(alarmEvent(name, from, to))).resolves.toMatchObject({ delivered: 0 });
      }
    }
    // Each was tried (best effort) and logged as not delivered.
    expect(slack.received.length).toBeGreaterThanOrEqual(own.length * 2);
    expect(errors.filter((e) => e.startsWith('alarm about Slack delivery not delivered'))).toHaveLength(own.length * 2);
  });

  it('other health alarms, and the same alarms of another stack, still fail the invoke when undeliverable', async () => {
    const { handler } = failingHandler();
    await expect(handler(alarmEvent('sagewatch-prod-health-processLogs-errors', 'OK', 'ALARM'))).rejects.toThrow(/Slack delivery failed/);
    await expect(handler(alarmEvent('sagewatch-dev-health-notifySlack-errors', 'OK', 'ALARM'))).rejects.toThrow(/Slack delivery failed/);
  });

  it('without a webhook in Lambda, an alarm about Slack delivery is left to the other subscribers; anything else is an error', async () => {
    const handler = createHandler({ env: ENV, metrics: false });
    await expect(handler(alarmEvent('sagewatch-prod-health-notifySlack-errors', 'OK', 'ALARM'))).resolves.toEqual({ delivered: 0, printed: 0, messages: [] });
    await expect(handler(fixture('sns-sagewatch-alert'))).rejects.toThrow(/no Slack webhook configured/);
  });
});
