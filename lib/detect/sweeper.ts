import { createAlert, fingerprintOf, resolveAlert, type Alert, type AlertKind, type AlertResource } from '../alerts/model';
import type { DispatchResult } from '../alerts/dispatch';
import { endpointLogGroup, inferenceIdsQuery, logsInsightsUrl, queryCommand } from '../alerts/links';
import { Counters, silentLog, type LogSink, type Observation } from '../telemetry/observations';
import type { AlertState, SentAlert } from '../store/alerts';
import type { RequestRecord } from '../requests/record';
import { OPEN_SHARDS, type RequestStore } from '../store/requests';
import { evaluateEndpoint, type RequestDetectorDeps } from './request-detectors';

/**
 * The scheduled sweeper. Requests whose data log spoke but whose notification never came are
 * found through the sparse open-requests index, reported once (metric + alert) and taken off
 * the index; alerts whose condition can only clear with time (no more traffic) are re-evaluated
 * so their resolutions go out.
 */
export interface SweeperDeps {
  requests: Pick<RequestStore, 'queryOpen' | 'closeOpen'>;
  dispatch: (alert: Alert) => Promise<DispatchResult>;
  alertState: (fingerprint: string) => Promise<AlertState | undefined>;
  recentAlerts: (since: number) => Promise<SentAlert[]>;
  stuckAfterMinutes: number;
  region: string;
  now: () => number;
  log?: LogSink;
  /** Requests examined per shard and run; the rest wait for the next run. */
  batchLimit?: number;
  /** Re-evaluates the request-level rules of an endpoint (resolutions once traffic stops). */
  detectors?: RequestDetectorDeps;
}

export interface SweepOutcome {
  stuck: RequestRecord[];
  cleaned: number;
  counters: Counters;
  observations: Observation[];
  alerts: Array<{ alert: Alert; result: DispatchResult }>;
}

const STUCK_KINDS: AlertKind[] = ['log-errors-without-notification', 'stuck-requests'];

export async function sweep(deps: SweeperDeps): Promise<SweepOutcome> {
  const log = deps.log ?? silentLog;
  const now = deps.now();
  const cutoff = new Date(now - deps.stuckAfterMinutes * 60_000).toISOString();
  const counters = new Counters();
  const stuck: RequestRecord[] = [];
  let cleaned = 0;

  for (let shard = 0; shard < OPEN_SHARDS; shard++) {
    const open = await deps.requests.queryOpen(shard, cutoff, deps.batchLimit ?? 500);
    for (const record of open) {
      const key = { inferenceId: record.inferenceId, endpointName: record.endpointName };
      if (record.sources.includes('notification')) {
        // Its log lines arrived after the notification: not stuck, just still indexed.
        if (await deps.requests.closeOpen(key)) cleaned++;
        continue;
      }
      if (await deps.requests.closeOpen(key, new Date(now).toISOString())) stuck.push(record);
    }
  }
  counters.add('StuckRequestsFound', stuck.length);
  counters.add('OpenIndexCleaned', cleaned);

  const byEndpoint = new Map<string, RequestRecord[]>();
  for (const record of stuck) byEndpoint.set(record.endpointName, [...(byEndpoint.get(record.endpointName) ?? []), record]);
  const observations: Observation[] = [];
  const alerts: SweepOutcome['alerts'] = [];
  for (const [endpointName, records] of byEndpoint) {
    observations.push({ name: 'StuckRequests', unit: 'Count', value: records.length, dimensionSets: [{ EndpointName: endpointName }] });
    const withErrors = records.filter((r) => r.logErrorCount > 0);
    const quiet = records.filter((r) => r.logErrorCount === 0);
    if (withErrors.length > 0) alerts.push(await send(stuckAlert('log-errors-without-notification', endpointName, withErrors, now, deps), deps));
    if (quiet.length > 0) alerts.push(await send(stuckAlert('stuck-requests', endpointName, quiet, now, deps), deps));
  }

  // Conditions that clear with time: resolve them even when no new traffic re-evaluates them.
  const recent = await deps.recentAlerts(now - 86_400_000);
  const firingEndpoints = new Map<string, Set<AlertKind>>();
  for (const { alert } of recent) {
    if (alert.resource.type !== 'endpoint' || alert.status !== 'firing') continue;
    firingEndpoints.set(alert.resource.name, (firingEndpoints.get(alert.resource.name) ?? new Set()).add(alert.kind));
  }
  for (const [endpointName, kinds] of firingEndpoints) {
    const resource: AlertResource = { type: 'endpoint', name: endpointName, region: deps.region };
    for (const kind of STUCK_KINDS) {
      if (!kinds.has(kind) || byEndpoint.get(endpointName)?.some((r) => (kind === 'stuck-requests') === (r.logErrorCount === 0))) continue;
      const state = await deps.alertState(fingerprintOf(kind, resource));
      if (state?.status !== 'firing') continue;
      const firing = createAlert({ kind, severity: state.severity, title: state.title, description: '', resource, detectedAt: now });
      alerts.push(await send(resolveAlert(firing, { at: now, description: 'No more requests are waiting for their notification.' }), deps));
    }
    if (deps.detectors && [...kinds].some((k) => k === 'failure-burst' || k === 'latency-shift' || k === 'expired-requests')) {
      try {
        alerts.push(...(await evaluateEndpoint(endpointName, { ...deps.detectors, now: deps.now })));
      } catch (error) {
        counters.add('DetectorErrors');
        log.warn('re-evaluation failed', { endpointName, error: String(error) });
      }
    }
  }
  return { stuck, cleaned, counters, observations, alerts };
}

async function send(alert: Alert, deps: SweeperDeps): Promise<{ alert: Alert; result: DispatchResult }> {
  return { alert, result: await deps.dispatch(alert) };
}

function stuckAlert(kind: 'log-errors-without-notification' | 'stuck-requests', endpointName: string, records: RequestRecord[], now: number, deps: SweeperDeps): Alert {
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
      ? `The data log reported errors for these requests more than ${deps.stuckAfterMinutes} minutes ago and no success or error notification followed: callers waiting on SNS will never hear of them. Check NotificationFailures and the endpoint's SNS topics.`
      : `These requests have data-log lines but no notification after ${deps.stuckAfterMinutes} minutes: the notification was lost or the request never finished.`,
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
