import type { RequestRecord } from '../lib/requests/record';
import type { Alert } from '../lib/alert-model/alert';
import type { InjectedFault, Scenario } from './simulator';
import type { SimRequest } from './traffic';

/**
 * What a local run reports: whether every request's record holds exactly what was delivered of
 * it, and which alert caught each fault (how long after it started), which alerts no fault
 * explains. Kept small on purpose: a few numbers per request played, none of its content.
 */

/** Alerts about sagewatch itself (its inputs falling behind): reported apart, never "false request alerts". */
export const SELF_MONITORING_KINDS = new Set(['pipeline-behind']);

export interface AlertRef {
  kind: string;
  title: string;
  severity: string;
  resource: string;
  fingerprint: string;
}

export interface Detection {
  faultId: string;
  alert: AlertRef;
  /** Minutes from the start of the fault to the alert that caught it (0: an alert of it was already open). */
  delayMinutes: number;
}

export interface Miss {
  faultId: string;
  reason: string;
}

const MINUTE = 60_000;

/** Per request: its log-line count, whether it failed, whether its notification was delivered. */
export class Expectations {
  private readonly packed = new Map<string, number>();
  /** Requests whose notification never came, by when their log spoke (they may be reported stuck). */
  private readonly lostSince = new Map<string, number>();
  readonly affected = new Map<string, number>();
  count = 0;

  record(request: SimRequest): void {
    this.count++;
    const key = `${request.endpointName}|${request.inferenceId}`;
    this.packed.set(key, request.logLines.length * 4 + (request.status === 'Failed' ? 2 : 0) + (request.notificationDelivered ? 1 : 0));
    if (!request.notificationDelivered) this.lostSince.set(key, request.logLines[0]?.at ?? request.completedAt);
    for (const id of new Set(request.conditions)) this.affected.set(id, (this.affected.get(id) ?? 0) + 1);
  }

  /**
   * Whether the stored record holds exactly what was delivered of the request, once. A request
   * whose notification was lost must be open, and reported stuck when it had waited longer than
   * `stuckBefore` allows (younger ones may not have been swept yet).
   */
  check(record: RequestRecord, stuckBefore: number): boolean | undefined {
    const key = `${record.endpointName}|${record.inferenceId}`;
    const value = this.packed.get(key);
    if (value === undefined) return undefined;
    const lines = value >> 2;
    const status = value & 2 ? 'Failed' : 'Completed';
    const delivered = (value & 1) === 1;
    if (record.logLineCount !== lines) return false;
    if (lines > 0 !== record.sources.includes('logs')) return false;
    if (delivered) return record.status === status && record.sources.includes('notification') && record.notificationCount === 1;
    if (record.status !== 'InProgress' || record.sources.includes('notification')) return false;
    return record.stuckAt !== undefined || (this.lostSince.get(key) ?? 0) >= stuckBefore;
  }
}

function ref(alert: Alert): AlertRef {
  return { kind: alert.kind, title: alert.title, severity: alert.severity, resource: alert.resource.name, fingerprint: alert.fingerprint };
}

/** Whether a firing alert is one a fault explains: its kind, its resource, while (or soon after) the fault ran. */
function explains(fault: InjectedFault, alert: Alert, at: number): boolean {
  if (!fault.expectedAlerts.includes(alert.kind)) return false;
  if (fault.kind === 'failed-training-job') return alert.resource.name === fault.resource;
  if (fault.resource !== 'sagewatch' && alert.resource.name !== fault.resource) return false;
  // Late evidence is evaluated late: an alert raised after the fault ended still belongs to it.
  const grace = Math.max(fault.withinMinutes, 30) * MINUTE;
  return at >= fault.from && at <= Math.max(fault.to, fault.from + fault.withinMinutes * MINUTE) + grace;
}

/** A fault that changed fewer requests than its detector needs: it cannot be caught by design. */
export function undetectable(fault: { affectedRequests: number; detectableFrom: number }): boolean {
  return fault.affectedRequests < fault.detectableFrom;
}

export interface Verdict {
  detected: Detection[];
  missed: Miss[];
  falseAlerts: Array<{ kind: string; title: string; resource: string; atMinute: number }>;
  selfMonitoring: Array<{ kind: string; title: string; resource: string; status: string; atMinute: number }>;
}

/**
 * Matches the alerts published (in order) to the faults. An incident is one fingerprint from its
 * first firing alert to its resolution; it is explained when its first alert is, and a fault is
 * caught by the first explaining incident open within `withinMinutes` of its start.
 */
export function judge(scenario: Scenario, alerts: readonly Alert[]): Verdict {
  const atMinute = (alert: Alert) => Math.round((Date.parse(alert.detectedAt) - scenario.start) / 6_000) / 10;
  const selfMonitoring: Verdict['selfMonitoring'] = [];
  const incidents: Array<{ first: Alert; at: number; until: number; alerts: Alert[] }> = [];
  const open = new Map<string, (typeof incidents)[number]>();
  for (const alert of alerts) {
    const at = Date.parse(alert.detectedAt);
    if (SELF_MONITORING_KINDS.has(alert.kind)) {
      selfMonitoring.push({ kind: alert.kind, title: alert.title, resource: alert.resource.name, status: alert.status, atMinute: atMinute(alert) });
    }
    const current = open.get(alert.fingerprint);
    if (alert.status === 'resolved') {
      if (current) current.until = at;
      open.delete(alert.fingerprint);
      continue;
    }
    if (current) {
      current.alerts.push(alert);
      continue;
    }
    const incident = { first: alert, at, until: Number.POSITIVE_INFINITY, alerts: [alert] };
    incidents.push(incident);
    open.set(alert.fingerprint, incident);
  }

  const detected: Detection[] = [];
  const missed: Miss[] = [];
  const explained = new Set<(typeof incidents)[number]>();
  for (const fault of scenario.faults) {
    for (const incident of incidents) if (explains(fault, incident.first, incident.at)) explained.add(incident);
    const deadline = fault.from + fault.withinMinutes * MINUTE;
    let best: { incident: (typeof incidents)[number]; delay: number } | undefined;
    for (const incident of incidents) {
      if (!fault.expectedAlerts.includes(incident.first.kind)) continue;
      if (fault.kind !== 'failed-training-job') {
        if (fault.resource !== 'sagewatch' && incident.first.resource.name !== fault.resource) continue;
        // Raised during the fault, or already open when it began (the on-call has an alert for it).
        if (incident.until < fault.from || incident.at > deadline) continue;
      } else if (incident.first.resource.name !== fault.resource) continue;
      const delay = Math.max(0, incident.at - fault.from);
      if (!best || delay < best.delay) best = { incident, delay };
    }
    if (best) {
      explained.add(best.incident);
      detected.push({ faultId: fault.id, alert: ref(best.incident.first), delayMinutes: Math.round(best.delay / 6_000) / 10 });
    } else {
      const late = incidents.find((i) => explains(fault, i.first, i.at));
      missed.push({ faultId: fault.id, reason: late ? `caught late, after ${Math.round((late.at - fault.from) / 6_000) / 10} min` : 'not detected' });
    }
  }
  const falseAlerts: Verdict['falseAlerts'] = [];
  for (const incident of incidents) {
    if (explained.has(incident) || SELF_MONITORING_KINDS.has(incident.first.kind)) continue;
    for (const alert of incident.alerts) falseAlerts.push({ kind: alert.kind, title: alert.title, resource: alert.resource.name, atMinute: atMinute(alert) });
  }
  return { detected, missed, falseAlerts, selfMonitoring };
}
