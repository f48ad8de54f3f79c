import { InvalidEventError } from '../aws/errors';
import { parseEnvelopeOrMessage, parseSnsMessage, parseSqsBody, type NotificationParseResult } from './parse';

export type NotificationEventSource = 'sqs' | 'sns' | 'message';

/** One message of a notifications batch, parsed. */
export interface NotificationInput {
  /** SQS message id (or SNS message id): what a partial batch failure reports. */
  id: string;
  parsed: NotificationParseResult;
  /** The raw body, logged (truncated) when the message is set aside as malformed. */
  raw?: string;
}

/**
 * Extracts notifications from the events the notifications function can receive: an SQS
 * event (the deployed path: SNS envelope or raw message in each body), an SNS Lambda event,
 * or a single notification or SNS envelope object (local invokes).
 */
export function notificationInputsFromEvent(event: unknown): { source: NotificationEventSource; inputs: NotificationInput[] } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError('event must be a JSON object');
  }
  const records = (event as { Records?: unknown }).Records;
  if (!Array.isArray(records)) {
    return { source: 'message', inputs: [{ id: 'message', parsed: parseEnvelopeOrMessage(event) }] };
  }
  const first = records[0] as Record<string, unknown> | undefined;
  if (first && typeof first === 'object' && 'Sns' in first) {
    const inputs = records.map((record: unknown, index: number): NotificationInput => {
      const sns = (record as { Sns?: Record<string, unknown> } | null)?.Sns;
      if (!sns || typeof sns !== 'object') throw new InvalidEventError(`Records[${index}] is not an SNS record`);
      const id = typeof sns.MessageId === 'string' ? sns.MessageId : `record-${index}`;
      const raw = typeof sns.Message === 'string' ? sns.Message : undefined;
      return { id, parsed: parseSnsMessage(sns.Message, sns.TopicArn, sns.MessageId), ...(raw !== undefined ? { raw } : {}) };
    });
    return { source: 'sns', inputs };
  }
  const inputs = records.map((record: unknown, index: number): NotificationInput => {
    const sqs = record as { messageId?: unknown; body?: unknown } | null;
    if (!sqs || typeof sqs.messageId !== 'string' || typeof sqs.body !== 'string') {
      throw new InvalidEventError(`Records[${index}] is not an SQS record (needs messageId and body)`);
    }
    return { id: sqs.messageId, parsed: parseSqsBody(sqs.body), raw: sqs.body };
  });
  return { source: 'sqs', inputs };
}
