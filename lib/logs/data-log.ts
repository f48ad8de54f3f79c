import type { ParsedLogLine } from '../requests/log-line';
import { closingBracket } from './inference-id';

/**
 * A parsed async data-log line:
 * `<YYYY-MM-DDTHH:MM:SS.mmm>:[sagemaker logs] [<inferenceId>] <message>`.
 * AWS publishes no formal grammar for it, so the parser is lenient about spacing, fractional
 * seconds and an explicit zone, and keeps the message verbatim (it may span several lines).
 * The inference id is kept exactly as the caller gave it: never trimmed, brackets included
 * (see ./inference-id.ts for how an id that contains `] ` is told from the message).
 */
export type DataLogLine = ParsedLogLine;

const MARKER = '[sagemaker logs]';
// The marker normally sits at offset 24; anything beyond this is not a data-log line.
const MARKER_SEARCH_CHARS = 64;

/**
 * Parses one log event message. Returns undefined when the message is not a data-log request
 * line (no marker, no bracketed inference id). `fallbackAt` is the log event's timestamp.
 */
export function parseDataLogLine(raw: string, fallbackAt: number): DataLogLine | undefined {
  const markerAt = findMarker(raw);
  if (markerAt < 0) return undefined;
  let i = markerAt + MARKER.length;
  while (raw.charCodeAt(i) === 32 /* space */) i++;
  if (raw.charCodeAt(i) !== 91 /* [ */) return undefined;
  const close = closingBracket(raw, i);
  if (close < 0) return undefined;
  const start = raw.charCodeAt(close + 1) === 32 ? close + 2 : close + 1;
  const at = parseLineTimestamp(raw, markerAt) ?? fallbackAt;
  return { inferenceId: raw.slice(i + 1, close), at, message: raw.slice(start) };
}

/** Where `[sagemaker logs]` starts, or -1: what tells a data-log request line from any other event. */
function findMarker(raw: string): number {
  if (raw.startsWith(MARKER, 24)) return 24;
  const head = raw.length > MARKER_SEARCH_CHARS ? raw.slice(0, MARKER_SEARCH_CHARS) : raw;
  return head.indexOf(MARKER);
}

/** True when `raw` is a data-log request line of any request (used to tell continuation lines). */
export function isDataLogLine(raw: string): boolean {
  return parseDataLogLine(raw, 0) !== undefined;
}

/** Reads the timestamp that precedes the marker; undefined when it is missing or invalid. */
function parseLineTimestamp(raw: string, markerAt: number): number | undefined {
  if (markerAt === 24 && raw.charCodeAt(23) === 58 /* : */) return parseCanonical(raw);
  let end = markerAt;
  while (end > 0 && (raw.charCodeAt(end - 1) === 58 || raw.charCodeAt(end - 1) === 32)) end--;
  const m = TIMESTAMP.exec(raw.slice(0, end));
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec = '0', frac = '0', zone] = m;
  const value = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), Number(frac.padEnd(3, '0').slice(0, 3)));
  if (value === undefined) return undefined;
  // A timestamp without a zone is UTC, never the local zone of whoever runs the parser.
  if (!zone || zone === 'Z' || zone === 'z') return value;
  const sign = zone[0] === '-' ? -1 : 1;
  const digitsOnly = zone.slice(1).replace(':', '');
  return value - sign * (Number(digitsOnly.slice(0, 2)) * 60 + Number(digitsOnly.slice(2, 4))) * 60_000;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([zZ]|[+-]\d{2}:?\d{2})?$/;

/** `YYYY-MM-DDTHH:MM:SS.mmm` read digit by digit: this runs on every line of every batch. */
function parseCanonical(raw: string): number | undefined {
  if (raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45 || raw.charCodeAt(10) !== 84) return undefined;
  if (raw.charCodeAt(13) !== 58 || raw.charCodeAt(16) !== 58 || raw.charCodeAt(19) !== 46) return undefined;
  return utc(digits(raw, 0, 4), digits(raw, 5, 2), digits(raw, 8, 2), digits(raw, 11, 2), digits(raw, 14, 2), digits(raw, 17, 2), digits(raw, 20, 3));
}

/** Date.UTC, but rejecting fields out of range instead of rolling 31 February into March. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, milli: number): number | undefined {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) return undefined;
  const value = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  return new Date(value).getUTCDate() === day ? value : undefined;
}

function digits(raw: string, from: number, count: number): number {
  let value = 0;
  for (let k = from; k < from + count; k++) {
    const c = raw.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
