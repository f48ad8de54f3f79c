import { INCIDENT_ALERT_KINDS, type AlertKind } from '../alert-model/alert';

/**
 * When a firing alert may be sent again while its condition is still firing.
 *
 * - Incidents (request-level alerts, stuck requests, sagewatch's own inputs falling behind):
 *   once when the incident opens, once more if it gets worse (a higher severity), never again
 *   at the same severity; the resolution closes it. One incident, one alert.
 * - Everything else (control-plane problems, CloudWatch alarms relayed, failed jobs) repeats
 *   at most once per cooldown, so a problem that persists is not forgotten.
 */
export type RepeatPolicy = { mode: 'incident' } | { mode: 'cooldown'; seconds: number };

export const INCIDENT_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(INCIDENT_ALERT_KINDS);

export function repeatPolicy(kind: AlertKind, cooldownSeconds: number): RepeatPolicy {
  return INCIDENT_KINDS.has(kind) ? { mode: 'incident' } : { mode: 'cooldown', seconds: cooldownSeconds };
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;

export function severityRank(severity: keyof typeof RANK): number {
  return RANK[severity];
}
