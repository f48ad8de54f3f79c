import type { Alert, AlertKind } from '../alert-model/alert';
import type { DispatchResult } from './dispatch';
import { alertStuck, resolveStuck, STUCK_KINDS, type StuckAlertDeps } from './stuck-alerts';
import { judgeEndpoint, REQUEST_ALERT_KINDS, type RequestAlertDeps } from './request-alerts';
import { type Counters, silentLog, type LogSink, type Observation } from '../telemetry/observations';
import type { SentAlert } from '../store/alerts';
import type { RequestRecord } from '../requests/record';
import { findStuck, type SweepDeps } from '../detect/sweeper';

/**
 * The scheduled sweep: stuck requests (lib/detect/sweeper.ts) become their endpoint's stuck
 * incidents; incidents whose condition can only clear with time (no more stuck requests, no
 * more traffic) are re-judged so their resolutions go out.
 */
export interface SweepAlertDeps extends SweepDeps, Omit<StuckAlertDeps, 'now'> {
  recentAlerts: (since: number) => Promise<SentAlert[]>;
  log?: LogSink;
  /** Re-judges the request-level incidents of an endpoint (resolutions once traffic stops). */
  detectors?: RequestAlertDeps;
}

export interface SweepOutcome {
  stuck: RequestRecord[];
  cleaned: number;
  waiting: number;
  complete: boolean;
  counters: Counters;
  observations: Observation[];
  alerts: Array<{ alert: Alert; result: DispatchResult }>;
}

const REQUEST_KINDS = new Set<AlertKind>(REQUEST_ALERT_KINDS);

export async function sweep(deps: SweepAlertDeps): Promise<SweepOutcome> {
  const log = deps.log ?? silentLog;
  const findings = await findStuck(deps);
  const { counters } = findings;
  const { alerts, observations } = await alertStuck(findings.stuck, deps);

  const recent = await deps.recentAlerts(deps.now() - 86_400_000);
  const firing = new Map<string, Set<AlertKind>>();
  // Newest first: the latest message of a fingerprint says whether it is still firing.
  const seen = new Set<string>();
  for (const { alert } of recent) {
    if (alert.resource.type !== 'endpoint' || seen.has(alert.fingerprint)) continue;
    seen.add(alert.fingerprint);
    if (alert.status === 'firing') firing.set(alert.resource.name, (firing.get(alert.resource.name) ?? new Set()).add(alert.kind));
  }
  const foundNow = new Set(findings.stuck.map((r) => `${r.endpointName}\u0000${r.logErrorCount > 0 ? STUCK_KINDS[0] : STUCK_KINDS[1]}`));
  const withStuck = [...firing].filter(([, kinds]) => STUCK_KINDS.some((k) => kinds.has(k))).map(([endpoint]) => endpoint);
  alerts.push(...(await resolveStuck(withStuck, foundNow, deps)));

  const detectors = deps.detectors;
  const withRequestAlerts = [...firing].filter(([, kinds]) => [...kinds].some((k) => REQUEST_KINDS.has(k))).map(([endpoint]) => endpoint);
  if (detectors && withRequestAlerts.length > 0) {
    try {
      const views = await detectors.state.load(withRequestAlerts, deps.now());
      for (const view of views.values()) alerts.push(...(await judgeEndpoint(view, deps.notificationWatermark, detectors)));
    } catch (error) {
      counters.add('DetectorErrors');
      log.warn('re-evaluation failed', { endpoints: withRequestAlerts.length, error: String(error) });
    }
  }
  return { stuck: findings.stuck, cleaned: findings.cleaned, waiting: findings.waiting, complete: findings.complete, counters, observations, alerts };
}
