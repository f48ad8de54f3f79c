import type { LogHalf, NotificationHalf } from '../requests/halves';
import type { KnownLogState, LogMergePlan, MarkCondition, NotificationCondition } from '../requests/merge-plan';
import type { LogLine } from '../requests/log-line';
import type { Counters } from '../telemetry/observations';

/**
 * What counts as the same delivery twice, and what the store must check so a repeat changes
 * nothing. The store executes these as conditional writes; it decides none of them.
 *
 * Log lines: CloudWatch Logs delivers a log stream's events in order, and Kinesis (or Lambda's
 * retries) may deliver any batch again, whole or bisected. Each request keeps one high-water
 * mark per log stream: the position (time, then event id) of the last line of that stream it
 * merged. A line at or below the mark is a redelivery. O(1) state per request and stream, so
 * a request of 10,000 lines redelivered stays at 10,000.
 *
 * Notifications: one per distinct result; a repeat is a no-op, and of two results for a reused
 * inference id the one with the later completion time wins.
 */

const POSITION_TIME_WIDTH = 9;
const MAX_POSITION_TIME = 36 ** POSITION_TIME_WIDTH - 1;

/** A line's place in its stream, comparable as a string: fixed-width base-36 time, then the event id. */
export function linePosition(at: number, eventId: string): string {
  const time = Number.isFinite(at) ? Math.min(MAX_POSITION_TIME, Math.max(0, Math.floor(at))) : 0;
  return `${time.toString(36).padStart(POSITION_TIME_WIDTH, '0')}:${eventId}`;
}

/** The order lines are merged in: their stream positions. */
export function compareLines(a: LogLine, b: LogLine): number {
  const pa = linePosition(a.at, a.eventId);
  const pb = linePosition(b.at, b.eventId);
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** The stream a line came from: one data-log stream per endpoint instance. */
export function streamOf(line: { instanceId: string }): string {
  return line.instanceId;
}

/** CloudWatch Logs can deliver one event twice in a batch; keep the first. */
export function dedupeWithinBatch(half: LogHalf, counters: Counters): void {
  if (half.lines.length < 2) return;
  const seen = new Set<string>();
  const before = half.lines.length;
  half.lines = half.lines.filter((line) => (seen.has(line.eventId) ? false : (seen.add(line.eventId), true)));
  counters.add('DataLogLinesDuplicate', before - half.lines.length);
}

/** Which lines of `half` are new given what is known, and the conditions that keep that true. */
export function planLogMerge(half: LogHalf, state: KnownLogState): LogMergePlan {
  const byStream = new Map<string, { first: string; last: string }>();
  const lines: LogLine[] = [];
  for (const line of half.lines) {
    const stream = streamOf(line);
    const position = linePosition(line.at, line.eventId);
    const mark = state.marks.get(stream);
    if (mark !== undefined && position <= mark) continue;
    lines.push(line);
    const through = line.through ? linePosition(line.through.at, line.through.eventId) : position;
    const seen = byStream.get(stream);
    if (!seen) byStream.set(stream, { first: position, last: through });
    else {
      if (position < seen.first) seen.first = position;
      if (through > seen.last) seen.last = through;
    }
  }
  const continuation = half.continuation;
  let applyContinuation = false;
  if (continuation) {
    const position = linePosition(continuation.at, continuation.eventId);
    const mark = state.marks.get(continuation.instanceId);
    if (mark === undefined || position > mark) {
      // Only onto a line known to be stored: its index must exist.
      applyContinuation = !state.known || continuation.index < state.storedLines;
      const seen = byStream.get(continuation.instanceId);
      if (!seen) byStream.set(continuation.instanceId, { first: position, last: position });
      else {
        if (position < seen.first) seen.first = position;
        if (position > seen.last) seen.last = position;
      }
    }
  }
  const marks: LogMergePlan['marks'] = [];
  for (const [stream, { first, last }] of byStream) {
    const known = state.marks.get(stream);
    const condition: MarkCondition = !state.known
      ? { stream, kind: 'below', position: first }
      : known === undefined
        ? { stream, kind: 'absent' }
        : { stream, kind: 'equals', position: known };
    marks.push({ condition, next: last });
  }
  return { lines, marks, continuation: applyContinuation, ...(state.known ? { storedLines: state.storedLines } : {}) };
}

export function notificationCondition(half: NotificationHalf): NotificationCondition {
  return half.completedAt ? { kind: 'newerThan', completedAt: half.completedAt } : { kind: 'first' };
}
