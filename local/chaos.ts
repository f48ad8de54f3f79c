import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { random } from './traffic';
import type { QueueMessage } from './sqs';

type Invoke<T> = (event: unknown) => Promise<T>;

/**
 * `--chaos`: the infrastructure faults a deployed sagewatch meets, injected around the real
 * handlers (DynamoDB throttling lives in chaos-proxy.ts, Slack's 429/500 in slack.ts). Seeded,
 * so a chaotic run is as reproducible as a calm one.
 */
export class Chaos {
  private readonly rnd: () => number;
  crashedInvocations = 0;
  redeliveredBatches = 0;
  duplicatedMessages = 0;

  constructor(seed: number) {
    this.rnd = random(seed ^ 0x5eed);
  }

  /**
   * A crash mid-batch now and then: half the records are processed (and written), then the
   * function dies; Lambda retries the batch and the merges must not double count.
   */
  crashingStreamConsumer<T>(invoke: Invoke<T>): Invoke<T> {
    return async (event) => {
      if (this.rnd() < 0.08) {
        this.crashedInvocations++;
        const records = (event as { Records: unknown[] }).Records;
        await invoke({ Records: records.slice(0, Math.ceil(records.length / 2)) });
        throw new Error('simulated crash mid-batch');
      }
      return invoke(event);
    };
  }

  /** SQS standard queues deliver in no particular order. */
  shuffle = (items: QueueMessage[]): QueueMessage[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };

  /** SQS delivers at least once: some messages twice. */
  duplicate(): boolean {
    if (this.rnd() >= 0.1) return false;
    this.duplicatedMessages++;
    return true;
  }

  /** Now and then an earlier stretch of the stream, late and out of order (a replayed shard). */
  async redelivery(client: KinesisClient, streamName: string): Promise<_Record[]> {
    if (this.rnd() >= 0.15) return [];
    const shards = (await client.send(new DescribeStreamCommand({ StreamName: streamName }))).StreamDescription?.Shards ?? [];
    const shard = shards[Math.floor(this.rnd() * shards.length)];
    if (!shard) return [];
    const iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    const records = (await client.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 10_000 }))).Records ?? [];
    if (records.length === 0) return [];
    const from = Math.floor(this.rnd() * records.length);
    this.redeliveredBatches++;
    return records.slice(from, from + 20).reverse();
  }
}
