/**
 * SageMaker times arrive in three spellings: ISO strings (event envelopes, Step Functions'
 * JSON of SDK Dates), epoch-millisecond numbers (`1592411992203.0` in endpoint events) and
 * epoch-millisecond strings (`"1583831889050"` in training job events). SDK outputs hold Dates.
 */
export type TimeValue = Date | string | number;

// Anything below this is taken as epoch seconds: no SageMaker resource predates 2001 in ms.
const EPOCH_SECONDS_LIMIT = 1e11;

export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(text)) return fromNumber(Number(text));
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function fromNumber(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  return Math.round(value < EPOCH_SECONDS_LIMIT ? value * 1000 : value);
}

export function toIsoTime(value: unknown): string | undefined {
  const ms = toEpochMs(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
