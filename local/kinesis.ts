import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand, type _Record } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

export interface EmbeddedKinesis {
  endpoint: string;
  client: KinesisClient;
  close(): Promise<void>;
}

/** A Kinesis-compatible server (kinesalite) on a random loopback port. */
export async function startKinesis(options: { path?: string } = {}): Promise<EmbeddedKinesis> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = kinesalite({ ...(options.path ? { path: options.path } : {}), createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // kinesalite speaks HTTP/1.1 only; the SDK's default handler for Kinesis may try HTTP/2.
  const client = new KinesisClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Deletes and recreates the stream so each local run starts from an empty stream. */
export async function resetStream(client: KinesisClient, streamName: string, shards: number): Promise<void> {
  try {
    await client.send(new DeleteStreamCommand({ StreamName: streamName }));
    await waitFor(async () => {
      try {
        await client.send(new DescribeStreamCommand({ StreamName: streamName }));
        return false;
      } catch {
        return true;
      }
    });
  } catch {
    // Not there yet: nothing to delete.
  }
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
  await waitFor(async () => (await client.send(new DescribeStreamCommand({ StreamName: streamName }))).StreamDescription?.StreamStatus === 'ACTIVE');
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('kinesalite did not settle');
}

/** Puts records (each base64 data) the way CloudWatch Logs' subscription does, in chunks of 500. */
export async function putRecords(client: KinesisClient, streamName: string, records: Array<{ data: string; partitionKey: string }>): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const output = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((r) => ({ Data: Buffer.from(r.data, 'base64'), PartitionKey: r.partitionKey })),
      }),
    );
    if (output.FailedRecordCount) throw new Error(`kinesalite rejected ${output.FailedRecordCount} records`);
  }
}

export interface KinesisInvokeResult {
  batchItemFailures?: Array<{ itemIdentifier: string }>;
}

export interface EventSourceOptions {
  batchSize: number;
  maxRetries: number;
  bisectOnError: boolean;
  /** The on-failure destination: records that still fail after the retries. */
  onFailure: (records: _Record[], reason: string) => void;
  /** Runs before a batch is handed over; throwing simulates the function crashing on it. */
  beforeInvoke?: (records: _Record[]) => void;
}

/**
 * Reads every shard of a stream and invokes a function like Lambda's Kinesis event source
 * mapping: batches in order per shard, partial batch responses (retry from the lowest failed
 * record), retries, bisection on function errors, and an on-failure destination at the end.
 */
export class KinesisEventSource {
  private readonly positions = new Map<string, string | undefined>();
  invocations = 0;
  functionErrors = 0;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly region: string,
    private readonly invoke: (event: unknown) => Promise<KinesisInvokeResult>,
    private readonly options: EventSourceOptions,
  ) {}

  /** Processes everything in the stream that was not processed yet. Returns the record count. */
  async drain(): Promise<number> {
    const description = await this.client.send(new DescribeStreamCommand({ StreamName: this.streamName }));
    let processed = 0;
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const records = await this.readShard(shard.ShardId!);
      for (let i = 0; i < records.length; i += this.options.batchSize) {
        await this.deliver(records.slice(i, i + this.options.batchSize), 0);
      }
      processed += records.length;
      if (records.length > 0) this.positions.set(shard.ShardId!, records[records.length - 1]!.SequenceNumber);
    }
    return processed;
  }

  private async readShard(shardId: string): Promise<_Record[]> {
    const after = this.positions.get(shardId);
    let iterator = (
      await this.client.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: shardId,
          ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      )
    ).ShardIterator;
    const records: _Record[] = [];
    while (iterator) {
      const output = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      records.push(...(output.Records ?? []));
      if (!output.Records || output.Records.length === 0 || output.MillisBehindLatest === 0) break;
      iterator = output.NextShardIterator;
    }
    return records;
  }

  private event(records: _Record[]) {
    return {
      Records: records.map((record) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: record.PartitionKey,
          sequenceNumber: record.SequenceNumber,
          data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${record.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/sagewatch-local-processLogs',
        awsRegion: this.region,
        eventSourceARN: `arn:aws:kinesis:${this.region}:000000000000:stream/${this.streamName}`,
      })),
    };
  }

  /** One delivery with Lambda's retry rules; recursion is bounded by maxRetries. */
  async deliver(records: _Record[], attempt: number): Promise<void> {
    if (records.length === 0) return;
    this.invocations++;
    let result: KinesisInvokeResult;
    try {
      this.options.beforeInvoke?.(records);
      result = await this.invoke(this.event(records));
    } catch (error) {
      this.functionErrors++;
      if (attempt >= this.options.maxRetries) {
        this.options.onFailure(records, `function error: ${(error as Error).message}`);
        return;
      }
      if (this.options.bisectOnError && records.length > 1) {
        const half = Math.ceil(records.length / 2);
        await this.deliver(records.slice(0, half), attempt + 1);
        await this.deliver(records.slice(half), attempt + 1);
        return;
      }
      await this.deliver(records, attempt + 1);
      return;
    }
    const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    if (failed.size === 0) return;
    const first = records.findIndex((r) => failed.has(r.SequenceNumber!));
    // An identifier that is not in the batch makes Lambda retry the whole batch.
    const from = Math.max(0, first);
    if (attempt >= this.options.maxRetries) {
      this.options.onFailure(records.slice(from), 'records still failing after retries');
      return;
    }
    await this.deliver(records.slice(from), attempt + 1);
  }
}
