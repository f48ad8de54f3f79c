// zod/mini keeps the notifications bundle small; the checks are the same.
import * as z from 'zod/mini';
import { MAX_KEY_CHARS } from '../requests/fields';

/**
 * An async inference notification (`eventName: InferenceResult`) as SageMaker publishes it to
 * the endpoint's success or error topic. Unknown fields are accepted: newer failures carry a
 * failure location and, with `IncludeInferenceResponseIn`, the response itself.
 */
export interface AsyncNotification {
  inferenceId: string;
  endpointName: string;
  invocationStatus: 'Completed' | 'Failed';
  /** ISO-8601; when SageMaker accepted the request. */
  receivedTime?: string;
  /** ISO-8601; when the result was produced. */
  eventTime?: string;
  failureReason?: string;
  inputLocation?: string;
  outputLocation?: string;
  failureLocation?: string;
  awsRegion?: string;
  /** A short, bounded excerpt of an inline response body, when the notification includes one. */
  inlineResponse?: string;
  /** What could not be read, in words: the record shows it and the processor counts it. */
  problems?: NotificationProblem[];
}

/** Problems a notification can have without being unusable. */
export type NotificationProblem = { code: 'ReceivedTimeMissing' | 'ReceivedTimeUnreadable'; detail: string };

const PROBLEM_SAMPLE_CHARS = 64;

export type NotificationParseResult =
  | { kind: 'notification'; notification: AsyncNotification; topicArn?: string; messageId?: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; reason: 'bad_json' | 'bad_envelope' | 'missing_inference_id' | 'bad_inference_id' | 'bad_notification'; detail: string };

const timeValue = z.optional(z.union([z.string(), z.number()]));
// Ids and names are kept exactly as sent (never trimmed): they are the keys a caller looks up.
const key = () => z.string().check(z.minLength(1), z.maxLength(MAX_KEY_CHARS));
const maybeString = () => z.nullish(z.string());

const NotificationSchema = z.looseObject({
  inferenceId: key(),
  invocationStatus: z.string(),
  eventName: z.optional(z.string()),
  eventTime: timeValue,
  receivedTime: timeValue,
  awsRegion: z.optional(z.string()),
  failureReason: maybeString(),
  failureLocation: maybeString(),
  requestParameters: z.looseObject({
    endpointName: key(),
    inputLocation: maybeString(),
  }),
  responseParameters: z.nullish(
    z.looseObject({
      outputLocation: maybeString(),
      failureLocation: maybeString(),
    }),
  ),
});

const INLINE_RESPONSE_KEYS = ['inferenceResponse', 'responseBody', 'response', 'responsePayload', 'body'] as const;
const INLINE_RESPONSE_CHARS = 1024;

/** Normalises an ISO string, epoch-ms number or epoch-ms string to ISO-8601; undefined if unreadable. */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(/([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function inlineResponse(value: Record<string, unknown>): string | undefined {
  const containers = [value, value.responseParameters];
  for (const container of containers) {
    if (typeof container !== 'object' || container === null) continue;
    for (const key of INLINE_RESPONSE_KEYS) {
      const found = (container as Record<string, unknown>)[key];
      if (found === undefined || found === null) continue;
      const text = typeof found === 'string' ? found : JSON.stringify(found);
      return text.length > INLINE_RESPONSE_CHARS ? `${text.slice(0, INLINE_RESPONSE_CHARS)}…` : text;
    }
  }
  return undefined;
}

/** Validates a notification object (the SNS message itself). */
export function parseNotification(value: unknown): NotificationParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'bad_notification', detail: 'notification is not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  // An id of spaces only is no id (the API wants a non-space first character); any other id is kept as is.
  if (typeof record.inferenceId !== 'string' || record.inferenceId.trim() === '') {
    return { kind: 'malformed', reason: 'missing_inference_id', detail: 'notification has no inferenceId' };
  }
  if (record.inferenceId.length > MAX_KEY_CHARS) {
    return { kind: 'malformed', reason: 'bad_inference_id', detail: `inferenceId is ${record.inferenceId.length} characters long (at most ${MAX_KEY_CHARS})` };
  }
  const parsed = NotificationSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    return { kind: 'malformed', reason: 'bad_notification', detail: `${where}: ${issue?.message ?? 'invalid'}` };
  }
  const n = parsed.data;
  if (n.eventName !== undefined && n.eventName !== 'InferenceResult') {
    return { kind: 'ignored', reason: `eventName ${n.eventName} is not InferenceResult` };
  }
  const status = normaliseStatus(n.invocationStatus);
  if (!status) {
    return { kind: 'malformed', reason: 'bad_notification', detail: `unknown invocationStatus ${JSON.stringify(n.invocationStatus)}` };
  }
  const failureLocation = n.responseParameters?.failureLocation ?? n.failureLocation ?? undefined;
  const receivedTime = toIsoTime(n.receivedTime);
  const problems: NotificationProblem[] = [];
  if (receivedTime === undefined) {
    problems.push(
      n.receivedTime === undefined || n.receivedTime === ''
        ? { code: 'ReceivedTimeMissing', detail: 'the notification has no receivedTime' }
        : { code: 'ReceivedTimeUnreadable', detail: `receivedTime ${JSON.stringify(String(n.receivedTime).slice(0, PROBLEM_SAMPLE_CHARS))} is not a time` },
    );
  }
  const notification: AsyncNotification = {
    inferenceId: n.inferenceId,
    endpointName: n.requestParameters.endpointName,
    invocationStatus: status,
    ...defined('receivedTime', receivedTime),
    ...defined('eventTime', toIsoTime(n.eventTime)),
    ...defined('failureReason', n.failureReason ?? undefined),
    ...defined('inputLocation', n.requestParameters.inputLocation ?? undefined),
    ...defined('outputLocation', n.responseParameters?.outputLocation ?? undefined),
    ...defined('failureLocation', failureLocation),
    ...defined('awsRegion', n.awsRegion),
    ...defined('inlineResponse', inlineResponse(record)),
    ...(problems.length > 0 ? { problems } : {}),
  };
  return { kind: 'notification', notification };
}

function normaliseStatus(value: string): 'Completed' | 'Failed' | undefined {
  const lower = value.toLowerCase();
  if (lower === 'completed' || lower === 'success' || lower === 'succeeded') return 'Completed';
  if (lower === 'failed' || lower === 'failure' || lower === 'error') return 'Failed';
  return undefined;
}

function defined<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * Reads an SQS message body holding an async notification: the SNS envelope (default
 * delivery) or the raw message (raw message delivery). Subscription handshakes are ignored.
 */
export function parseSqsBody(body: string): NotificationParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { kind: 'malformed', reason: 'bad_json', detail: `body is not JSON: ${(error as Error).message}` };
  }
  return parseEnvelopeOrMessage(value);
}

export function parseEnvelopeOrMessage(value: unknown): NotificationParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'bad_notification', detail: 'body is not a JSON object' };
  }
  const envelope = value as Record<string, unknown>;
  if (envelope.Type === 'SubscriptionConfirmation' || envelope.Type === 'UnsubscribeConfirmation') {
    return { kind: 'ignored', reason: `SNS ${envelope.Type}` };
  }
  if (envelope.Type === 'Notification' || (typeof envelope.Message === 'string' && typeof envelope.TopicArn === 'string')) {
    return parseSnsMessage(envelope.Message, envelope.TopicArn, envelope.MessageId);
  }
  return parseNotification(envelope);
}

/** Reads the `Message` of an SNS notification (from an SQS envelope or an SNS Lambda event). */
export function parseSnsMessage(message: unknown, topicArn?: unknown, messageId?: unknown): NotificationParseResult {
  if (typeof message !== 'string') {
    return { kind: 'malformed', reason: 'bad_envelope', detail: 'SNS envelope has no string Message' };
  }
  let inner: unknown;
  try {
    inner = JSON.parse(message);
  } catch (error) {
    return { kind: 'malformed', reason: 'bad_json', detail: `SNS Message is not JSON: ${(error as Error).message}` };
  }
  const result = parseNotification(inner);
  if (result.kind !== 'notification') return result;
  return {
    ...result,
    ...(typeof topicArn === 'string' ? { topicArn } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
  };
}
