import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALERT_CONTEXT_KEY, toChatNotification } from '../../lib/alerts/chat';
import { ChatNotificationSchema } from '../../lib/alerts/chat-parse';
import { ALERT_KINDS, createAlert, RESOURCE_TYPES, SEVERITIES, type Alert } from '../../lib/alert-model/alert';
import { buildPublishInput, createSnsPublisher, MemoryPublisher, SNS_MAX_BYTES, subjectOf } from '../../lib/alerts/publish';
import { renderAlertText } from '../../lib/alerts/text';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sagewatch-test-alerts';
const sns = mockClient(SNSClient);

beforeEach(() => {
  sns.reset();
});

const alert = createAlert({
  kind: 'expired-requests',
  severity: 'warning',
  title: '12 requests to doc-summarizer expired',
  description: 'Requests waited in the queue past their TTL.',
  resource: { type: 'endpoint', name: 'doc-summarizer', variant: 'AllTraffic', region: 'us-east-1', account: '123456789012' },
  detectedAt: '2024-04-01T09:00:00Z',
  evidence: { numbers: [{ name: 'expired', value: 12 }], inferenceIds: ['req-1', 'req-2'] },
});

describe('createSnsPublisher', () => {
  it('publishes exactly one message with chat JSON by default, text for email, and filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'mid-1' });
    const publisher = createSnsPublisher({ client: new SNSClient({ region: 'us-east-1' }), topicArn: TOPIC });

    await expect(publisher.publish(alert)).resolves.toEqual({ messageId: 'mid-1' });

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const sent = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(sent).toEqual({
      TopicArn: TOPIC,
      Subject: '[WARNING] 12 requests to doc-summarizer expired',
      MessageStructure: 'json',
      Message: JSON.stringify({ default: JSON.stringify(toChatNotification(alert)), email: renderAlertText(alert) }),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'warning' },
        kind: { DataType: 'String', StringValue: 'expired-requests' },
        status: { DataType: 'String', StringValue: 'firing' },
        resourceType: { DataType: 'String', StringValue: 'endpoint' },
        resourceName: { DataType: 'String', StringValue: 'doc-summarizer' },
      },
    });
    // What chat, Lambda and queue subscribers receive is the custom notification itself.
    const body = JSON.parse(JSON.parse(sent.Message!).default);
    expect(ChatNotificationSchema.parse(body).content.title).toBe(':large_orange_circle: [WARNING] 12 requests to doc-summarizer expired');
    expect(JSON.parse(sent.Message!).email).toContain('Sample inference ids: req-1, req-2');
  });

  it('passes SNS errors to the caller', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    const publisher = createSnsPublisher({ client: new SNSClient({ region: 'us-east-1' }), topicArn: TOPIC });
    await expect(publisher.publish(alert)).rejects.toThrow('Topic does not exist');
  });
});

describe('subjectOf', () => {
  it('keeps subjects printable ASCII on one line under 100 characters', () => {
    const subject = subjectOf(createAlert({ ...alertInput(), title: `Ünïcode 🔥 title\nwith break ${'x'.repeat(200)}` }));
    expect(subject).toMatch(/^\[WARNING\] Unicode title with break x+\.\.\.$/);
    expect(subject.length).toBeLessThan(100);
  });

  it('marks resolutions', () => {
    expect(subjectOf({ ...alert, status: 'resolved' })).toBe('[RESOLVED] 12 requests to doc-summarizer expired');
  });
});

describe('buildPublishInput size', () => {
  it('stays within 256 KiB (message plus attributes) for any alert, even one built without the caps', () => {
    fc.assert(
      fc.property(oversizedAlert(), (raw) => {
        const input = buildPublishInput(raw, TOPIC);
        const attributes = Object.entries(input.MessageAttributes ?? {}).reduce(
          (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
          0,
        );
        expect(Buffer.byteLength(input.Message!) + attributes).toBeLessThanOrEqual(SNS_MAX_BYTES);
        expect(input.Subject!.length).toBeLessThan(100);
        const body = ChatNotificationSchema.parse(JSON.parse(JSON.parse(input.Message!).default));
        expect(body.metadata?.additionalContext?.[ALERT_CONTEXT_KEY]).toBeDefined();
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});

describe('MemoryPublisher', () => {
  it('collects what would have been published', async () => {
    const memory = new MemoryPublisher();
    await expect(memory.publish(alert)).resolves.toEqual({ messageId: 'memory-1' });
    expect(memory.published).toEqual([alert]);
  });
});

function alertInput() {
  return {
    kind: 'expired-requests' as const,
    severity: 'warning' as const,
    title: 't',
    description: 'd',
    resource: { type: 'endpoint' as const, name: 'e' },
    detectedAt: '2024-04-01T09:00:00Z',
  };
}

/** Alerts as a careless producer could hand them over: no caps, long multi-byte strings. */
function oversizedAlert(): fc.Arbitrary<Alert> {
  const big = fc.string({ unit: 'binary', maxLength: 20_000, size: 'max' });
  return fc
    .record({
      kind: fc.constantFrom(...ALERT_KINDS),
      severity: fc.constantFrom(...SEVERITIES),
      type: fc.constantFrom(...RESOURCE_TYPES),
      title: big,
      description: big,
      name: fc.string({ minLength: 1, maxLength: 3000, size: 'max' }),
      n: fc.integer({ min: 0, max: 200 }),
      factValue: big,
    })
    .map(
      (r): Alert => ({
        schemaVersion: 1,
        id: 'x',
        fingerprint: `${r.kind}:x`,
        kind: r.kind,
        severity: r.severity,
        status: 'firing',
        title: r.title || 't',
        description: r.description,
        resource: { type: r.type, name: r.name, region: 'us-east-1', account: '123456789012' },
        evidence: {
          numbers: Array.from({ length: r.n }, (_, i) => ({ name: `n${i}${r.title.slice(0, 50)}`, value: i })),
          facts: Array.from({ length: r.n }, (_, i) => ({ name: `f${i}`, value: r.factValue })),
          inferenceIds: Array.from({ length: r.n }, (_, i) => `${i}-${r.name}`),
          links: Array.from({ length: r.n }, (_, i) => ({ label: r.title || 'l', url: `https://example.com/${i}` })),
          commands: Array.from({ length: r.n }, () => r.description || 'c'),
        },
        detectedAt: '2024-04-01T09:00:00.000Z',
      }),
    );
}
