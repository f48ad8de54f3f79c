import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/notify-slack';
import { toChatNotification } from '../../lib/alerts/chat';
import { createAlert } from '../../lib/alert-model/alert';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';

/**
 * Whoever may publish to the alerts topic must not be able to page a Slack channel: every
 * path the notifier renders (sagewatch alerts, chat notifications passed through, CloudWatch
 * alarms, plain text) reaches a real loopback webhook with its mentions shown as text.
 */
let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

const MENTIONS = '<!channel> <!here> <!everyone> <!subteam^S0123ABC|@oncall> <@U024BE7LH> <@W0123|bob> @channel @here @everyone';
/** Anything Slack would turn into a notification: special or user mentions, or a bare @channel/@here/@everyone. */
const LIVE_MENTION = /<[!@]|(?:^|[^\p{L}\p{N}_\u2060])@(?:channel|here|everyone)\b/iu;

function sns(message: string, subject?: string) {
  return {
    Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', TopicArn: 'arn:aws:sns:eu-west-1:111122223333:sagewatch-dev-alerts', Message: message, ...(subject ? { Subject: subject } : {}) } }],
  };
}

async function delivered(message: string, subject?: string): Promise<string[]> {
  const handler = createHandler({ env: { SLACK_WEBHOOK_URL: slack.url }, metrics: false, delivery: { sleep: async () => {}, random: () => 0.5, timeoutMs: 1000 } });
  await expect(handler(sns(message, subject))).resolves.toMatchObject({ delivered: 1 });
  expect(slack.received).toHaveLength(1);
  expect(slack.received[0]!.answeredStatus).toBe(200);
  const texts: string[] = [];
  const walk = (value: unknown, key?: string) => {
    if (typeof value === 'string' && key === 'text') texts.push(value);
    else if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(slack.received[0]!.body);
  return texts;
}

function expectNoLiveMention(texts: string[]) {
  for (const text of texts) expect(text).not.toMatch(LIVE_MENTION);
  // Shown, not dropped: the reader still sees what was written.
  expect(texts.join('\n')).toContain('channel');
}

describe('Slack mentions from the alerts topic', () => {
  it('passes a chat notification through with its links but no mention', async () => {
    const chat = {
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: `Deploy finished @channel`,
        description: `Everyone look ${MENTIONS}\nsee <https://example.com/runbook|the runbook>`,
        nextSteps: [`ping ${MENTIONS}`],
        keywords: ['@here', '<!channel>'],
      },
      metadata: { summary: `summary ${MENTIONS}` },
    };
    const texts = await delivered(JSON.stringify(chat));
    expectNoLiveMention(texts);
    expect(texts.join('\n')).toContain('<https://example.com/runbook|the runbook>');
    expect(texts.join('\n')).toContain('&lt;!channel&gt;');
    expect(texts.join('\n')).toContain('&lt;@U024BE7LH&gt;');
  });

  it('renders a sagewatch alert whose text quotes the account without a mention', async () => {
    const alert = createAlert({
      kind: 'failure-burst',
      severity: 'critical',
      title: `Failure burst on @channel-bot ${MENTIONS}`,
      description: `Model said: ${MENTIONS}`,
      resource: { type: 'endpoint', name: 'doc-summarizer' },
      evidence: { facts: [{ name: `Top reason ${MENTIONS}`, value: `ClientError: ${MENTIONS}` }] },
      detectedAt: '2024-06-03T14:05:00.000Z',
    } as never);
    const chat = toChatNotification(alert);
    // What Amazon Q in chat applications relays from the topic, too.
    for (const text of [chat.content.title ?? '', chat.content.description, ...(chat.content.nextSteps ?? [])]) expect(text).not.toMatch(LIVE_MENTION);
    expectNoLiveMention(await delivered(JSON.stringify(chat)));
  });

  it('renders CloudWatch alarms and plain text without a mention', async () => {
    const alarm = {
      AlarmName: 'team-alarm',
      AlarmDescription: `Page ${MENTIONS}`,
      NewStateValue: 'ALARM',
      NewStateReason: `Threshold crossed ${MENTIONS}`,
      StateChangeTime: '2024-06-03T14:05:00.000+0000',
      Region: 'EU (Ireland)',
      AWSAccountId: '111122223333',
      OldStateValue: 'OK',
      Trigger: {
        MetricName: 'Invocations',
        Namespace: 'AWS/SageMaker',
        Statistic: 'SUM',
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1,
        Dimensions: [{ name: 'EndpointName', value: 'doc' }],
      },
    };
    expectNoLiveMention(await delivered(JSON.stringify(alarm)));
    await slack.close();
    slack = await startFakeSlack();
    expectNoLiveMention(await delivered(`Hello ${MENTIONS}`, `Subject @here`));
  });
});
