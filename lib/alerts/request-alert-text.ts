import type { EvidenceFact, EvidenceNumber } from '../alert-model/alert';
import type { Incident } from './incident';
import type { FailureWindow } from '../detect/failure-evidence';
import { compareLatency, describeMs, type LatencyWindow } from '../detect/latency-evidence';
import type { ExpiryWindow } from '../detect/expiry-evidence';
import { addInto, type Histogram } from '../detect/histogram';
import type { Slot } from '../detect/slots';

/**
 * The words of request-level alerts: what fired, against which baseline, and, when an incident
 * closes, what the incident was ("12 of 40 failed between 10:02 and 10:31 UTC", in the
 * description). Titles carry no clock times, so the same traffic gives the same titles.
 */
export type Firing =
  | { kind: 'failure-burst'; severity: 'warning' | 'critical'; window: FailureWindow }
  | { kind: 'latency-shift'; severity: 'warning' | 'critical'; window: LatencyWindow }
  | { kind: 'expired-requests'; severity: 'warning' | 'critical'; window: ExpiryWindow };

const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)}`;
const pct = (x: number) => Math.round(x * 1000) / 10;
const minutes = (ms: number) => Math.round(ms / 60_000);

export function describeFiring(endpointName: string, firing: Firing): { title: string; description: string; numbers: EvidenceNumber[]; facts: EvidenceFact[] } {
  const w = firing.window;
  const span = `the ${minutes(w.to - w.from)} minutes from ${hhmm(w.from)} UTC`;
  switch (firing.kind) {
    case 'failure-burst': {
      const f = firing.window;
      const categories = Object.entries(f.byCategory).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return {
        title: `Failure burst on ${endpointName}: ${f.failed} of ${f.finished} async requests failed`,
        description: `${pct(f.failed / f.finished)}% of the async requests that finished in ${span} failed${categories.length > 0 ? ` (${categories.map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}.`,
        numbers: [
          { name: 'failed requests', value: f.failed },
          { name: 'finished requests', value: f.finished },
          { name: 'failure rate', value: pct(f.failed / f.finished), unit: '%' },
          { name: 'baseline failure rate', value: pct(f.baseline.rate), unit: '%' },
          { name: 'window', value: minutes(f.to - f.from), unit: 'min' },
        ],
        facts: categories.slice(0, 5).map(([category, count]) => ({ name: `failures: ${category}`, value: String(count) })),
      };
    }
    case 'latency-shift': {
      const l = firing.window;
      return {
        title: `Latency shift on ${endpointName}: p50 ${describeMs(l.p50)} vs ${describeMs(l.baselineP50)} baseline, p90 ${describeMs(l.p90)} vs ${describeMs(l.baselineP90)}`,
        description: `The ${l.samples} async requests that completed in ${span} are slower than the endpoint's own baseline: a recent request is slower than ${pct(l.auc)}% of baseline ones (50% when nothing changed).`,
        numbers: [
          { name: 'p50 latency now', value: l.p50, unit: 'ms' },
          { name: 'p50 latency baseline', value: l.baselineP50, unit: 'ms' },
          { name: 'p90 latency now', value: l.p90, unit: 'ms' },
          { name: 'p90 latency baseline', value: l.baselineP90, unit: 'ms' },
          { name: 'samples now', value: l.samples },
          { name: 'samples baseline', value: l.baselineSamples },
          { name: 'slower than baseline', value: pct(l.auc), unit: '%' },
        ],
        facts: [],
      };
    }
    case 'expired-requests': {
      const e = firing.window;
      return {
        title: `${e.expired} async request(s) expired on ${endpointName}`,
        description: `${e.expired} of the ${e.finished} async requests that finished in ${span} waited in the queue past their TTL: the endpoint is not keeping up (check ApproximateBacklogSize, HasBacklogWithoutCapacity and scaling).`,
        numbers: [
          { name: 'expired requests', value: e.expired },
          { name: 'finished requests', value: e.finished },
          { name: 'window', value: minutes(e.to - e.from), unit: 'min' },
        ],
        facts: [],
      };
    }
  }
}

export function describeBaseline(firing: Firing): string {
  switch (firing.kind) {
    case 'failure-burst': {
      const b = firing.window.baseline;
      return `Usually ${pct(b.rate)}% fail (${b.finished} requests before it); ${firing.window.failed} or more failures of ${firing.window.finished} would happen by chance with probability ${firing.window.pValue.toPrecision(2)} even a few points above that rate (allowing for what ${b.finished} requests can say).`;
    }
    case 'latency-shift':
      return `Baseline: ${firing.window.baselineSamples} completed requests of the hours before.`;
    case 'expired-requests':
      return firing.window.baselineExpired === 0 ? 'None expired in the hours before.' : `${firing.window.baselineExpired} of ${firing.window.baselineFinished} expired in the hours before.`;
  }
}

/** What the incident was, from its slots: the first to the last slot that showed it. */
export function describeResolution(
  kind: Firing['kind'],
  endpointName: string,
  incident: Incident,
  decision: { since: number; idle: boolean },
  slots: readonly Slot[],
): { title: string; description: string; numbers: EvidenceNumber[] } {
  const during = slots.filter((s) => s.start >= incident.from && s.start < decision.since);
  const bad = during.filter((s) => (kind === 'latency-shift' ? s.latency.size > 0 : kind === 'expired-requests' ? (s.byCategory.Expired ?? 0) > 0 : s.failed > 0));
  const first = bad[0]?.start ?? incident.from;
  const last = (bad[bad.length - 1]?.start ?? incident.from) + 5 * 60_000;
  const inSpan = during.filter((s) => s.start >= first && s.start < last);
  const finished = inSpan.reduce((n, s) => n + s.finished, 0);
  const failed = inSpan.reduce((n, s) => n + s.failed, 0);
  const expired = inSpan.reduce((n, s) => n + (s.byCategory.Expired ?? 0), 0);
  const between = `between ${hhmm(first)} and ${hhmm(last)} UTC`;
  const ending = decision.idle ? `No async request has finished since ${hhmm(decision.since)} UTC, so it is closed for lack of traffic.` : `Normal again since ${hhmm(decision.since)} UTC.`;
  switch (kind) {
    case 'failure-burst':
      return {
        title: `Failure burst on ${endpointName}: ${failed} of ${finished} async requests failed`,
        description: `${failed} of ${finished} failed ${between}. ${ending}`,
        numbers: [
          { name: 'failed requests', value: failed },
          { name: 'finished requests', value: finished },
        ],
      };
    case 'expired-requests':
      return {
        title: `${expired} async request(s) expired on ${endpointName}`,
        description: `${expired} of ${finished} expired ${between}. ${ending}`,
        numbers: [
          { name: 'expired requests', value: expired },
          { name: 'finished requests', value: finished },
        ],
      };
    case 'latency-shift': {
      const histogram: Histogram = new Map();
      for (const slot of inSpan) addInto(histogram, slot.latency);
      const baseline = new Map((incident.baseline.latency as Array<[number, number]> | undefined) ?? []);
      const c = compareLatency(histogram, baseline);
      const shape = c ? `: p50 ${describeMs(c.p50)} vs ${describeMs(c.baselineP50)} before, p90 ${describeMs(c.p90)} vs ${describeMs(c.baselineP90)}` : '';
      const samples = c?.samples ?? 0;
      return {
        title: `Latency shift on ${endpointName}: ${samples} slow async requests`,
        description: `${samples} async requests completed ${between}${shape}. ${ending}`,
        numbers: c
          ? [
              { name: 'samples', value: samples },
              { name: 'p50 latency', value: c.p50, unit: 'ms' },
              { name: 'p50 latency baseline', value: c.baselineP50, unit: 'ms' },
            ]
          : [],
      };
    }
  }
}
