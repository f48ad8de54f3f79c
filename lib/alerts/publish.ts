import { PublishCommand, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import { ALERT_CONTEXT_KEY, toChatNotification, type ChatNotification } from './chat';
import { cut, normalizeAlert, type Alert } from '../alert-model/alert';
import { headline, renderAlertText } from './text';
import { MessageTooLargeError } from './errors';

/**
 * Publishing to the alerts topic. One message serves every subscriber: with
 * `MessageStructure: 'json'` chat (https), Lambda and queues get the chat-format JSON and email
 * gets plain text. Message attributes carry severity, kind and status so subscriptions can
 * filter (`{"severity": ["critical"]}`) without reading the body.
 */

/** SNS's limit for message plus attributes. */
export const SNS_MAX_BYTES = 262_144;

export interface PublishResult {
  messageId?: string;
}

export interface AlertPublisher {
  publish(alert: Alert): Promise<PublishResult>;
}

/** The one method of the SNS client the publisher uses. */
export interface SnsSender {
  send(command: PublishCommand): Promise<{ MessageId?: string }>;
}

export function buildPublishInput(input: Alert, topicArn: string): PublishCommandInput {
  const alert = normalizeAlert(input);
  const attributes = messageAttributes(alert);
  const attributeBytes = Object.entries(attributes).reduce((sum, [name, value]) => sum + bytes(name) + bytes(value.DataType ?? '') + bytes(value.StringValue ?? ''), 0);
  for (const message of candidates(alert)) {
    if (bytes(message) + attributeBytes <= SNS_MAX_BYTES) {
      return {
        TopicArn: topicArn,
        Subject: subjectOf(alert),
        Message: message,
        MessageStructure: 'json',
        MessageAttributes: attributes,
      };
    }
  }
  throw new MessageTooLargeError(`alert ${alert.fingerprint} does not fit in an SNS message even when shortened`);
}

export function createSnsPublisher(options: { client: SnsSender; topicArn: string }): AlertPublisher {
  return {
    async publish(alert: Alert): Promise<PublishResult> {
      const output = await options.client.send(new PublishCommand(buildPublishInput(alert, options.topicArn)));
      return output.MessageId !== undefined ? { messageId: output.MessageId } : {};
    },
  };
}

/** Collects alerts instead of publishing: local runs without a topic, and tests of detectors. */
export class MemoryPublisher implements AlertPublisher {
  readonly published: Alert[] = [];

  async publish(alert: Alert): Promise<PublishResult> {
    this.published.push(alert);
    return { messageId: `memory-${this.published.length}` };
  }
}

function messageAttributes(alert: Alert): Record<string, MessageAttributeValue> {
  const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  return {
    severity: string(alert.severity),
    kind: string(alert.kind),
    status: string(alert.status),
    resourceType: string(alert.resource.type),
    resourceName: string(alert.resource.name),
  };
}

/** Ever smaller bodies; the first is what is sent unless limits force a later one. */
function* candidates(alert: Alert): Generator<string> {
  const chat = toChatNotification(alert);
  const text = renderAlertText(alert);
  yield structured(chat, text);
  yield structured(chat, cut(text, 4000));
  const bare = withoutEmbeddedAlert(chat);
  yield structured(bare, cut(text, 4000));
  yield structured({ ...bare, content: { ...bare.content, description: cut(bare.content.description, 2000) } }, cut(text, 1000));
}

function structured(chat: ChatNotification, email: string): string {
  return JSON.stringify({ default: JSON.stringify(chat), email });
}

function withoutEmbeddedAlert(chat: ChatNotification): ChatNotification {
  const context = { ...chat.metadata?.additionalContext };
  delete context[ALERT_CONTEXT_KEY];
  return { ...chat, metadata: { ...chat.metadata, additionalContext: context } };
}

/**
 * SNS subjects (email subject lines) must be printable ASCII without line breaks, start with a
 * letter, digit or punctuation, and stay under 100 characters.
 */
export function subjectOf(alert: Alert): string {
  const ascii = headline(alert)
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]+/g, '')
    .replace(/ +/g, ' ')
    .trim();
  const subject = ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
  return /^[A-Za-z0-9\p{P}]/u.test(subject) ? subject : `sagewatch alert ${alert.kind}`;
}

function bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
