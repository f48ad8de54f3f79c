import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelopeOrMessage, parseNotification, parseSqsBody, toIsoTime } from '../../lib/notifications/parse';
import { notificationInputsFromEvent } from '../../lib/notifications/event';
import { notificationHalf } from '../../lib/correlate/halves';
import { asyncNotification, snsEnvelope, snsLambdaEvent, sqsEvent } from '../../local/builders';

// Same shape as AWS's documented success notification, with our own values.
const success = {
  awsRegion: 'eu-west-1',
  eventTime: '2024-05-01T12:00:03.250Z',
  receivedTime: '2024-05-01T12:00:00.500Z',
  invocationStatus: 'Completed',
  requestParameters: {
    contentType: 'text/csv',
    endpointName: 'churn-async',
    inputLocation: 's3://acme-ml/in/batch-17.csv',
  },
  responseParameters: {
    contentType: 'text/csv; charset=utf-8',
    outputLocation: 's3://acme-ml/out/batch-17.out',
  },
  inferenceId: '0c6e8f2a-3b5d-4e71-9a2f-6d8c1b0e4f93',
  eventVersion: '1.0',
  eventSource: 'aws:sagemaker',
  eventName: 'InferenceResult',
};

// An older failure capture: failureReason, no responseParameters.
const failure = {
  awsRegion: 'eu-west-1',
  eventTime: '2024-05-01T12:05:00.000Z',
  receivedTime: '2024-05-01T12:04:00.000Z',
  invocationStatus: 'Failed',
  failureReason: 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.',
  requestParameters: { endpointName: 'churn-async', inputLocation: 's3://acme-ml/in/batch-18.csv' },
  inferenceId: 'f1d2c3b4-0000-4000-8000-000000000018',
  eventVersion: '1.0',
  eventSource: 'aws:sagemaker',
  eventName: 'InferenceResult',
};

describe('parseNotification', () => {
  it('reads a success notification', () => {
    expect(parseNotification(success)).toEqual({
      kind: 'notification',
      notification: {
        inferenceId: '0c6e8f2a-3b5d-4e71-9a2f-6d8c1b0e4f93',
        endpointName: 'churn-async',
        invocationStatus: 'Completed',
        receivedTime: '2024-05-01T12:00:00.500Z',
        eventTime: '2024-05-01T12:00:03.250Z',
        inputLocation: 's3://acme-ml/in/batch-17.csv',
        outputLocation: 's3://acme-ml/out/batch-17.out',
        awsRegion: 'eu-west-1',
      },
    });
  });

  it('reads an older failure without responseParameters', () => {
    const parsed = parseNotification(failure);
    expect(parsed.kind).toBe('notification');
    if (parsed.kind !== 'notification') return;
    expect(parsed.notification.failureReason).toBe(failure.failureReason);
    expect(parsed.notification.outputLocation).toBeUndefined();
  });

  it('accepts newer failures with a failure location, an inline response and unknown fields', () => {
    const parsed = parseNotification({
      ...failure,
      responseParameters: { contentType: 'application/json', failureLocation: 's3://acme-ml/failures/batch-18.out' },
      inferenceResponse: { body: '{"error":"CUDA out of memory"}' },
      someFutureField: { nested: true },
    });
    expect(parsed.kind === 'notification' && parsed.notification).toMatchObject({
      failureLocation: 's3://acme-ml/failures/batch-18.out',
      inlineResponse: '{"body":"{\\"error\\":\\"CUDA out of memory\\"}"}',
    });
  });

  it.each([
    ['no inference id', { ...success, inferenceId: undefined }, 'missing_inference_id'],
    ['an empty inference id', { ...success, inferenceId: '  ' }, 'missing_inference_id'],
    ['no endpoint name', { ...success, requestParameters: {} }, 'bad_notification'],
    ['an unknown status', { ...success, invocationStatus: 'Pending' }, 'bad_notification'],
    ['not an object', 'Hello from SNS!', 'bad_notification'],
  ])('rejects a notification with %s', (_name, value, reason) => {
    const parsed = parseNotification(value);
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.reason).toBe(reason);
  });

  it('ignores other SageMaker event names', () => {
    expect(parseNotification({ ...success, eventName: 'SomethingElse' }).kind).toBe('ignored');
  });

  it('normalises epoch-ms times', () => {
    expect(toIsoTime(1714564800500)).toBe('2024-05-01T12:00:00.500Z');
    expect(toIsoTime('1714564800500')).toBe('2024-05-01T12:00:00.500Z');
    expect(toIsoTime('2024-05-01T12:00:00.500')).toBe('2024-05-01T12:00:00.500Z');
    expect(toIsoTime('2024-05-01T14:00:00+02:00')).toBe('2024-05-01T12:00:00.000Z');
    expect(toIsoTime('yesterday')).toBeUndefined();
  });
});

describe('SQS bodies and SNS envelopes', () => {
  it('reads the SNS envelope (default delivery)', () => {
    const body = JSON.stringify(snsEnvelope(success, { topicArn: 'arn:aws:sns:eu-west-1:123456789012:churn-ok', messageId: 'm-1' }));
    const parsed = parseSqsBody(body);
    expect(parsed).toMatchObject({ kind: 'notification', topicArn: 'arn:aws:sns:eu-west-1:123456789012:churn-ok', messageId: 'm-1' });
  });

  it('reads a raw message (raw message delivery)', () => {
    expect(parseSqsBody(JSON.stringify(success)).kind).toBe('notification');
  });

  it('ignores the subscription handshake', () => {
    expect(parseEnvelopeOrMessage({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', TopicArn: 't' }).kind).toBe('ignored');
  });

  it('reports bad JSON in the body and in the envelope', () => {
    expect(parseSqsBody('{not json')).toMatchObject({ kind: 'malformed', reason: 'bad_json' });
    expect(parseSqsBody(JSON.stringify(snsEnvelope('Hello from SNS!')))).toMatchObject({ kind: 'malformed', reason: 'bad_json' });
  });

  it('takes SQS, SNS and bare-message events', () => {
    const fromSqs = notificationInputsFromEvent(
      sqsEvent([
        { body: JSON.stringify(snsEnvelope(success)), messageId: 'sqs-1' },
        { body: JSON.stringify(failure), messageId: 'sqs-2' },
      ]),
    );
    expect(fromSqs.source).toBe('sqs');
    expect(fromSqs.inputs.map((i) => [i.id, i.parsed.kind])).toEqual([
      ['sqs-1', 'notification'],
      ['sqs-2', 'notification'],
    ]);
    const fromSns = notificationInputsFromEvent(snsLambdaEvent(failure, { messageId: 'sns-1' }));
    expect(fromSns.source).toBe('sns');
    expect(fromSns.inputs[0]).toMatchObject({ id: 'sns-1', parsed: { kind: 'notification' } });
    expect(notificationInputsFromEvent(success).source).toBe('message');
    expect(() => notificationInputsFromEvent({ Records: [{ foo: 1 }] })).toThrow(/not an SQS record/);
  });

  it('never throws on arbitrary bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (body) => {
          const parsed = parseSqsBody(body);
          expect(['notification', 'ignored', 'malformed']).toContain(parsed.kind);
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.record({ inferenceId: fc.string(), invocationStatus: fc.string(), requestParameters: fc.jsonValue() }), (value) => {
        const parsed = parseNotification(value);
        expect(['notification', 'ignored', 'malformed']).toContain(parsed.kind);
      }),
      { numRuns: 300 },
    );
  });
});

describe('notificationHalf', () => {
  it('derives latency and the failure category', () => {
    const parsed = parseNotification(
      asyncNotification({
        inferenceId: 'r-1',
        endpointName: 'e',
        status: 'Failed',
        receivedTime: '2024-05-01T12:00:00.000Z',
        eventTime: '2024-05-01T12:00:02.500Z',
        failureReason: 'ClientError: Received client error (400) from model.',
      }),
    );
    if (parsed.kind !== 'notification') throw new Error('expected a notification');
    expect(notificationHalf(parsed.notification)).toMatchObject({
      status: 'Failed',
      endToEndLatencyMs: 2500,
      failureCategory: 'ClientError',
      failureStatusCode: 400,
      completedAt: '2024-05-01T12:00:02.500Z',
      receivedAt: '2024-05-01T12:00:00.000Z',
    });
  });
});
