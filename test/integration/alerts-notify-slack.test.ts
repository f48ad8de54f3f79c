import { readFileSync } from 'node:fs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/notify-slack';
import { InvalidEventError } from '../../lib/aws/errors';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';

/** The Slack notifier end to end: SNS events in, a real (loopback) webhook out. */
let slack: FakeSlack;
const ssm = mockClient(SSMClient);
const instantSleep = async () => {};

beforeEach(async () => {
  slack = await startFakeSlack();
  ssm.reset();
});

afterEach(async () => {
  await slack.close();
});

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../events/alerts/${name}.json`, import.meta.url), 'utf8'));
}

function handlerFor(env: Record<string, string>, extra: Parameters<typeof createHandler>[0] = {}) {
  return createHandler({ env, metrics: false, delivery: { sleep: instantSleep, random: () => 0.5, timeoutMs: 250 }, ...extra });
}

function headerOf(body: unknown): string {
  return (body as { blocks: Array<{ text: { text: string } }> }).blocks[0]!.text.text;
}

describe('notify-slack handler', () => {
  it('delivers a sagewatch alert from the alerts topic as Block Kit', async () => {
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url });
    await expect(handler(fixture('sns-sagewatch-alert'))).resolves.toEqual({
      delivered: 1,
      printed: 0,
      messages: [{ id: 'b7d0e2a4-5c6f-5a81-9e3b-4f2d1c0a9b87', format: 'sagewatch-alert', outcome: 'delivered', attempts: 1 }],
    });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.answeredStatus).toBe(200);
    expect(headerOf(slack.received[0]!.body)).toBe(':red_circle: Failure burst on doc-summarizer: 38% of requests failed');
  });

  it('delivers every CloudWatch alarm shape within Slack’s limits', async () => {
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url });
    const events = [
      'sns-cloudwatch-alarm-single-metric',
      'sns-cloudwatch-alarm-anomaly-detection',
      'sns-cloudwatch-alarm-metric-math',
      'sns-cloudwatch-alarm-composite',
      'eventbridge-cloudwatch-alarm-state-change',
    ];
    for (const name of events) {
      const result = await handler(fixture(name));
      expect(result.messages[0]).toMatchObject({ format: 'cloudwatch-alarm', outcome: 'delivered' });
    }
    // The fake answers 400 invalid_blocks to any payload over the limits: all were accepted.
    expect(slack.received.map((r) => r.answeredStatus)).toEqual([200, 200, 200, 200, 200]);
    expect(slack.received.map((r) => headerOf(r.body))).toEqual([
      ':red_circle: ALARM: sagewatch-fraud-scorer-prod-AllTraffic-ModelLatency-p99',
      ':red_circle: ALARM: sagewatch-fraud-scorer-prod-Invocations-band',
      ':white_check_mark: OK: sagewatch-fraud-scorer-prod-5xx-rate',
      ':red_circle: ALARM: sagewatch-fraud-scorer-prod-degraded',
      ':red_circle: ALARM: sagewatch-doc-summarizer-async-backlog',
    ]);
  });

  it('reads the webhook URL from a SecureString parameter, once per cache period', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/sagewatch/slack', Type: 'SecureString', Value: slack.url } });
    const handler = handlerFor({ SLACK_WEBHOOK_SECRET: 'ssm:/sagewatch/slack', AWS_LAMBDA_FUNCTION_NAME: 'sagewatch-notify-slack' });
    await handler(fixture('sns-sagewatch-alert'));
    await handler(fixture('sns-cloudwatch-alarm-single-metric'));
    expect(slack.received).toHaveLength(2);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/sagewatch/slack', WithDecryption: true });
  });

  it('retries through 429 and 500 within one invoke', async () => {
    slack.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 500, body: 'rollup_error' });
    const result = await handlerFor({ SLACK_WEBHOOK_URL: slack.url })(fixture('sns-sagewatch-alert'));
    expect(result.messages[0]).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(slack.received.map((r) => r.answeredStatus)).toEqual([429, 500, 200]);
  });

  it('throws when delivery finally fails, so Lambda retries and then dead-letters the message', async () => {
    slack.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url });
    await expect(handler(fixture('sns-sagewatch-alert'))).rejects.toThrow(
      'Slack delivery failed for 1 of 1 message(s): b7d0e2a4-5c6f-5a81-9e3b-4f2d1c0a9b87: Slack webhook delivery failed after 4 attempts: HTTP 503',
    );
  });

  it('never puts the webhook URL in the error', async () => {
    slack.script({ status: 400, body: 'invalid_payload' });
    const error: unknown = await handlerFor({ SLACK_WEBHOOK_URL: slack.url })(fixture('sns-sagewatch-alert')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain('HTTP 400 invalid_payload (not retried)');
    expect((error as Error).message).not.toContain('fakeSecretToken');
  });

  it('re-reads the secret after Slack says the webhook is gone (it may have been rotated)', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: slack.url } });
    slack.script({ status: 404, body: 'no_service' });
    const handler = handlerFor({ SLACK_WEBHOOK_SECRET: 'ssm:/sagewatch/slack' });
    await expect(handler(fixture('sns-sagewatch-alert'))).rejects.toThrow('HTTP 404 no_service');
    await expect(handler(fixture('sns-sagewatch-alert'))).resolves.toMatchObject({ delivered: 1 });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('prints the payload for a local invoke without a webhook', async () => {
    const printed: string[] = [];
    const handler = handlerFor({}, { print: (text) => printed.push(text) });
    const alert = fixture('alert-failure-burst');
    await expect(handler(alert)).resolves.toEqual({
      delivered: 0,
      printed: 1,
      messages: [{ id: 'message', format: 'sagewatch-alert', outcome: 'printed' }],
    });
    expect(headerOf(JSON.parse(printed[0]!))).toBe(':red_circle: Failure burst on doc-summarizer: 38% of requests failed');
    expect(slack.received).toHaveLength(0);
  });

  it('refuses to print in Lambda, where nobody would read it', async () => {
    const handler = handlerFor({ AWS_LAMBDA_FUNCTION_NAME: 'sagewatch-notify-slack' });
    await expect(handler(fixture('sns-sagewatch-alert'))).rejects.toThrow(/no Slack webhook configured: set SLACK_WEBHOOK_SECRET/);
  });

  it('accepts a single SNS envelope and a plain string', async () => {
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url });
    const record = (fixture('sns-cloudwatch-alarm-metric-math') as { Records: Array<{ Sns: Record<string, unknown> }> }).Records[0]!.Sns;
    await expect(handler({ ...record, Type: 'Notification' })).resolves.toMatchObject({ messages: [{ id: '9e3d4a61-0b7c-5d28-b3f5-1a6c8e2d7f90', format: 'cloudwatch-alarm' }] });
    await expect(handler('plain words')).resolves.toMatchObject({ messages: [{ format: 'text', outcome: 'delivered' }] });
  });

  it('rejects events it cannot read', async () => {
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url });
    await expect(handler(42)).rejects.toThrow(InvalidEventError);
    await expect(handler({ Records: [{ Sns: { MessageId: 'm' } }] })).rejects.toThrow('SNS message m has no Message');
  });

  it('stops retrying in time when the Lambda is about to time out', async () => {
    slack.script(...Array.from({ length: 4 }, () => ({ status: 500 })));
    const handler = handlerFor({ SLACK_WEBHOOK_URL: slack.url }, { delivery: { timeoutMs: 250, random: () => 0.5, sleep: instantSleep, baseDelayMs: 60_000 } });
    await expect(handler(fixture('sns-sagewatch-alert'), { getRemainingTimeInMillis: () => 5000 })).rejects.toThrow(/HTTP 500; no time left to wait 5000 ms for another$/);
    expect(slack.received).toHaveLength(1);
  });
});
