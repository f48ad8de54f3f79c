/**
 * The last data-log line of each log stream seen by this process, so that a body split over
 * several events attaches to its line when the split falls between two batches. CloudWatch Logs
 * sends a stream to one Kinesis shard and Lambda reads a shard in order, so the next batch of
 * a stream usually reaches the same warm container; when it does not, the continuation lines
 * are counted (DataLogLinesUnparsed) and their line keeps what it had.
 */
export interface StreamTail {
  inferenceId: string;
  endpointName: string;
  variantName: string;
  instanceId: string;
  /** The line's message so far, continuations included. */
  message: string;
  /** Its index among the record's stored lines, or -1 when it was only counted. */
  index: number;
}

const STREAMS_KEPT = 10_000;

export class StreamTails {
  private readonly tails = new Map<string, StreamTail>();

  constructor(private readonly capacity = STREAMS_KEPT) {}

  get(stream: string): StreamTail | undefined {
    return this.tails.get(stream);
  }

  set(stream: string, tail: StreamTail): void {
    this.tails.delete(stream);
    this.tails.set(stream, tail);
    if (this.tails.size > this.capacity) this.tails.delete(this.tails.keys().next().value!);
  }

  delete(stream: string): void {
    this.tails.delete(stream);
  }
}
