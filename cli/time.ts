import { CliError } from './errors';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 90m`, `--since 2d` or an ISO-8601 time → ISO-8601 lower bound. */
export function parseSince(value: string, now = Date.now()): string {
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (relative) return new Date(now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!).toISOString();
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute)) throw new CliError(`--since: expected a duration like 30m, 1h, 7d or an ISO-8601 time, got "${value}"`);
  return new Date(absolute).toISOString();
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
