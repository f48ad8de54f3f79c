import { UsageError } from './errors';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ZONE = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * `90m`, `2d` (that long before now) or an ISO-8601 time → ISO-8601. A time without a zone is
 * UTC, like every time sagewatch stores and prints, never the zone of the machine it runs on.
 */
export function parseSince(value: string, now = Date.now(), flag = '--since'): string {
  const text = value.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (relative) return new Date(now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!).toISOString();
  const absolute = DATE_TIME.test(text) ? Date.parse(ZONE.test(text) || !/[T ]/.test(text) ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`) : Number.NaN;
  if (Number.isNaN(absolute)) throw new UsageError(`${flag}: expected a duration like 30m, 1h, 7d or an ISO-8601 time, got "${value}"`);
  return new Date(absolute).toISOString();
}

/** `--since` and `--until` together: both read as parseSince does, and in order. */
export function parseRange(since: string | undefined, until: string | undefined, now = Date.now()): { from?: string; to?: string } {
  const from = since === undefined ? undefined : parseSince(since, now, '--since');
  const to = until === undefined ? undefined : parseSince(until, now, '--until');
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`--since ${since} (${from}) is after --until ${until} (${to}): nothing can match; durations count back from now, so --since 2h --until 1h is the hour before the last`);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
