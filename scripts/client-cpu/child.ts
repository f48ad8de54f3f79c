/**
 * One client option of scripts/client-cpu.ts, in its own process: the request store's log
 * merges sent through that client to a loopback server that answers at once (in another
 * process, so only the client's CPU is counted here). Prints one JSON line.
 */
import { Agent, request } from 'node:http';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type BatchGetCommand, GetCommand, type QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDocumentClient, createStoreClient } from '../../lib/aws/clients';
import { planLogMerge } from '../../lib/correlate/duplicates';
import type { LogHalf } from '../../lib/requests/halves';
import { NOTHING_KNOWN } from '../../lib/requests/merge-plan';
import { RequestStore, type DocumentSender } from '../../lib/store/requests';
import { settleWithLimit } from '../../lib/util/pool';

type Option = (typeof OPTIONS)[number];
export const OPTIONS = ['sink', 'document', 'low-level', 'low-level-cached', 'low-level-cached-agent', 'signed', 'http-floor'] as const;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

/** The document client's work done by hand over the low-level client (what lib-dynamodb does per command). */
class LowLevelSender implements DocumentSender {
  constructor(private readonly client: DynamoDBClient) {}
  async send(command: UpdateCommand | GetCommand | QueryCommand | BatchGetCommand): Promise<unknown> {
    if (command instanceof UpdateCommand) {
      const { Key, ExpressionAttributeValues, ...rest } = command.input;
      const out = await this.client.send(
        new UpdateItemCommand({ ...rest, Key: marshall(Key, MARSHALL), ...(ExpressionAttributeValues ? { ExpressionAttributeValues: marshall(ExpressionAttributeValues, MARSHALL) } : {}) }),
      );
      return { ...out, ...(out.Attributes ? { Attributes: unmarshall(out.Attributes) } : {}) };
    }
    if (command instanceof GetCommand) {
      const out = await this.client.send(new GetItemCommand({ ...command.input, Key: marshall(command.input.Key, MARSHALL) }));
      return { ...out, ...(out.Item ? { Item: unmarshall(out.Item) } : {}) };
    }
    throw new Error('not measured');
  }
}

/**
 * Not a client: the command's input posted as JSON with fixed headers over a keep-alive agent,
 * unsigned and unmarshalled, the answer parsed and unmarshalled. What node:http itself costs.
 */
class HttpFloorSender implements DocumentSender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 50 });
  constructor(private readonly url: URL) {}
  send(command: UpdateCommand | GetCommand | QueryCommand | BatchGetCommand): Promise<unknown> {
    const body = JSON.stringify(command.input, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method: 'POST',
          hostname: this.url.hostname,
          port: this.url.port,
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.UpdateItem',
            'content-length': String(Buffer.byteLength(body)),
            'x-amz-date': '20260101T000000Z',
            authorization: `AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
          },
        },
        (message) => {
          const chunks: Buffer[] = [];
          message.on('data', (chunk: Buffer) => chunks.push(chunk));
          message.on('end', () => resolve({ Attributes: unmarshall((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Attributes: never }).Attributes) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Answers like the server would, without HTTP: the store's own cost. */
class SinkSender implements DocumentSender {
  constructor(private readonly item: Record<string, unknown>) {}
  async send(): Promise<unknown> {
    return { Attributes: unmarshall(this.item as never) };
  }
}

function senderFor(option: Option, endpoint: string, item: Record<string, unknown>): DocumentSender {
  // Every SDK option finds the server through AWS_ENDPOINT_URL_DYNAMODB, as the handlers do.
  const base = { region: 'us-east-1', maxAttempts: 5, retryMode: 'standard' as const };
  switch (option) {
    case 'sink':
      return new SinkSender(item);
    case 'document':
      return createDocumentClient({ region: 'us-east-1' });
    case 'low-level':
      return new LowLevelSender(new DynamoDBClient(base));
    case 'low-level-cached':
      return new LowLevelSender(new DynamoDBClient({ ...base, cacheMiddleware: true }));
    case 'low-level-cached-agent':
      return new LowLevelSender(
        new DynamoDBClient({
          ...base,
          cacheMiddleware: true,
          requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
        }),
      );
    case 'http-floor':
      return new HttpFloorSender(new URL(endpoint));
    case 'signed':
      return createStoreClient({ region: 'us-east-1' });
  }
}

function half(i: number): LogHalf {
  const at = 1_767_000_000_000 + i * 7;
  const failed = i % 10 === 0;
  return {
    inferenceId: `bench-${i.toString(36)}-0d6f1c2e-4b1a-4f7e-9c55-${(i * 7919).toString(16).padStart(12, '0')}`,
    endpointName: `bench-async-endpoint-${i % 6}`,
    variantName: 'AllTraffic',
    lines: [
      {
        eventId: `3${String(i).padStart(55, '0')}`,
        at,
        message: failed
          ? 'Model server returned an error: 500 Internal Server Error <html><body>Traceback (most recent call last): ...</body></html>'
          : 'Inference request succeeded. ModelLatency: 231 us, RequestDownloadLatency: 12 us, ResponseUploadLatency: 19 us',
        category: failed ? 'ServerError' : 'Info',
        ...(failed ? { statusCode: 500 } : {}),
        instanceId: 'i-0123456789abcdef0',
      },
    ],
  };
}

async function main(): Promise<void> {
  const [option, endpoint, countArg, itemJson] = process.argv.slice(2) as [Option, string, string, string];
  const count = Number(countArg);
  const sender = senderFor(option, endpoint, JSON.parse(itemJson) as Record<string, unknown>);
  const store = new RequestStore(sender, { tableName: 'requests', stateTable: 'state', retentionDays: 30, maxLogLines: 5, maxLogLineChars: 2048 });
  const run = async (from: number, n: number) => {
    const halves = Array.from({ length: n }, (_, i) => half(from + i));
    const settled = await settleWithLimit(halves, 32, (h) => store.writeLogMerge(h, planLogMerge(h, NOTHING_KNOWN)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  await run(0, Math.min(count, 3000));
  const before = process.cpuUsage();
  const started = performance.now();
  await run(1_000_000, count);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ option, writes: count, cpuMsPerWrite: (cpu.user + cpu.system) / 1000 / count, wallMs })}\n`);
}

await main();
