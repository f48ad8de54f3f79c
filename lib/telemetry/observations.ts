/**
 * Metrics as data: the domain decides what to emit, an adapter (Powertools Metrics, EMF)
 * publishes it. Keeping them as values lets tests assert them and the bench count them.
 */
export type ObservationUnit = 'Count' | 'Milliseconds';

export interface Observation {
  name: string;
  unit: ObservationUnit;
  value: number;
  /** Each set is published as its own CloudWatch dimension combination. */
  dimensionSets: Array<Record<string, string>>;
}

/** Operational counters of one batch, published with the function's service dimension. */
export class Counters {
  private readonly values = new Map<string, { name: string; dimensions: Record<string, string>; value: number }>();

  add(name: string, value = 1, dimensions?: Record<string, string>): void {
    if (value === 0) return;
    const key = counterKey(name, dimensions);
    const entry = this.values.get(key);
    if (entry) entry.value += value;
    else this.values.set(key, { name, dimensions: dimensions ?? {}, value });
  }

  get(name: string, dimensions?: Record<string, string>): number {
    return this.values.get(counterKey(name, dimensions))?.value ?? 0;
  }

  /** Sum over every dimension combination of one counter. */
  total(name: string): number {
    let sum = 0;
    for (const entry of this.values.values()) if (entry.name === name) sum += entry.value;
    return sum;
  }

  entries(): Array<{ name: string; dimensions: Record<string, string>; value: number }> {
    return [...this.values.values()];
  }

  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { name, dimensions, value } of this.values.values()) {
      const suffix = Object.values(dimensions).join('/');
      out[suffix ? `${name}/${suffix}` : name] = value;
    }
    return out;
  }
}

/**
 * Counters are added per log line: a counter without dimensions is keyed by its bare name, so
 * the hot path neither serialises an empty object nor builds a new string. Names never contain
 * the NUL that separates a name from its dimensions, so the two kinds of key cannot collide.
 */
function counterKey(name: string, dimensions: Record<string, string> | undefined): string {
  if (dimensions === undefined) return name;
  const json = JSON.stringify(dimensions);
  return json === '{}' ? name : `${name}\u0000${json}`;
}

/** The minimal logger lib/ needs; Powertools Logger satisfies it. */
export interface LogSink {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLog: LogSink = { debug() {}, info() {}, warn() {}, error() {} };
