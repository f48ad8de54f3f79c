import { createAlert, fingerprintOf, resolveAlert, type Alert, type AlertResource } from '../alert-model/alert';
import type { AlertState } from '../store/alerts';
import type { InputLag } from '../store/windows';
import { LAG_HOLD_MS, drainedSince } from '../detect/watermark';
import type { DispatchResult } from './dispatch';

/**
 * Self-monitoring: when one of sagewatch's own inputs falls behind (its queue or stream holds
 * messages minutes old), that is one alert about sagewatch, `pipeline-behind`, not a flood of
 * request alerts: the request-level detectors wait for the late data (they judge by event time
 * up to the input's watermark) instead of calling requests failed or lost. It resolves when
 * the input is back under half the threshold, as the sweeper sees it (PipelineLagMonitor.review).
 */
export interface PipelineLagDeps {
  dispatch: (alert: Alert) => Promise<DispatchResult>;
  thresholdMinutes: number;
  /**
   * Behind this long, the alert turns critical (sent once more): every request outcome of the
   * account has been unknown that long, and no request-level alert can speak for them meanwhile.
   */
  criticalMinutes?: number;
  region: string;
}

const INPUT_LABEL: Record<string, string> = {
  notifications: 'async notification queue',
  logs: 'data-log stream',
};

/**
 * Where to look besides our own function. Nothing delivered while the data log shows requests
 * finishing is also what it looks like when the endpoints' topics stop delivering to our queue,
 * which is not sagewatch falling behind but every notification of the account being lost.
 */
const INPUT_CHECK: Record<string, string> = {
  notifications:
    "check processNotifications' errors, throttles and concurrency; if its queue is empty, check that the endpoints' success and error topics still deliver to sagewatch's queue (their subscriptions)",
};

/**
 * The notification input's lag as the sweeper sees it, its silence included: when the data log
 * shows requests finished (`waiting`: before the stuck cut-off of the lag watermark) and no
 * notification of a later event has come, the path is as far behind as its newest delivered
 * event, whether or not batches flow to measure a queue lag. One incident for the input either
 * way (the same fingerprint), not a second alert for the same backlog.
 */
export function laggingWithSilence(lag: InputLag | undefined, lagWatermark: number, waiting: boolean, now: number): InputLag | undefined {
  if (!lag || !waiting || lag.newestEventAt === undefined) return lag;
  const silentMs = Math.max(0, lagWatermark - lag.newestEventAt);
  return silentMs > lag.lagMs ? { input: lag.input, at: now, lagMs: silentMs } : lag;
}

function resource(input: string, region: string): AlertResource {
  return { type: 'sagewatch-input', name: input, region };
}

/** Remembers, per warm instance, what it last said about each input: one send per change. */
export class PipelineLagMonitor {
  private readonly firing = new Map<string, { since: number; worst: number; critical: boolean }>();
  /** The lags the sweeper reviewed over the last LAG_HOLD_MS, per input (see review). */
  private readonly reviewed = new Map<string, Array<{ at: number; lagMs: number }>>();

  constructor(private readonly deps: PipelineLagDeps) {}

  /**
   * `resolves: false` for a view that sees only part of the input's lag: processNotifications
   * measures its queue, not the silence the sweeper also counts (laggingWithSilence), so where
   * its queue is back under the threshold it forgets its own firing and leaves the resolution
   * to the sweeper, which sees both; else one would resolve what the other fires again.
   */
  async observe(input: string, lagMs: number, now: number, options: { resolves?: boolean } = {}): Promise<{ alert: Alert; result: DispatchResult } | undefined> {
    const threshold = this.deps.thresholdMinutes * 60_000;
    const open = this.firing.get(input);
    const label = INPUT_LABEL[input] ?? input;
    if (lagMs >= threshold) {
      const critical = this.deps.criticalMinutes !== undefined && lagMs >= this.deps.criticalMinutes * 60_000;
      if (open) {
        open.worst = Math.max(open.worst, lagMs);
        if (!critical || open.critical) return undefined;
        open.critical = true;
      } else {
        this.firing.set(input, { since: now, worst: lagMs, critical });
      }
      const minutes = Math.round(lagMs / 60_000);
      const alert = createAlert({
        kind: 'pipeline-behind',
        severity: critical ? 'critical' : 'warning',
        title: `sagewatch's ${label} is behind`,
        description: `sagewatch's ${label} is ${minutes} minutes behind (threshold ${this.deps.thresholdMinutes}${critical ? `, critical at ${this.deps.criticalMinutes}` : ''}): its messages wait that long, or it has delivered nothing that recent while the data log shows requests finishing. ${critical ? `No request outcome of the last ${minutes} minutes is known: failures and lost notifications of that time are neither alerted nor called lost until it catches up. ` : ''}Request-level alerts judge the late requests when they arrive and nothing is called lost meanwhile; ${INPUT_CHECK[input] ?? "check the function's errors, throttles and concurrency"}.`,
        resource: resource(input, this.deps.region),
        detectedAt: now,
        evidence: { numbers: [{ name: 'behind', value: minutes, unit: 'min' }] },
      });
      return { alert, result: await this.deps.dispatch(alert) };
    }
    if (!open || lagMs >= threshold / 2) return undefined;
    this.firing.delete(input);
    if (options.resolves === false) return undefined;
    const firing = createAlert({
      kind: 'pipeline-behind',
      severity: open.critical ? 'critical' : 'warning',
      title: `sagewatch's ${label} is behind`,
      description: '',
      resource: resource(input, this.deps.region),
      detectedAt: now,
    });
    const alert = resolveAlert(firing, {
      at: now,
      description: `Caught up: at worst ${Math.round(open.worst / 60_000)} minutes behind, from ${new Date(open.since).toISOString().slice(11, 16)} to ${new Date(now).toISOString().slice(11, 16)} UTC.`,
    });
    return { alert, result: await this.deps.dispatch(alert) };
  }

  /**
   * The sweeper's view, from the lag the input last recorded: an input that stopped reporting
   * while behind is still behind (and more so) until it has been silent longer than that lag
   * and its hold, when its queue has drained (a consumer that stopped altogether is the
   * native age-of-oldest-message health alarm's); one that is back under half the threshold
   * resolves an alert still firing in the alert store, whoever raised it.
   */
  /**
   * The worst lag reviewed over the last LAG_HOLD_MS. The stored lag is whichever instance of
   * processNotifications wrote last, each holding only what it saw: one fresh instance given an
   * on-time message writes a lag of a minute while the backlog is still 20 minutes out, and
   * the alert would resolve, to fire again at the next late message.
   */
  private heldOver(input: string, lagMs: number, now: number): number {
    const kept = (this.reviewed.get(input) ?? []).filter((entry) => now - entry.at <= LAG_HOLD_MS && entry.at <= now);
    kept.push({ at: now, lagMs });
    this.reviewed.set(input, kept);
    return Math.max(...kept.map((entry) => entry.lagMs));
  }

  async review(
    input: string,
    lag: InputLag | undefined,
    now: number,
    stateOf: (fingerprint: string) => Promise<AlertState | undefined>,
  ): Promise<{ alert: Alert; result: DispatchResult } | undefined> {
    if (!lag) return undefined;
    const threshold = this.deps.thresholdMinutes * 60_000;
    const lagMs = this.heldOver(input, drainedSince(lag, now) ? 0 : lag.lagMs >= threshold ? lag.lagMs + Math.max(0, now - lag.at) : lag.lagMs, now);
    if (lagMs < threshold / 2 && !this.firing.has(input)) {
      const state = await stateOf(fingerprintOf('pipeline-behind', resource(input, this.deps.region)));
      if (state?.status !== 'firing') return undefined;
      this.firing.set(input, { since: Date.parse(state.sentAt), worst: 0, critical: state.severity === 'critical' });
    }
    return this.observe(input, lagMs, now);
  }
}
