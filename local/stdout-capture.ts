/**
 * Captures what the handlers write to stdout while a local run plays (Powertools logs and EMF
 * metric documents, as Lambda would ship them to CloudWatch Logs) and folds the metrics into
 * running sums as they arrive: a long run keeps a few numbers, not every document.
 */
interface Directive {
  Dimensions: string[][];
  Metrics: Array<{ Name: string }>;
}

export class StdoutCapture {
  private original?: typeof process.stdout.write;
  private buffer = '';
  /** `name|dimA,dimB` (one entry per dimension set of the document) → sum of values. */
  private readonly sums = new Map<string, number>();
  /** metric name → number of values seen (an EMF value may be an array of samples). */
  private readonly counts = new Map<string, number>();

  constructor(private readonly echo: boolean) {}

  start(): void {
    if (this.original) return;
    this.original = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      this.buffer += text;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        this.line(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
        newline = this.buffer.indexOf('\n');
      }
      if (this.echo) process.stderr.write(text);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }

  stop(): void {
    if (this.original) process.stdout.write = this.original;
    this.original = undefined;
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
  }

  private line(text: string): void {
    if (!text.startsWith('{') || !text.includes('"_aws"')) return;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // Not a metrics document after all.
    }
    const directive = (doc._aws as { CloudWatchMetrics?: Directive[] } | undefined)?.CloudWatchMetrics?.[0];
    if (!directive) return;
    for (const { Name } of directive.Metrics) {
      const value = doc[Name];
      const values = Array.isArray(value) ? (value as unknown[]).map(Number) : [Number(value)];
      this.counts.set(Name, (this.counts.get(Name) ?? 0) + values.length);
      const total = values.reduce((a, b) => a + b, 0);
      for (const set of directive.Dimensions) {
        const key = `${Name}|${[...set].sort().join(',')}`;
        this.sums.set(key, (this.sums.get(key) ?? 0) + total);
      }
    }
  }

  /** Sums a metric over the documents whose dimension sets include exactly `dims` (by name). */
  sum(name: string, dims: string[]): number {
    return this.sums.get(`${name}|${[...dims].sort().join(',')}`) ?? 0;
  }

  /** How many values of a metric were emitted (samples, not their sum). */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
