import { createAlert, fingerprintOf, resolveAlert, type Alert, type AlertResource } from '../alerts/model';
import type { DispatchResult } from '../alerts/dispatch';
import { dashboardUrl, endpointLogGroup, inferenceIdsQuery, logsInsightsUrl, queryCommand } from '../alerts/links';
import type { NotificationHalf } from '../requests/halves';
import { Counters, silentLog, type LogSink } from '../telemetry/observations';
import type { AlertState } from '../store/alerts';
import type { RequestRecord } from '../requests/record';
import type { RequestStore } from '../store/requests';
import type { WindowStore, MinuteDelta } from '../store/windows';
import { settleWithLimit } from '../util/pool';
import { dashboardName } from '../attach/names';
import { latencyBucket } from './histogram';
import { evaluateRules, windowBounds, type DetectorSettings, type RuleResult } from './rules';

export interface RequestDetectorDeps {
  windows: Pick<WindowStore, 'add' | 'read'>;
  requests: Pick<RequestStore, 'queryByEndpoint'>;
  dispatch: (alert: Alert) => Promise<DispatchResult>;
  alertState: (fingerprint: string) => Promise<AlertState | undefined>;
  settings: DetectorSettings;
  region: string;
  now: () => number;
  log?: LogSink;
  /** The stack's name prefix (`sagewatch` or `sagewatch-<stage>`): names the endpoint's dashboard. */
  namePrefix?: string;
}

export interface DetectionOutcome {
  counters: Counters;
  alerts: Array<{ alert: Alert; result: DispatchResult }>;
}

const SAMPLE_IDS = 5;

/** Folds newly applied notifications into per-endpoint minute deltas (exactly once each). */
export function minuteDeltas(applied: readonly NotificationHalf[], now: number): MinuteDelta[] {
  const deltas = new Map<string, MinuteDelta>();
  for (const half of applied) {
    const at = half.completedAt ? Date.parse(half.completedAt) : now;
    const minute = Math.floor((Number.isFinite(at) ? at : now) / 60_000) * 60_000;
    const key = `${half.endpointName}\u0000${minute}`;
    let delta = deltas.get(key);
    if (!delta) {
      delta = { endpointName: half.endpointName, minute, finished: 0, failed: 0, byCategory: {}, latency: new Map() };
      deltas.set(key, delta);
    }
    delta.finished++;
    if (half.status === 'Failed') {
      delta.failed++;
      const category = half.failureCategory ?? 'Other';
      delta.byCategory[category] = (delta.byCategory[category] ?? 0) + 1;
    } else if (half.endToEndLatencyMs !== undefined) {
      const bucket = latencyBucket(half.endToEndLatencyMs);
      delta.latency.set(bucket, (delta.latency.get(bucket) ?? 0) + 1);
    }
  }
  return [...deltas.values()];
}

/**
 * The data path's detectors: add this batch's finished requests to the endpoints' windows,
 * then evaluate each endpoint it touched. A detector problem is logged and counted but never
 * fails the batch: the records themselves are already safely stored.
 */
export async function detectFromNotifications(applied: readonly NotificationHalf[], deps: RequestDetectorDeps): Promise<DetectionOutcome> {
  const log = deps.log ?? silentLog;
  const counters = new Counters();
  const alerts: DetectionOutcome['alerts'] = [];
  if (applied.length === 0) return { counters, alerts };
  const deltas = minuteDeltas(applied, deps.now());
  const added = await settleWithLimit(deltas, 8, (delta) => deps.windows.add(delta));
  added.forEach((outcome, i) => {
    if (outcome.status === 'rejected') {
      counters.add('DetectorErrors');
      log.warn('window update failed; detectors will see fewer requests', { endpointName: deltas[i]!.endpointName, error: String(outcome.reason) });
    }
  });
  const endpoints = [...new Set(applied.map((half) => half.endpointName))];
  for (const endpointName of endpoints) {
    try {
      alerts.push(...(await evaluateEndpoint(endpointName, deps)));
    } catch (error) {
      counters.add('DetectorErrors');
      log.warn('detector evaluation failed', { endpointName, error: String(error) });
    }
  }
  return { counters, alerts };
}

/** Evaluates one endpoint now; sends what fires and resolves what cleared. */
export async function evaluateEndpoint(endpointName: string, deps: RequestDetectorDeps): Promise<DetectionOutcome['alerts']> {
  const now = deps.now();
  const { baselineStart, windowEnd } = windowBounds(now, deps.settings);
  const buckets = await deps.windows.read(endpointName, baselineStart, windowEnd - 60_000);
  const resource: AlertResource = { type: 'endpoint', name: endpointName, region: deps.region };
  const sent: DetectionOutcome['alerts'] = [];
  for (const result of evaluateRules(buckets, now, deps.settings)) {
    let alert: Alert | undefined;
    if (result.firing) {
      alert = await buildAlert(endpointName, resource, result, now, deps);
    } else {
      const state = await deps.alertState(fingerprintOf(result.kind, resource));
      if (state?.status !== 'firing') continue;
      const firing = createAlert({ ...describe(endpointName, result), severity: state.severity, resource, detectedAt: now });
      alert = resolveAlert(firing, { at: now, description: cleared(result), evidence: { numbers: result.numbers } });
    }
    sent.push({ alert, result: await deps.dispatch(alert) });
  }
  return sent;
}

function describe(endpointName: string, result: RuleResult): { kind: RuleResult['kind']; title: string; description: string } {
  const n = (name: string) => result.numbers.find((x) => x.name === name)?.value ?? 0;
  const categories = result.topCategories.map((c) => `${c.category} ${c.count}`).join(', ');
  switch (result.kind) {
    case 'failure-burst':
      return {
        kind: result.kind,
        title: `Failure burst on ${endpointName}: ${n('failed requests')} of ${n('finished requests')} async requests failed`,
        description: `${n('failure rate')}% of the async requests that finished in the last ${n('window')} minutes failed${categories ? ` (${categories})` : ''}.`,
      };
    case 'expired-requests':
      return {
        kind: result.kind,
        title: `${n('expired requests')} async request(s) expired on ${endpointName}`,
        description: `Requests waited in the queue past their TTL in the last ${n('window')} minutes: the endpoint is not keeping up (check ApproximateBacklogSize, HasBacklogWithoutCapacity and scaling).`,
      };
    case 'latency-shift':
      return {
        kind: result.kind,
        title: `Latency shift on ${endpointName}: p50 ${n('p50 latency now')} ms vs ${n('p50 latency baseline')} ms baseline`,
        description: `Median end-to-end latency of completed async requests is ${(n('p50 latency now') / Math.max(1, n('p50 latency baseline'))).toFixed(1)}x the endpoint's own recent baseline.`,
      };
  }
}

function cleared(result: RuleResult): string {
  switch (result.kind) {
    case 'failure-burst':
      return 'The failure rate is back under the threshold.';
    case 'expired-requests':
      return 'No more requests expired in the window.';
    case 'latency-shift':
      return 'Median latency is back near its baseline.';
  }
}

async function buildAlert(endpointName: string, resource: AlertResource, result: RuleResult, now: number, deps: RequestDetectorDeps): Promise<Alert> {
  const since = new Date(result.windowStart).toISOString();
  const samples = await sampleRecords(endpointName, result, since, deps);
  const ids = samples.map((r) => r.inferenceId);
  const facts = result.topCategories.slice(0, 5).map((c) => ({ name: `failures: ${c.category}`, value: String(c.count) }));
  const reason = samples.find((r) => r.failureReason)?.failureReason;
  if (reason) facts.push({ name: 'latest failure reason', value: reason });
  const logGroup = endpointLogGroup(endpointName);
  const links = [
    {
      label: 'Data-log lines of these requests',
      url: logsInsightsUrl(deps.region, { logGroups: [logGroup], query: inferenceIdsQuery(ids), start: result.windowStart, end: result.windowEnd }),
    },
    { label: 'Endpoint dashboard', url: dashboardUrl(deps.region, dashboardName(deps.namePrefix ?? 'sagewatch', endpointName)) },
  ];
  const status = result.kind === 'latency-shift' ? 'Completed' : 'Failed';
  return createAlert({
    ...describe(endpointName, result),
    severity: result.severity,
    resource,
    detectedAt: now,
    windowStart: result.windowStart,
    windowEnd: result.windowEnd,
    evidence: {
      numbers: result.numbers,
      facts,
      inferenceIds: ids,
      links,
      commands: [queryCommand({ endpoint: endpointName, status, since }), ...(ids[0] ? [queryCommand({ inferenceId: ids[0] })] : [])],
    },
  });
}

async function sampleRecords(endpointName: string, result: RuleResult, since: string, deps: RequestDetectorDeps): Promise<RequestRecord[]> {
  try {
    if (result.kind === 'latency-shift') {
      const completed = await deps.requests.queryByEndpoint({ endpointName, from: since, status: 'Completed', limit: 100 });
      return completed.sort((a, b) => (b.endToEndLatencyMs ?? 0) - (a.endToEndLatencyMs ?? 0)).slice(0, SAMPLE_IDS);
    }
    const failed = await deps.requests.queryByEndpoint({ endpointName, from: since, status: 'Failed', limit: 50 });
    const wanted = result.kind === 'expired-requests' ? failed.filter((r) => r.failureCategory === 'Expired') : failed;
    return wanted.slice(0, SAMPLE_IDS);
  } catch (error) {
    // Samples make an alert better; their absence must not stop it.
    deps.log?.warn('could not read sample requests for an alert', { endpointName, error: String(error) });
    return [];
  }
}
