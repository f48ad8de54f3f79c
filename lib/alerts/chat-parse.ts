import * as z from 'zod/mini';
import { AlertSchema, type Alert } from '../alert-model/alert';
import { ALERT_CONTEXT_KEY, type ChatNotification } from './chat';

/**
 * Reading chat notifications back (notifySlack, the local run's chat view): the schema and the
 * alert a notification carries. Apart from ./chat.ts, which writes them, so the functions that
 * only publish alerts (processNotifications, the sweeper) do not build a schema they never use.
 */
const strings = () =>
  z.pipe(
    z.array(z.unknown()),
    z.transform((items) => items.filter((item): item is string => typeof item === 'string')),
  );
const stringValues = () =>
  z.pipe(
    z.record(z.string(), z.unknown()),
    z.transform((context) => Object.fromEntries(Object.entries(context).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))),
  );

/**
 * Reads any custom notification, ours or another producer's. Lenient where the chat service is
 * (non-string list items and context values are dropped, not fatal); unknown fields are dropped.
 */
export const ChatNotificationSchema = z.object({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.optional(z.string()),
  content: z.object({
    textType: z.optional(z.literal('client-markdown')),
    title: z.optional(z.string()),
    description: z.string(),
    nextSteps: z.optional(strings()),
    keywords: z.optional(strings()),
  }),
  metadata: z.optional(
    z.object({
      threadId: z.optional(z.string()),
      summary: z.optional(z.string()),
      eventType: z.optional(z.string()),
      relatedResources: z.optional(strings()),
      additionalContext: z.optional(stringValues()),
    }),
  ),
});

/** The alert a sagewatch chat notification carries, or undefined for any other notification. */
export function alertFromChatNotification(notification: ChatNotification): Alert | undefined {
  const raw = notification.metadata?.additionalContext?.[ALERT_CONTEXT_KEY];
  if (raw === undefined) return undefined;
  try {
    const parsed = AlertSchema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as Alert) : undefined;
  } catch {
    return undefined;
  }
}
