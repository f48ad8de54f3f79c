import { createHash } from 'node:crypto';
import { encodeSubscriptionData, type LogEvent, type SubscriptionPayload } from '../lib/logs/subscription';

/**
 * Builders for events in AWS's own formats: CloudWatch Logs subscription records in Kinesis
 * events, async inference notifications in SNS envelopes and SQS events. The traffic
 * simulator, the bench and the tests all produce their input through these.
 */

export function formatDataLogTime(epochMs: number): string {
  // The platform writes UTC without a zone designator: `2024-05-01T12:00:00.123`.
  return new Date(epochMs).toISOString().slice(0, 23);
}

export function dataLogMessage(epochMs: number, inferenceId: string, message: string): string {
  return `${formatDataLogTime(epochMs)}:[sagemaker logs] [${inferenceId}] ${message}`;
}

/** CloudWatch Logs event ids are 56-digit strings; derive a stable one from the content. */
export function logEventId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${hex}`).toString().padStart(56, '0').slice(0, 56);
}

export function logEvent(timestamp: number, message: string, id = logEventId(`${timestamp}|${message}`)): LogEvent {
  return { id, timestamp, message };
}

export function dataMessage(options: { endpointName?: string; logGroup?: string; logStream?: string; owner?: string; events: LogEvent[] }): SubscriptionPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: options.owner ?? '123456789012',
    logGroup: options.logGroup ?? `/aws/sagemaker/Endpoints/${options.endpointName ?? 'my-endpoint'}`,
    logStream: options.logStream ?? 'AllTraffic/i-0a1b2c3d4e5f60718/data-log',
    subscriptionFilters: ['sagewatch-data-log'],
    logEvents: options.events,
  };
}

export function controlMessage(): SubscriptionPayload {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: Date.now(), message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
  };
}

export interface KinesisRecordSpec {
  /** base64 record data; use encodeSubscriptionData() for a subscription payload. */
  data: string;
  sequenceNumber: string;
  partitionKey?: string;
}

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/sagewatch-logs';

export function kinesisEvent(records: KinesisRecordSpec[]) {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey ?? 'c0ffee',
        sequenceNumber: record.sequenceNumber,
        data: record.data,
        approximateArrivalTimestamp: 1714564800.123,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/sagewatch-process-logs',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM_ARN,
    })),
  };
}

/** A Kinesis sequence number-like string, increasing with n. */
export function sequenceNumber(n: number): string {
  return (49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(n)).toString();
}

export function subscriptionRecords(payloads: SubscriptionPayload[], firstSequence = 1): KinesisRecordSpec[] {
  return payloads.map((payload, i) => ({ data: encodeSubscriptionData(payload), sequenceNumber: sequenceNumber(firstSequence + i) }));
}

export interface NotificationSpec {
  inferenceId: string;
  endpointName: string;
  status: 'Completed' | 'Failed';
  receivedTime: string;
  eventTime: string;
  failureReason?: string;
  inputLocation?: string;
  outputLocation?: string;
  failureLocation?: string;
  awsRegion?: string;
}

/** The message body SageMaker publishes to the endpoint's success or error topic. */
export function asyncNotification(spec: NotificationSpec): Record<string, unknown> {
  const base: Record<string, unknown> = {
    awsRegion: spec.awsRegion ?? 'us-east-1',
    eventTime: spec.eventTime,
    receivedTime: spec.receivedTime,
    invocationStatus: spec.status,
    requestParameters: {
      contentType: 'application/json',
      endpointName: spec.endpointName,
      inputLocation: spec.inputLocation ?? `s3://ml-inputs/${spec.endpointName}/${spec.inferenceId}.json`,
    },
    inferenceId: spec.inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
  };
  if (spec.status === 'Completed') {
    base.responseParameters = {
      contentType: 'application/json',
      outputLocation: spec.outputLocation ?? `s3://ml-outputs/${spec.endpointName}/${spec.inferenceId}.out`,
    };
  } else {
    base.failureReason = spec.failureReason ?? 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
    if (spec.failureLocation) base.responseParameters = { contentType: 'application/json', failureLocation: spec.failureLocation };
  }
  return base;
}

export function topicArn(endpointName: string, status: 'Completed' | 'Failed'): string {
  return `arn:aws:sns:us-east-1:123456789012:${endpointName}-${status === 'Completed' ? 'success' : 'error'}`;
}

/** The SNS envelope SQS receives from a subscription without raw message delivery. */
export function snsEnvelope(message: unknown, options: { topicArn?: string; messageId?: string; timestamp?: string } = {}) {
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  const messageId = options.messageId ?? uuidFrom(text);
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: options.topicArn ?? 'arn:aws:sns:us-east-1:123456789012:async-success',
    Message: text,
    Timestamp: options.timestamp ?? '2024-05-01T12:00:01.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEpH+Dc5/eDsnM7N5AqpbQzZMuNrdvQ9pX9ifL7mw0KcyXzxyVKp3rYXOWkClgDQ==',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn ?? 'arn:aws:sns:us-east-1:123456789012:async-success'}:${messageId}`,
  };
}

/** `sentTimestamp` (epoch ms) is when SNS delivered the message to the queue: how far behind the consumer is. */
export function sqsEvent(messages: Array<{ body: string; messageId?: string; sentTimestamp?: number; receiveCount?: number }>) {
  return {
    Records: messages.map((message, i) => ({
      messageId: message.messageId ?? uuidFrom(`${i}|${message.body}`),
      receiptHandle: `AQEB${Buffer.from(`${i}`).toString('base64')}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount ?? 1),
        SentTimestamp: String(message.sentTimestamp ?? 1714564801000),
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: String((message.sentTimestamp ?? 1714564801000) + 10),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:sagewatch-notifications',
      awsRegion: 'us-east-1',
    })),
  };
}

export function snsLambdaEvent(message: unknown, options: { topicArn?: string; messageId?: string } = {}) {
  const envelope = snsEnvelope(message, options);
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: `${envelope.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: envelope.Timestamp,
          Signature: envelope.Signature,
          SigningCertUrl: envelope.SigningCertURL,
          MessageId: envelope.MessageId,
          Message: envelope.Message,
          MessageAttributes: {},
          Type: 'Notification',
          UnsubscribeUrl: envelope.UnsubscribeURL,
          TopicArn: envelope.TopicArn,
          Subject: null,
        },
      },
    ],
  };
}

export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
