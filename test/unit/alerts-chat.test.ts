import { describe, expect, it } from 'vitest';
import { ALERT_CONTEXT_KEY, threadIdFor, toChatNotification } from '../../lib/alerts/chat';
import { alertFromChatNotification, ChatNotificationSchema } from '../../lib/alerts/chat-parse';
import { createAlert, resolveAlert, type AlertInput } from '../../lib/alert-model/alert';

const input: AlertInput = {
  kind: 'job-failed',
  severity: 'critical',
  title: 'Training job train-churn-42 failed',
  description: 'The job stopped after 41 minutes.',
  resource: { type: 'training-job', name: 'train-churn-42', region: 'us-east-1', account: '123456789012' },
  detectedAt: '2024-03-05T16:20:00Z',
  evidence: {
    numbers: [{ name: 'runtime', value: 41, unit: 'min' }],
    facts: [{ name: 'FailureReason', value: 'AlgorithmError: ExecuteUserScriptError: exit code 1' }],
    links: [{ label: 'Job', url: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/train-churn-42' }],
    commands: ['aws sagemaker describe-training-job --training-job-name train-churn-42'],
  },
};

describe('toChatNotification', () => {
  it('renders the custom notification schema 1.0 with the alert in client-markdown', () => {
    const alert = createAlert(input);
    const chat = toChatNotification(alert);
    expect(chat).toEqual({
      version: '1.0',
      source: 'custom',
      id: alert.id,
      content: {
        textType: 'client-markdown',
        title: ':red_circle: [CRITICAL] Training job train-churn-42 failed',
        description: [
          'The job stopped after 41 minutes.',
          '',
          '*Resource:* training-job `train-churn-42` · us-east-1 · 123456789012',
          '*Detected:* 2024-03-05T16:20:00.000Z',
          '*Evidence:* runtime *41 min*',
          '*FailureReason:* AlgorithmError: ExecuteUserScriptError: exit code 1',
        ].join('\n'),
        nextSteps: [
          '<https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/train-churn-42|Job>',
          'Run `aws sagemaker describe-training-job --training-job-name train-churn-42`',
        ],
        keywords: ['critical', 'job-failed', 'train-churn-42'],
      },
      metadata: {
        threadId: threadIdFor(alert.resource),
        summary: 'CRITICAL: Training job train-churn-42 failed',
        eventType: 'sagewatch-job-failed',
        relatedResources: ['arn:aws:sagemaker:us-east-1:123456789012:training-job/train-churn-42'],
        additionalContext: {
          fingerprint: alert.fingerprint,
          kind: 'job-failed',
          severity: 'critical',
          status: 'firing',
          [ALERT_CONTEXT_KEY]: JSON.stringify(alert),
        },
      },
    });
    expect(ChatNotificationSchema.safeParse(JSON.parse(JSON.stringify(chat))).success).toBe(true);
  });

  it('marks a resolution and keeps it in the same thread', () => {
    const firing = createAlert(input);
    const resolved = toChatNotification(resolveAlert(firing, { at: '2024-03-05T17:00:00Z' }));
    expect(resolved.content.title).toBe(':white_check_mark: Resolved: Training job train-churn-42 failed');
    expect(resolved.content.keywords?.[0]).toBe('resolved');
    expect(resolved.metadata?.threadId).toBe(toChatNotification(firing).metadata?.threadId);
    expect(resolved.metadata?.additionalContext?.status).toBe('resolved');
  });

  it('escapes markup in alert text so a title cannot ping a channel', () => {
    const chat = toChatNotification(createAlert({ ...input, title: 'boom <!channel> & <@U123>', description: '<https://evil|click>' }));
    expect(chat.content.title).toBe(':red_circle: [CRITICAL] boom &lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(chat.content.description.startsWith('&lt;https://evil|click&gt;')).toBe(true);
  });

  it('uses the resource name when the ARN cannot be built', () => {
    const chat = toChatNotification(createAlert({ ...input, resource: { type: 'endpoint', name: 'local-ep' } }));
    expect(chat.metadata?.relatedResources).toEqual(['local-ep']);
  });
});

describe('threadIdFor', () => {
  it('threads all alerts of one resource together, variants included', () => {
    const ep = { type: 'endpoint' as const, name: 'churn-model', region: 'us-east-1', account: '123456789012' };
    const a = toChatNotification(createAlert({ ...input, kind: 'failure-burst', resource: { ...ep, variant: 'blue' } }));
    const b = toChatNotification(createAlert({ ...input, kind: 'latency-shift', resource: { ...ep, variant: 'green' } }));
    const c = toChatNotification(createAlert({ ...input, kind: 'stuck-requests', resource: ep }));
    expect(new Set([a, b, c].map((n) => n.metadata?.threadId)).size).toBe(1);
    expect(a.metadata?.threadId).toMatch(/^sagewatch-endpoint-churn-model-[0-9a-f]{12}$/);
  });

  it('gives other resources, regions and accounts their own threads', () => {
    const ep = { type: 'endpoint' as const, name: 'churn-model', region: 'us-east-1', account: '123456789012' };
    const ids = [
      threadIdFor(ep),
      threadIdFor({ ...ep, name: 'churn-model-2' }),
      threadIdFor({ ...ep, region: 'eu-west-1' }),
      threadIdFor({ ...ep, account: '210987654321' }),
      threadIdFor({ ...ep, type: 'inference-component' }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays short and plain for any name', () => {
    const id = threadIdFor({ type: 'alarm', name: `${'ä/|<>'.repeat(60)}`, region: 'us-east-1' });
    expect(id).toMatch(/^[A-Za-z0-9-]+$/);
    expect(id.length).toBeLessThanOrEqual(110);
  });
});

describe('alertFromChatNotification', () => {
  it('recovers the alert a sagewatch notification carries', () => {
    const alert = createAlert(input);
    const parsed = ChatNotificationSchema.parse(JSON.parse(JSON.stringify(toChatNotification(alert))));
    expect(alertFromChatNotification(parsed)).toEqual(alert);
  });

  it('returns undefined for other notifications and broken payloads', () => {
    const other = { version: '1.0' as const, source: 'custom' as const, content: { description: 'deploy done' } };
    expect(alertFromChatNotification(other)).toBeUndefined();
    expect(alertFromChatNotification({ ...other, metadata: { additionalContext: { [ALERT_CONTEXT_KEY]: '{not json' } } })).toBeUndefined();
    expect(alertFromChatNotification({ ...other, metadata: { additionalContext: { [ALERT_CONTEXT_KEY]: '{"kind":"x"}' } } })).toBeUndefined();
  });
});
