import { loadConfig, parseConfig } from '../lib/config';
import { Counters, type LogSink } from '../lib/telemetry/observations';
import { messagesFromEvent } from '../lib/alerts/inbound';
import { isSlackDeliveryAlarm } from '../lib/alerts/self-alarms';
import { createWebhookUrlSource, type WebhookUrlSource } from '../lib/alerts/secret';
import { detectFormat, renderForSlack, type InboundFormat } from '../lib/alerts/slack';
import { deliverToWebhook, type DeliveryOptions } from '../lib/alerts/webhook';
import { WebhookDeliveryError } from '../lib/alerts/errors';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, publishCounters } from '../lib/telemetry/metrics';

/**
 * Alerts topic → Slack incoming webhook. Subscribed to the topic (SNS invokes asynchronously):
 * a message that still fails after delivery's own retries makes the invoke throw, so Lambda's
 * async retries and then the function's dead-letter queue take it. Also accepts one SNS
 * message, or a bare alert / chat notification / alarm message for local invokes; without a
 * webhook configured (locally) the Block Kit payload is printed instead of posted. An alarm
 * about this function's own delivery never makes the invoke fail (lib/alerts/self-alarms.ts).
 */
export interface NotifyResult {
  delivered: number;
  printed: number;
  messages: Array<{ id: string; format: InboundFormat; outcome: 'delivered' | 'printed'; attempts?: number }>;
}

interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

export interface HandlerOverrides {
  webhook?: WebhookUrlSource;
  delivery?: DeliveryOptions;
  print?: (text: string) => void;
  log?: LogSink;
  env?: Record<string, string | undefined>;
  /** Publish EMF counters (default true). */
  metrics?: boolean;
}

/** Stop this much before Lambda's own timeout so the failure is ours, clear, and retried. */
const SAFETY_MARGIN_MS = 1500;
/** Slack answers these when the webhook itself is gone or revoked: the secret may have been rotated. */
const STALE_WEBHOOK_STATUSES = new Set([403, 404, 410]);

export function createHandler(overrides: HandlerOverrides = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const env = overrides.env ?? process.env;
    const config = overrides.env ? parseConfig(overrides.env) : loadConfig();
    // SLACK_WEBHOOK_URL is for local runs only, which is why it is not part of the deployed config.
    const localUrl = env.SLACK_WEBHOOK_URL?.trim();
    const webhook =
      overrides.webhook ??
      createWebhookUrlSource({
        ...(config.slackWebhookSecret ? { secretRef: config.slackWebhookSecret } : {}),
        ...(localUrl ? { overrideUrl: localUrl } : {}),
      });
    return {
      log: overrides.log ?? createLogger(config.serviceName),
      metrics: overrides.metrics === false ? undefined : createOpsMetrics(config.metricsNamespace, config.serviceName),
      webhook,
      inLambda: env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
      namePrefix: config.namePrefix,
      print: overrides.print ?? ((text: string) => process.stdout.write(`${text}\n`)),
    };
  };

  return async (event: unknown, context?: LambdaContextLike): Promise<NotifyResult> => {
    runtime ??= build();
    const { log, metrics, webhook, inLambda, print, namePrefix } = runtime;
    const messages = messagesFromEvent(event);
    const remaining = context?.getRemainingTimeInMillis?.();
    const now = overrides.delivery?.now ?? Date.now;
    const deadline = remaining !== undefined ? now() + remaining - SAFETY_MARGIN_MS : undefined;
    const url = await webhook.get();
    const aboutItself = (message: unknown) => isSlackDeliveryAlarm(message, namePrefix);
    if (url === undefined && inLambda && !messages.every((m) => aboutItself(m.message))) {
      // In Lambda, printing would drop the alert into the logs and nobody would see it.
      throw new Error('no Slack webhook configured: set SLACK_WEBHOOK_SECRET to the parameter or secret that holds its URL');
    }

    const counters = new Counters();
    const result: NotifyResult = { delivered: 0, printed: 0, messages: [] };
    const failures: string[] = [];
    for (const inbound of messages) {
      const format = detectFormat(inbound.message);
      const payload = renderForSlack(inbound.message, { subject: inbound.subject ?? null });
      if (url === undefined && inLambda) {
        // Only alarms about this function's own delivery get here (lib/alerts/self-alarms.ts).
        counters.add('SlackSelfAlarmsUndelivered');
        log.warn("no Slack webhook for an alarm about Slack delivery itself; left to the topic's other subscribers", { messageId: inbound.id });
        continue;
      }
      if (url === undefined) {
        print(JSON.stringify(payload, null, 2));
        result.printed++;
        result.messages.push({ id: inbound.id, format, outcome: 'printed' });
        continue;
      }
      try {
        const delivery = await deliverToWebhook(url, payload, {
          ...overrides.delivery,
          ...(deadline !== undefined ? { deadline } : {}),
          log,
        });
        counters.add('SlackMessagesDelivered');
        counters.add('SlackDeliveryRetries', delivery.attempts - 1);
        result.delivered++;
        result.messages.push({ id: inbound.id, format, outcome: 'delivered', attempts: delivery.attempts });
        log.info('alert delivered to Slack', { messageId: inbound.id, format, attempts: delivery.attempts });
      } catch (error) {
        counters.add('SlackDeliveryFailed');
        if (error instanceof WebhookDeliveryError && error.details.status !== undefined && STALE_WEBHOOK_STATUSES.has(error.details.status)) {
          webhook.invalidate();
        }
        const reason = error instanceof Error ? error.message : String(error);
        if (aboutItself(inbound.message)) {
          // Failing here would raise the very alarm again: no loop through a broken webhook.
          counters.add('SlackSelfAlarmsUndelivered');
          log.error("alarm about Slack delivery not delivered to Slack; left to the topic's other subscribers", { messageId: inbound.id, format, reason });
          continue;
        }
        log.error('alert not delivered to Slack', { messageId: inbound.id, format, reason });
        failures.push(`${inbound.id}: ${reason}`);
      }
    }
    if (metrics) publishCounters(metrics, counters);
    if (failures.length > 0) {
      throw new Error(`Slack delivery failed for ${failures.length} of ${messages.length} message(s): ${failures.join('; ')}`);
    }
    return result;
  };
}

export const handler = createHandler();
