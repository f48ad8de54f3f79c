import { createAlert, resolveAlert, type Alert, type AlertResource } from '../alert-model/alert';
import type { DispatchResult } from './dispatch';
import { dashboardUrl, endpointLogGroup, inferenceIdsQuery, logsInsightsUrl, queryCommand } from './links';
import { decideIncident, parseIncident, type Incident, type IncidentDecision } from './incident';
import { describeBaseline, describeFiring, describeResolution, type Firing } from './request-alert-text';
import type { NotificationHalf } from '../requests/halves';
import { Counters, silentLog, type LogSink } from '../telemetry/observations';
import type { RequestRecord } from '../requests/record';
import type { RequestStore } from '../store/requests';
import type { WindowStore } from '../store/windows';
import { VersionConflictError } from '../store/errors';
import { dashboardName } from '../names/owned';
import { sortedSlots, type EndpointState, type EndpointView } from '../detect/endpoint-state';
import { failureEvidence, failureRecovered, type FailureBaseline } from '../detect/failure-evidence';
import { histogramPairs, latencyEvidence, latencyRecovered, latencyBaseline } from '../detect/latency-evidence';
import { expiryEvidence, expiryRecovered } from '../detect/expiry-evidence';
import { withoutExpiries } from '../detect/model-failures';
import type { DetectorSettings } from '../detect/settings';
import { slotDeltas, type Slot, type Span } from '../detect/slots';
import type { Histogram } from '../detect/histogram';

/**
 * The request-level alerts of the data path: each batch's finished requests go into their
 * endpoints' slots (one write per endpoint and slot), then each endpoint the batch touched is
 * judged from the state read once for the batch: failures, latency, expiries, each against the
 * endpoint's own baseline (lib/detect/*-evidence.ts), each through its incident
 * (lib/alerts/incident.ts). Only an incident that opens, escalates or closes builds an alert
 * (with sample requests) and sends it. A detector problem is logged and counted but never
 * fails the batch: the records themselves are already safely stored.
 */
export type RequestAlertKind = 'failure-burst' | 'latency-shift' | 'expired-requests';
export const REQUEST_ALERT_KINDS: readonly RequestAlertKind[] = ['failure-burst', 'latency-shift', 'expired-requests'];

export type RequestAlertSettings = DetectorSettings;

export interface RequestAlertDeps {
  state: EndpointState;
  windows: Pick<WindowStore, 'putIncident'>;
  requests: Pick<RequestStore, 'queryByEndpoint'>;
  dispatch: (alert: Alert) => Promise<DispatchResult>;
  settings: RequestAlertSettings;
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

/**
 * Adds the batch's newly applied notifications to their endpoints' slots and judges those
 * endpoints. `watermark`: the event time up to which the notification input is complete.
 */
export async function detectFromNotifications(applied: readonly NotificationHalf[], watermark: number, deps: RequestAlertDeps): Promise<DetectionOutcome> {
  const log = deps.log ?? silentLog;
  const counters = new Counters();
  const alerts: DetectionOutcome['alerts'] = [];
  if (applied.length === 0) return { counters, alerts };
  const now = deps.now();
  const deltas = slotDeltas(applied, now);
  let views: Map<string, EndpointView>;
  try {
    views = await deps.state.load([...deltas.keys()], now);
  } catch (error) {
    counters.add('DetectorErrors');
    log.warn('detector state could not be read; this batch is not judged', { error: String(error) });
    views = new Map();
  }
  for (const [endpointName, slots] of deltas) {
    try {
      await deps.state.add(endpointName, slots.values());
    } catch (error) {
      counters.add('DetectorErrors');
      log.warn('detector slot update failed; detectors will see fewer requests', { endpointName, error: String(error) });
    }
  }
  for (const [endpointName, view] of views) {
    try {
      alerts.push(...(await judgeEndpoint(view, watermark, deps)));
    } catch (error) {
      counters.add('DetectorErrors');
      log.warn('detector evaluation failed', { endpointName, error: String(error) });
    }
  }
  return { counters, alerts };
}

/** Judges one endpoint (the sweeper calls it too, for incidents whose traffic stopped). */
export async function judgeEndpoint(view: EndpointView, watermark: number, deps: RequestAlertDeps): Promise<DetectionOutcome['alerts']> {
  const now = deps.now();
  const slots = sortedSlots(view);
  const lastActivity = slots.length > 0 ? slots[slots.length - 1]!.start + 5 * 60_000 : undefined;
  const sent: DetectionOutcome['alerts'] = [];
  // One page per cause: expiries are the expiry detector's, not also a failure burst.
  const modelSlots = withoutExpiries(slots);
  for (const kind of REQUEST_ALERT_KINDS) {
    const evidence = kind === 'failure-burst' ? modelSlots : slots;
    const stored = view.incidents.get(kind);
    const incident = parseIncident(stored?.body);
    const open = incident?.status === 'open';
    // The last incident's requests never raise the next one, nor count as anyone's baseline.
    const notBefore = incident?.status === 'closed' ? incident.clearedFrom : undefined;
    const exclude: Span[] = incident ? [{ from: incident.from, to: incident.clearedFrom ?? Number.POSITIVE_INFINITY }] : [];
    const judged = judgeKind(kind, evidence, watermark, deps.settings, { open, incident, ...(notBefore !== undefined ? { notBefore } : {}), exclude });
    const decision = decideIncident(incident, {
      ...(judged.firing ? { firing: { severity: judged.firing.severity, from: judged.firing.window.from } } : {}),
      ...(judged.recovered ? { recovered: judged.recovered } : {}),
      ...(lastActivity !== undefined ? { lastActivity } : {}),
      now,
      idleMinutes: deps.settings.idleMinutes,
    });
    if (decision.action === 'hold') continue;
    const outcome = await act(view, kind, incident, stored?.version ?? 0, decision, judged.firing, evidence, deps);
    if (outcome) sent.push(outcome);
  }
  return sent;
}

interface Judged {
  firing?: Firing;
  recovered?: { since: number };
}

function judgeKind(
  kind: RequestAlertKind,
  slots: readonly Slot[],
  watermark: number,
  settings: RequestAlertSettings,
  context: { open: boolean; incident?: Incident; notBefore?: number; exclude: Span[] },
): Judged {
  const scope = { ...(context.notBefore !== undefined ? { notBefore: context.notBefore } : {}), exclude: context.exclude };
  switch (kind) {
    case 'failure-burst': {
      const frozen = context.open ? (context.incident?.baseline as unknown as FailureBaseline) : undefined;
      const { firing } = failureEvidence(slots, watermark, settings.failure, { ...scope, ...(frozen ? { frozen } : {}) });
      const recovered = context.open && frozen ? failureRecovered(slots, watermark, frozen, { ...settings.failure, ...settings.recovery }) : undefined;
      return { ...(firing ? { firing: { kind, severity: firing.severity, window: firing } } : {}), ...(recovered ? { recovered } : {}) };
    }
    case 'latency-shift': {
      const frozen = context.open ? histogramOf(context.incident?.baseline) : undefined;
      const { firing } = latencyEvidence(slots, watermark, settings.latency, { ...scope, ...(frozen ? { frozen } : {}) });
      const recovered = context.open && frozen ? latencyRecovered(slots, watermark, frozen, { ...settings.latency, ...settings.recovery }) : undefined;
      return { ...(firing ? { firing: { kind, severity: 'warning', window: firing } } : {}), ...(recovered ? { recovered } : {}) };
    }
    case 'expired-requests': {
      const { firing } = expiryEvidence(slots, watermark, settings.expiry, scope);
      const recovered = context.open ? expiryRecovered(slots, watermark, settings.recovery) : undefined;
      return { ...(firing ? { firing: { kind, severity: 'warning', window: firing } } : {}), ...(recovered ? { recovered } : {}) };
    }
  }
}

function histogramOf(baseline: Record<string, unknown> | undefined): Histogram | undefined {
  const pairs = baseline?.latency;
  if (!Array.isArray(pairs)) return undefined;
  return new Map(pairs.filter((p): p is [number, number] => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number'));
}

/** What an incident freezes as its baseline when it opens. */
function frozenBaseline(firing: Firing, slots: readonly Slot[], settings: RequestAlertSettings, exclude: Span[]): Record<string, unknown> {
  switch (firing.kind) {
    case 'failure-burst':
      return { ...firing.window.baseline };
    case 'latency-shift':
      return { latency: histogramPairs(latencyBaseline(slots, firing.window.from, settings.latency.baselineHours, exclude)) };
    case 'expired-requests':
      return {};
  }
}

async function act(
  view: EndpointView,
  kind: RequestAlertKind,
  incident: Incident | undefined,
  version: number,
  decision: Exclude<IncidentDecision, { action: 'hold' }>,
  firing: Firing | undefined,
  slots: readonly Slot[],
  deps: RequestAlertDeps,
): Promise<{ alert: Alert; result: DispatchResult } | undefined> {
  const now = deps.now();
  const resource: AlertResource = { type: 'endpoint', name: view.endpointName, region: deps.region };
  let alert: Alert;
  let next: Incident;
  if (decision.action === 'resolve') {
    if (!incident) return undefined;
    const text = describeResolution(kind, view.endpointName, incident, decision, slots);
    const opened = createAlert({ kind, severity: incident.severity, title: text.title, description: '', resource, detectedAt: now });
    alert = resolveAlert(opened, { at: now, description: text.description, evidence: { numbers: text.numbers } });
    next = { ...incident, status: 'closed', clearedFrom: decision.since, closedAt: now };
  } else {
    if (!firing) return undefined;
    const exclude: Span[] = incident ? [{ from: incident.from, to: incident.clearedFrom ?? Number.POSITIVE_INFINITY }] : [];
    alert = await firingAlert(view.endpointName, resource, firing, now, deps);
    next =
      decision.action === 'open'
        ? { status: 'open', severity: decision.severity, openedAt: now, from: firing.window.from, baseline: frozenBaseline(firing, slots, deps.settings, exclude) }
        : { ...incident!, severity: decision.severity };
  }
  const result = await deps.dispatch(alert);
  // Whether this instance sent it or another one did first, the incident is now in this state.
  const stored = { kind, version: version + 1, body: next as unknown as Record<string, unknown> };
  try {
    await deps.windows.putIncident(view.endpointName, stored, version);
    deps.state.setIncident(view.endpointName, stored);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    deps.state.forget(view.endpointName);
  }
  return { alert, result };
}

async function firingAlert(endpointName: string, resource: AlertResource, firing: Firing, now: number, deps: RequestAlertDeps): Promise<Alert> {
  const text = describeFiring(endpointName, firing);
  const since = new Date(firing.window.from - 30 * 60_000).toISOString();
  const samples = await sampleRecords(endpointName, firing.kind, since, deps);
  const ids = samples.map((r) => r.inferenceId);
  const facts = [...text.facts];
  const reason = samples.find((r) => r.failureReason)?.failureReason;
  if (reason && firing.kind !== 'latency-shift') facts.push({ name: 'latest failure reason', value: reason });
  const links = [
    {
      label: 'Data-log lines of these requests',
      url: logsInsightsUrl(deps.region, { logGroups: [endpointLogGroup(endpointName)], query: inferenceIdsQuery(ids), start: firing.window.from, end: firing.window.to }),
    },
    { label: 'Endpoint dashboard', url: dashboardUrl(deps.region, dashboardName(deps.namePrefix ?? 'sagewatch', endpointName)) },
  ];
  const status = firing.kind === 'latency-shift' ? 'Completed' : 'Failed';
  return createAlert({
    kind: firing.kind,
    severity: firing.severity,
    title: text.title,
    description: `${text.description} ${describeBaseline(firing)}`,
    resource,
    detectedAt: now,
    windowStart: firing.window.from,
    windowEnd: firing.window.to,
    evidence: {
      numbers: text.numbers,
      facts,
      inferenceIds: ids,
      links,
      commands: [queryCommand({ endpoint: endpointName, status, since }), ...(ids[0] ? [queryCommand({ inferenceId: ids[0] })] : [])],
    },
  });
}

async function sampleRecords(endpointName: string, kind: RequestAlertKind, since: string, deps: RequestAlertDeps): Promise<RequestRecord[]> {
  try {
    if (kind === 'latency-shift') {
      const completed = await deps.requests.queryByEndpoint({ endpointName, from: since, status: 'Completed', limit: 100 });
      return completed.sort((a, b) => (b.endToEndLatencyMs ?? 0) - (a.endToEndLatencyMs ?? 0)).slice(0, SAMPLE_IDS);
    }
    const failed = await deps.requests.queryByEndpoint({ endpointName, from: since, status: 'Failed', limit: 50 });
    const wanted = failed.filter((r) => (kind === 'expired-requests') === (r.failureCategory === 'Expired'));
    return wanted.slice(0, SAMPLE_IDS);
  } catch (error) {
    // Samples make an alert better; their absence must not stop it.
    deps.log?.warn('could not read sample requests for an alert', { endpointName, error: String(error) });
    return [];
  }
}
