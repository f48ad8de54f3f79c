import { InvalidEventError } from '../aws/errors';

/**
 * The messages of an event the Slack notifier can receive: an SNS Lambda event (the deployed
 * path, one record per invoke), a single SNS record or SNS envelope, or a bare message (an alert,
 * a chat notification, an alarm message, or a string) for local invokes.
 */
export interface InboundMessage {
  id: string;
  /** The SNS `Message` string, or the bare object of a local invoke. */
  message: unknown;
  subject?: string;
}

export function messagesFromEvent(event: unknown): InboundMessage[] {
  if (typeof event === 'string') return [{ id: 'message', message: event }];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError('event must be an SNS event, an SNS message or a JSON object');
  }
  const records = (event as { Records?: unknown }).Records;
  if (Array.isArray(records)) {
    return records.map((record: unknown, index: number) => {
      const sns = (record as { Sns?: unknown } | null)?.Sns;
      if (typeof sns !== 'object' || sns === null) throw new InvalidEventError(`Records[${index}] is not an SNS record`);
      return fromEnvelope(sns as Record<string, unknown>, `record-${index}`);
    });
  }
  const single = (event as { Sns?: unknown }).Sns;
  if (typeof single === 'object' && single !== null) return [fromEnvelope(single as Record<string, unknown>, 'record-0')];
  const envelope = event as Record<string, unknown>;
  if (envelope.Type === 'Notification' && typeof envelope.Message === 'string') return [fromEnvelope(envelope, 'message')];
  return [{ id: 'message', message: event }];
}

function fromEnvelope(sns: Record<string, unknown>, fallbackId: string): InboundMessage {
  if (typeof sns.Message !== 'string') throw new InvalidEventError(`SNS message ${String(sns.MessageId ?? fallbackId)} has no Message`);
  return {
    id: typeof sns.MessageId === 'string' ? sns.MessageId : fallbackId,
    message: sns.Message,
    ...(typeof sns.Subject === 'string' && sns.Subject !== '' ? { subject: sns.Subject } : {}),
  };
}
