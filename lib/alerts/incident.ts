import { severityRank } from './cooldown';

/**
 * One incident, one alert. An incident opens when a detector's evidence fires, escalates once
 * when the evidence gets worse (warning → critical), and closes only after sustained normal
 * behaviour (each detector's `recovered`), or after `idleMinutes` without a single finished
 * request. While it is open its baseline is frozen, so a long incident is never compared with
 * itself; once it closes, the next one can only start from evidence after it, so its tail
 * cannot re-open it. No flapping.
 */
export type IncidentSeverity = 'warning' | 'critical';

export interface Incident {
  status: 'open' | 'closed';
  severity: IncidentSeverity;
  /** Processing time the incident was opened (its first alert). */
  openedAt: number;
  /** Event time where its evidence starts. */
  from: number;
  /** Event time since which behaviour is normal again (set when it closes). */
  clearedFrom?: number;
  closedAt?: number;
  /** The detector's baseline at the time it opened, as the detector shapes it. */
  baseline: Record<string, unknown>;
}

export type IncidentDecision =
  | { action: 'open'; severity: IncidentSeverity }
  | { action: 'escalate'; severity: IncidentSeverity }
  | { action: 'resolve'; since: number; idle: boolean }
  | { action: 'hold' };

export interface IncidentInputs {
  /** The detector fires now (at this severity, from this event time). */
  firing?: { severity: IncidentSeverity; from: number };
  /** The detector says the open incident is over (normal since). */
  recovered?: { since: number };
  /** Event time of the newest finished request of the endpoint. */
  lastActivity?: number;
  now: number;
  idleMinutes: number;
}

export function decideIncident(incident: Incident | undefined, inputs: IncidentInputs): IncidentDecision {
  if (!incident || incident.status === 'closed') {
    return inputs.firing ? { action: 'open', severity: inputs.firing.severity } : { action: 'hold' };
  }
  if (inputs.firing && severityRank(inputs.firing.severity) > severityRank(incident.severity)) return { action: 'escalate', severity: inputs.firing.severity };
  // `recovered` has judged the recent requests alone: windows reaching back into the incident still fire, by design.
  if (inputs.recovered) return { action: 'resolve', since: inputs.recovered.since, idle: false };
  const quietSince = Math.max(inputs.lastActivity ?? incident.from, incident.from);
  if (!inputs.firing && inputs.now - quietSince >= inputs.idleMinutes * 60_000) return { action: 'resolve', since: quietSince, idle: true };
  return { action: 'hold' };
}

/** Where the next incident of the same kind may start: after the last one cleared. */
export function nextIncidentFrom(incident: Incident | undefined): number | undefined {
  return incident?.status === 'closed' ? incident.clearedFrom : incident?.from;
}

/** Parses a stored incident body; undefined when it is not one. */
export function parseIncident(body: Record<string, unknown> | undefined): Incident | undefined {
  if (!body) return undefined;
  const { status, severity, openedAt, from } = body;
  if ((status !== 'open' && status !== 'closed') || (severity !== 'warning' && severity !== 'critical')) return undefined;
  if (typeof openedAt !== 'number' || typeof from !== 'number') return undefined;
  return {
    status,
    severity,
    openedAt,
    from,
    ...(typeof body.clearedFrom === 'number' ? { clearedFrom: body.clearedFrom } : {}),
    ...(typeof body.closedAt === 'number' ? { closedAt: body.closedAt } : {}),
    baseline: typeof body.baseline === 'object' && body.baseline !== null ? (body.baseline as Record<string, unknown>) : {},
  };
}
