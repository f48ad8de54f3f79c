/**
 * Whether a Slack webhook delivery is tried again, and after how long: `429` waits for Slack's
 * `Retry-After`; `5xx`, `408`, network errors and timeouts back off exponentially (capped) with
 * full jitter; any other status is permanent, since the same payload would fail the same way.
 * lib/alerts/webhook.ts sends the attempts; this file decides between them.
 */
export type Outcome = { kind: 'ok'; status: number } | { kind: 'retry'; status?: number; code?: string; why: string; retryAfterMs?: number } | { kind: 'permanent'; status: number; code?: string };

/** What one answer of the webhook means; `code` is Slack's short error code from the body. */
export function outcomeOfResponse(status: number, code: string | undefined, retryAfter: string | null, now: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { kind: 'retry', status, ...(code ? { code } : {}), why: `HTTP 429${code ? ` ${code}` : ''}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', status, ...(code ? { code } : {}), why: `HTTP ${status}${code ? ` ${code}` : ''}` };
  return { kind: 'permanent', status, ...(code ? { code } : {}) };
}

/** No answer at all (timed out, or the network failed): always worth another attempt. */
export function outcomeOfNoResponse(timedOut: boolean, timeoutMs: number, error: unknown): Outcome {
  if (timedOut) return { kind: 'retry', why: `no response within ${timeoutMs} ms` };
  return { kind: 'retry', why: `network error (${networkReason(error)})` };
}

/** The wait before the next attempt: Slack's `Retry-After` when it gave one, else jittered backoff. */
export function retryDelay(outcome: Extract<Outcome, { kind: 'retry' }>, attempt: number, backoff: { baseDelayMs: number; maxDelayMs: number; random: () => number }): number {
  const jittered = backoff.random() * Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(outcome.retryAfterMs ?? jittered);
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error's code and name only: messages of fetch errors can quote the URL. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const name = error instanceof Error ? error.name : 'Error';
  return code ? `${name} ${code}` : name;
}
