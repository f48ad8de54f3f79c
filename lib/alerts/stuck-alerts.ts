import { createAlert, fingerprintOf, resolveAlert, type Alert, type AlertResource } from '../alert-model/alert';
import type { DispatchResult } from './dispatch';
import { endpointLogGroup, inferenceIdsQuery, logsInsightsUrl, queryCommand } from './links';
import type { Observation } from '../telemetry/observations';
import type { AlertState, AlertStore } from '../store/alerts';
import type { RequestRecord } from '../requests/record';

/**
 * The sweeper's alerts: per endpoint, one incident for failed requests that never got their
 * notification (critical: the callers waiting on SNS will never hear of them) and one for
 * quiet requests stuck without one. More stuck requests while the incident is open only note
 * that it persists; it resolves once no new one has been found for `recoveryMinutes`.
 */
export type StuckKind = 'log-errors-without-notification' | 'stuck-requests';
export const STUCK_KINDS: readonly StuckKind[] = ['log-errors-without-notification', 'stuck-requests'];

export interface StuckAlertDeps {
  dispatch: (alert: Alert) => Promise<DispatchResult>;
  store: Pick<AlertStore, 'state' | 'touch'>;
  stuckAfterMinutes: number;
  recoveryMinutes: number;
  region: string;
  now: () => number;
}

export function kindOf(record: RequestRecord): StuckKind {
  return record.logErrorCount > 0 ? 'log-errors-without-notification' : 'stuck-requests';
}

/** Sends (or notes) the alerts of this sweep's stuck requests; returns them and the per-endpoint metric. */
export async function alertStuck(stuck: readonly RequestRecord[], deps: StuckAlertDeps): Promise<{ alerts: Array<{ alert: Alert; result: DispatchResult }>; observations: Observation[] }> {
  const now = deps.now();
  const groups = new Map<string, RequestRecord[]>();
  for (const record of stuck) {
    const key = `${record.endpointName}\u0000${kindOf(record)}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const perEndpoint = new Map<string, number>();
  const alerts: Array<{ alert: Alert; result: DispatchResult }> = [];
  for (const [key, records] of groups) {
    const [endpointName, kind] = key.split('\u0000') as [string, StuckKind];
    perEndpoint.set(endpointName, (perEndpoint.get(endpointName) ?? 0) + records.length);
    const alert = stuckAlert(kind, endpointName, records, now, deps);
    const result = await deps.dispatch(alert);
    if (!result.sent) await deps.store.touch(alert.fingerprint, now);
    alerts.push({ alert, result });
  }
  const observations: Observation[] = [...perEndpoint].map(([endpointName, value]) => ({
    name: 'StuckRequests',
    unit: 'Count',
    value,
    dimensionSets: [{ EndpointName: endpointName }],
  }));
  return { alerts, observations };
}

/**
 * Resolves the stuck incidents of these endpoints that saw no new stuck request in this sweep
 * and none for `recoveryMinutes` before it.
 */
export async function resolveStuck(endpoints: Iterable<string>, foundNow: ReadonlySet<string>, deps: StuckAlertDeps): Promise<Array<{ alert: Alert; result: DispatchResult }>> {
  const now = deps.now();
  const out: Array<{ alert: Alert; result: DispatchResult }> = [];
  for (const endpointName of endpoints) {
    const resource: AlertResource = { type: 'endpoint', name: endpointName, region: deps.region };
    for (const kind of STUCK_KINDS) {
      if (foundNow.has(`${endpointName}\u0000${kind}`)) continue;
      const state = await deps.store.state(fingerprintOf(kind, resource));
      if (state?.status !== 'firing' || !quietLongEnough(state, now, deps.recoveryMinutes)) continue;
      const firing = createAlert({ kind, severity: state.severity, title: state.title, description: '', resource, detectedAt: now });
      const since = state.lastSeenAt ?? state.sentAt;
      const alert = resolveAlert(firing, {
        at: now,
        description: `No more requests are waiting for their notification: none found since ${since.slice(11, 16)} UTC (the incident began ${state.sentAt.slice(11, 16)} UTC).`,
      });
      out.push({ alert, result: await deps.dispatch(alert) });
    }
  }
  return out;
}

function quietLongEnough(state: AlertState, now: number, minutes: number): boolean {
  return now - Date.parse(state.lastSeenAt ?? state.sentAt) >= minutes * 60_000;
}

function stuckAlert(kind: StuckKind, endpointName: string, records: RequestRecord[], now: number, deps: StuckAlertDeps): Alert {
  const oldest = Math.min(...records.map((r) => Date.parse(r.firstLogAt ?? r.requestTime ?? new Date(now).toISOString())));
  const ids = records.map((r) => r.inferenceId).slice(0, 5);
  const categories = new Map<string, number>();
  for (const r of records) if (r.logCategory) categories.set(r.logCategory, (categories.get(r.logCategory) ?? 0) + 1);
  const withErrors = kind === 'log-errors-without-notification';
  return createAlert({
    kind,
    severity: withErrors ? 'critical' : 'warning',
    title: withErrors
      ? `${records.length} failed async request(s) on ${endpointName} never got a notification`
      : `${records.length} async request(s) on ${endpointName} are stuck without a notification`,
    description: withErrors
      ? `The data log reported errors for these requests more than ${deps.stuckAfterMinutes} minutes ago and no success or error notification followed, while sagewatch's own notification input was keeping up: callers waiting on SNS will never hear of them. Check NotificationFailures and the endpoint's SNS topics.`
      : `These requests have data-log lines but no notification ${deps.stuckAfterMinutes} minutes after sagewatch's notification input passed them: the notification was lost or the request never finished.`,
    resource: { type: 'endpoint', name: endpointName, region: deps.region },
    detectedAt: now,
    windowStart: oldest,
    windowEnd: now,
    evidence: {
      numbers: [
        { name: 'requests', value: records.length },
        { name: 'oldest waiting', value: Math.round((now - oldest) / 60_000), unit: 'min' },
      ],
      facts: [...categories].map(([category, count]) => ({ name: `log category: ${category}`, value: String(count) })),
      inferenceIds: ids,
      links: [
        {
          label: 'Data-log lines of these requests',
          url: logsInsightsUrl(deps.region, { logGroups: [endpointLogGroup(endpointName)], query: inferenceIdsQuery(ids), start: oldest - 60_000, end: now }),
        },
      ],
      commands: [queryCommand({ endpoint: endpointName, status: 'InProgress' }), ...(ids[0] ? [queryCommand({ inferenceId: ids[0] })] : [])],
    },
  });
}
