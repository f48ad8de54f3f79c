import type { LogHalf, NotificationHalf } from '../requests/halves';
import type { KnownLogState, LogMergePlan, MarkCondition, NotificationCondition } from '../requests/merge-plan';
import type { LogLine } from '../requests/log-line';
import type { Counters } from '../telemetry/observations';

/**
 * What counts as the same delivery twice, and what the store must check so a repeat changes
 * nothing. The store executes these as conditional writes; it decides none of them.
 *
 * Log lines: CloudWatch Logs delivers a log stream's events in order, and Kinesis (or Lambda's
 * retries) may deliver any batch again, whole or bisected, or later than batches after it (a
 * batch parked in the on-failure queue and replayed once later ones merged). Each request keeps,
 * per log stream, the ranges of positions (time, then event id) it merged, one range per
 * delivery: a batch is a contiguous run of its stream, so a line inside a range is a
 * redelivery and a line outside one is new, whatever the order batches come in. At most
 * MAX_RANGES ranges per stream are kept (the two oldest join when a delivery adds one more), so
 * the state stays O(1) per request and stream: a request of 10,000 lines redelivered stays at
 * 10,000, and a replay of one of its last MAX_RANGES - 1 deliveries is merged exactly.
 *
 * Notifications: one per distinct result; a repeat is a no-op, and of two results for a reused
 * inference id the one with the later completion time wins.
 */

const POSITION_TIME_WIDTH = 9;
/** Ranges kept per request and stream. */
export const MAX_RANGES = 4;
/** Between the ranges of a mark, and between the two ends of a range: characters no position holds. */
const RANGE_SEPARATOR = '\u001e';
const END_SEPARATOR = '\u001f';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the separators are control characters so no position can hold them
const SEPARATORS = /[\u001e\u001f]/g;
const MAX_POSITION_TIME = 36 ** POSITION_TIME_WIDTH - 1;

/** A line's place in its stream, comparable as a string: fixed-width base-36 time, then the event id. */
export function linePosition(at: number, eventId: string): string {
  const time = Number.isFinite(at) ? Math.min(MAX_POSITION_TIME, Math.max(0, Math.floor(at))) : 0;
  const id = eventId.includes(RANGE_SEPARATOR) || eventId.includes(END_SEPARATOR) ? eventId.replace(SEPARATORS, ' ') : eventId;
  return `${time.toString(36).padStart(POSITION_TIME_WIDTH, '0')}:${id}`;
}

type Range = [first: string, last: string];

/** A stream's stored mark as its merged ranges, ascending (a range of one line is stored as that position). */
export function parseRanges(mark: string | undefined): Range[] {
  if (mark === undefined || mark === '') return [];
  return mark.split(RANGE_SEPARATOR).map((range): Range => {
    const end = range.indexOf(END_SEPARATOR);
    return end < 0 ? [range, range] : [range.slice(0, end), range.slice(end + 1)];
  });
}

export function formatRanges(ranges: readonly Range[]): string {
  return ranges.map(([first, last]) => (first === last ? first : `${first}${END_SEPARATOR}${last}`)).join(RANGE_SEPARATOR);
}

function covered(ranges: readonly Range[], position: string): boolean {
  for (const [first, last] of ranges) if (position >= first && position <= last) return true;
  return false;
}

/** The ranges with this delivery's added (joined with those it overlaps), at most MAX_RANGES. */
export function addRange(ranges: readonly Range[], added: Range): Range[] {
  let [first, last] = added;
  const out: Range[] = [];
  for (const range of ranges) {
    if (range[1] < first || range[0] > last) out.push(range);
    else {
      if (range[0] < first) first = range[0];
      if (range[1] > last) last = range[1];
    }
  }
  out.push([first, last]);
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  while (out.length > MAX_RANGES) {
    // The oldest gap is the least likely to be replayed still: its lines are taken as merged.
    const [a, b] = out.splice(0, 2) as [Range, Range];
    out.unshift([a[0], b[1]]);
  }
  return out;
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
  half.lines = half.lines.filter((line) => {
    if (seen.has(line.eventId)) return false;
    seen.add(line.eventId);
    return true;
  });
  counters.add('DataLogLinesDuplicate', before - half.lines.length);
}

/** Which lines of `half` are new given what is known, and the conditions that keep that true. */
export function planLogMerge(half: LogHalf, state: KnownLogState): LogMergePlan {
  // Per stream: its ranges, this delivery's span (every line of it, merged before or not: a
  // delivery is a contiguous run of the stream) and whether it brings anything new.
  const byStream = new Map<string, { ranges: Range[]; first?: string; last?: string; fresh: boolean }>();
  const streamState = (stream: string) => {
    let entry = byStream.get(stream);
    if (!entry) byStream.set(stream, (entry = { ranges: parseRanges(state.marks.get(stream)), fresh: false }));
    return entry;
  };
  const note = (entry: { first?: string; last?: string }, first: string, last: string) => {
    if (entry.first === undefined || first < entry.first) entry.first = first;
    if (entry.last === undefined || last > entry.last) entry.last = last;
  };
  const lines: LogLine[] = [];
  for (const line of half.lines) {
    const entry = streamState(streamOf(line));
    const position = linePosition(line.at, line.eventId);
    note(entry, position, line.through ? linePosition(line.through.at, line.through.eventId) : position);
    if (covered(entry.ranges, position)) continue;
    entry.fresh = true;
    lines.push(line);
  }
  const continuation = half.continuation;
  let applyContinuation = false;
  if (continuation) {
    const position = linePosition(continuation.at, continuation.eventId);
    const entry = streamState(continuation.instanceId);
    if (!covered(entry.ranges, position)) {
      // Only onto a line known to be stored: its index must exist.
      applyContinuation = !state.known || continuation.index < state.storedLines;
      entry.fresh = true;
      note(entry, position, position);
    }
  }
  const marks: LogMergePlan['marks'] = [];
  for (const [stream, entry] of byStream) {
    if (!entry.fresh || entry.first === undefined || entry.last === undefined) continue;
    const known = state.marks.get(stream);
    // Unknown state: the stream must be new to the record; otherwise its ranges must be as read.
    const condition: MarkCondition = !state.known || known === undefined ? { stream, kind: 'absent' } : { stream, kind: 'equals', position: known };
    marks.push({ condition, next: formatRanges(addRange(entry.ranges, [entry.first, entry.last])) });
  }
  return { lines, marks, continuation: applyContinuation, ...(state.known ? { storedLines: state.storedLines } : {}) };
}

export function notificationCondition(half: NotificationHalf): NotificationCondition {
  return half.completedAt ? { kind: 'newerThan', completedAt: half.completedAt } : { kind: 'first' };
}
