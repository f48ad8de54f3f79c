import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderForSlack } from '../../lib/alerts/slack';
import { parseRetryAfter } from '../../lib/alerts/slack-retry';
import { deliverToWebhook, type DeliveryOptions } from '../../lib/alerts/webhook';
import { WebhookDeliveryError } from '../../lib/alerts/errors';
import { startFakeSlack, WEBHOOK_PATH, type FakeSlack } from '../support/fake-slack';

/**
 * Delivery against a real HTTP server on loopback. Waits between attempts go through an
 * injected sleep that records and returns at once; only the per-attempt timeout is a real
 * timer (it has to race real sockets), kept short against a server that answers much later.
 */
let slack: FakeSlack;
let sleeps: number[];

beforeEach(async () => {
  slack = await startFakeSlack();
  sleeps = [];
});

afterEach(async () => {
  await slack.close();
});

const payload = renderForSlack('disk is full', { subject: 'Heads up' });

function options(extra: DeliveryOptions = {}): DeliveryOptions {
  return {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    timeoutMs: 250,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<WebhookDeliveryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookDeliveryError);
  return error as WebhookDeliveryError;
}

describe('deliverToWebhook', () => {
  it('posts the Block Kit JSON once when Slack answers 200 ok', async () => {
    await expect(deliverToWebhook(slack.url, payload, options())).resolves.toEqual({ attempts: 1, status: 200, waitedMs: 0 });
    expect(slack.received).toHaveLength(1);
    const [request] = slack.received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(WEBHOOK_PATH);
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.body).toEqual(payload);
    expect(sleeps).toEqual([]);
  });

  it('waits for Retry-After (seconds) on 429, then delivers', async () => {
    slack.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '3' } });
    await expect(deliverToWebhook(slack.url, payload, options())).resolves.toEqual({ attempts: 2, status: 200, waitedMs: 3000 });
    expect(sleeps).toEqual([3000]);
    expect(slack.received.map((r) => r.answeredStatus)).toEqual([429, 200]);
  });

  it('falls back to backoff on a 429 without Retry-After', async () => {
    slack.script({ status: 429, body: 'rate_limited' });
    await deliverToWebhook(slack.url, payload, options());
    expect(sleeps).toEqual([250]);
  });

  it('does not wait out a Retry-After longer than it may, and says why', async () => {
    slack.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } });
    const error = await failure(deliverToWebhook(slack.url, payload, options({ maxRetryAfterMs: 30_000 })));
    expect(error.message).toBe('Slack webhook is rate limited for 120 s, longer than this delivery waits (HTTP 429 rate_limited)');
    expect(error.details).toEqual({ attempts: 1, permanent: false, status: 429, code: 'rate_limited' });
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with exponential backoff and jitter, then delivers', async () => {
    slack.script({ status: 500, body: 'rollup_error' }, { status: 503, body: '' });
    await expect(deliverToWebhook(slack.url, payload, options({ baseDelayMs: 400 }))).resolves.toEqual({ attempts: 3, status: 200, waitedMs: 600 });
    // random() = 0.5 of ceilings 400, 800.
    expect(sleeps).toEqual([200, 400]);
  });

  it('caps the backoff ceiling', async () => {
    slack.script(...Array.from({ length: 5 }, () => ({ status: 502 })));
    await deliverToWebhook(slack.url, payload, options({ maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 0.999 }));
    expect(sleeps).toEqual([999, 1998, 2997, 2997, 2997]);
  });

  it('throws a clear error after the last 5xx, without the secret URL', async () => {
    slack.script(...Array.from({ length: 4 }, () => ({ status: 500, body: 'rollup_error' })));
    const error = await failure(deliverToWebhook(slack.url, payload, options({ maxAttempts: 4 })));
    expect(error.message).toBe('Slack webhook delivery failed after 4 attempts: HTTP 500 rollup_error');
    expect(error.details).toEqual({ attempts: 4, permanent: false, status: 500, code: 'rollup_error' });
    expect(error.message).not.toContain('fakeSecretToken');
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(slack.received).toHaveLength(4);
  });

  it('does not retry a 4xx: the same payload would be rejected again', async () => {
    slack.script({ status: 403, body: 'invalid_token' });
    const error = await failure(deliverToWebhook(slack.url, payload, options()));
    expect(error.message).toBe('Slack webhook rejected the message: HTTP 403 invalid_token (not retried)');
    expect(error.details).toEqual({ attempts: 1, permanent: true, status: 403, code: 'invalid_token' });
    expect(slack.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('is rejected like Slack rejects payloads over Block Kit limits', async () => {
    const tooLong = { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] };
    const error = await failure(deliverToWebhook(slack.url, tooLong, options()));
    expect(error.details).toEqual({ attempts: 1, permanent: true, status: 400, code: 'invalid_blocks' });
  });

  it('treats an unknown webhook path as permanent (404 no_service)', async () => {
    const error = await failure(deliverToWebhook(slack.url.replace('fakeSecretToken123', 'revoked'), payload, options()));
    expect(error.details).toMatchObject({ permanent: true, status: 404, code: 'no_service' });
    expect(error.message).not.toContain('revoked');
  });

  it('times out a slow answer and retries', async () => {
    slack.script({ status: 200, body: 'ok', delayMs: 5000 });
    await expect(deliverToWebhook(slack.url, payload, options())).resolves.toEqual({ attempts: 2, status: 200, waitedMs: 250 });
    expect(slack.received).toHaveLength(2);
  });

  it('gives up when every answer is too slow', async () => {
    slack.script({ status: 200, delayMs: 5000 }, { status: 200, delayMs: 5000 });
    const error = await failure(deliverToWebhook(slack.url, payload, options({ maxAttempts: 2 })));
    expect(error.message).toBe('Slack webhook delivery failed after 2 attempts: no response within 250 ms');
    expect(error.details).toEqual({ attempts: 2, permanent: false });
  });

  it('retries when nothing listens, and reports the network error without the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}${WEBHOOK_PATH}`;
    const error = await failure(deliverToWebhook(url, payload, options({ maxAttempts: 2 })));
    expect(error.message).toMatch(/^Slack webhook delivery failed after 2 attempts: network error \(TypeError ECONNREFUSED\)$/);
    expect(error.message).not.toContain('fakeSecretToken');
    expect(sleeps).toEqual([250]);
  });

  it('stops before the deadline instead of running into the Lambda timeout', async () => {
    let now = 1_000_000;
    slack.script({ status: 500, body: 'rollup_error' });
    const error = await failure(deliverToWebhook(slack.url, payload, options({ now: () => now, deadline: now + 200, sleep: async (ms) => void (now += ms), random: () => 0.9 })));
    expect(error.message).toBe('Slack webhook delivery failed after 1 attempt: HTTP 500 rollup_error; no time left to wait 450 ms for another');
    expect(slack.received).toHaveLength(1);
  });

  it('uses the remaining time as the last attempt’s timeout', async () => {
    slack.script({ status: 200, delayMs: 5000 });
    const now = 1_000_000;
    const error = await failure(deliverToWebhook(slack.url, payload, options({ timeoutMs: 60_000, maxAttempts: 1, now: () => now, deadline: now + 300 })));
    expect(error.message).toBe('Slack webhook delivery failed after 1 attempt: no response within 300 ms');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2024-06-03T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 03 Jun 2024 10:00:45 GMT', now)).toBe(45_000);
    expect(parseRetryAfter('Mon, 03 Jun 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
