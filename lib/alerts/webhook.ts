import type { LogSink } from '../telemetry/observations';
import { outcomeOfNoResponse, outcomeOfResponse, retryDelay, type Outcome } from './slack-retry';
import { WebhookDeliveryError } from './errors';

/**
 * Delivery to a Slack incoming webhook, attempt after attempt as lib/alerts/slack-retry.ts decides
 * (`429` waits for `Retry-After`; `5xx`, `408`, network errors and timeouts back off; any other
 * status is permanent). The last failure throws WebhookDeliveryError, so the Lambda's own async
 * retries and then its dead-letter queue take the message: nothing is dropped silently.
 *
 * The URL is a secret (it is the credential): it appears in no error and no log line.
 */
export interface DeliveryOptions {
  /** Per attempt, from sending the request to reading the whole response. Default 5 s. */
  timeoutMs?: number;
  /** Attempts in total, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 10 s. */
  maxDelayMs?: number;
  /** A longer `Retry-After` is not waited out here: the Lambda retry comes later anyway. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Epoch ms (e.g. from the Lambda's remaining time) no attempt or wait may run past. */
  deadline?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** In [0, 1); jitter source. */
  random?: () => number;
  log?: LogSink;
}

export interface DeliveryResult {
  attempts: number;
  status: number;
  /** Total time spent waiting between attempts. */
  waitedMs: number;
}

export async function deliverToWebhook(url: string, payload: unknown, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const body = JSON.stringify(payload);

  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    const budget = options.deadline !== undefined ? options.deadline - now() : Infinity;
    if (budget <= 0) {
      throw new WebhookDeliveryError(`Slack webhook delivery ran out of time before attempt ${attempt}`, {
        attempts: attempt - 1,
        permanent: false,
      });
    }
    const outcome = await postOnce(url, body, Math.min(timeoutMs, budget), now);
    if (outcome.kind === 'ok') {
      options.log?.debug('slack webhook delivered', { attempts: attempt, status: outcome.status });
      return { attempts: attempt, status: outcome.status, waitedMs };
    }
    if (outcome.kind === 'permanent') {
      throw new WebhookDeliveryError(`Slack webhook rejected the message: HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''} (not retried)`, {
        attempts: attempt,
        permanent: true,
        status: outcome.status,
        ...(outcome.code ? { code: outcome.code } : {}),
      });
    }
    const failure = {
      attempts: attempt,
      permanent: false,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.code ? { code: outcome.code } : {}),
    };
    const after = `after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
    if (attempt >= maxAttempts) {
      throw new WebhookDeliveryError(`Slack webhook delivery failed ${after}: ${outcome.why}`, failure);
    }
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > maxRetryAfterMs) {
      throw new WebhookDeliveryError(`Slack webhook is rate limited for ${Math.ceil(outcome.retryAfterMs / 1000)} s, longer than this delivery waits (${outcome.why})`, failure);
    }
    const delay = retryDelay(outcome, attempt, { baseDelayMs, maxDelayMs, random });
    if (options.deadline !== undefined && now() + delay >= options.deadline) {
      throw new WebhookDeliveryError(`Slack webhook delivery failed ${after}: ${outcome.why}; no time left to wait ${delay} ms for another`, failure);
    }
    options.log?.warn('slack webhook attempt failed; retrying', { attempt, delayMs: delay, reason: outcome.why });
    await sleep(delay);
    waitedMs += delay;
  }
}

async function postOnce(url: string, body: string, timeoutMs: number, now: () => number): Promise<Outcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      // A redirect would hand the payload to a URL nobody configured.
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = await response.text();
    const code = errorCode(text);
    return outcomeOfResponse(response.status, code, response.headers.get('retry-after'), now());
  } catch (error) {
    return outcomeOfNoResponse(controller.signal.aborted, timeoutMs, error);
  } finally {
    clearTimeout(timer);
  }
}

/** Slack answers errors with a short code as plain text; anything longer is not one. */
function errorCode(text: string): string | undefined {
  const trimmed = text.trim();
  return /^[a-z_]{1,64}$/.test(trimmed) && trimmed !== 'ok' ? trimmed : undefined;
}
