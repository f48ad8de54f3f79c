import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/aws/clients';
import { isRetryableAwsError } from '../../lib/aws/errors';
import { SignedDynamoDBClient } from '../../lib/aws/signed-dynamodb';
import { planLogMerge } from '../../lib/correlate/duplicates';
import { RequestMerges } from '../../lib/correlate/request-merges';
import type { LogHalf, NotificationHalf } from '../../lib/requests/halves';
import { NOTHING_KNOWN } from '../../lib/requests/merge-plan';
import { itemFromConditionFailure } from '../../lib/store/requests-item';
import { isConditionFailure } from '../../lib/aws/errors';
import { RequestStore, type DocumentSender } from '../../lib/store/requests';
import { ensureTables } from '../../local/dynamo';
import { useDynamo } from '../support/dynamo';

/**
 * The contract of the signed client (lib/aws/signed-dynamodb.ts): the request store's
 * operations give the same answers, the same errors and the same retries through it as through
 * the SDK's document client. Each client writes to its own table of the same layout in one
 * dynalite, so every answer can be compared whole.
 */
const db = useDynamo();
const NOW = Date.UTC(2026, 2, 1, 9, 30);
const T0 = Date.UTC(2026, 2, 1, 9, 0);
const TABLE = { sdk: 'contract-sdk', signed: 'contract-signed' } as const;

let signed: SignedDynamoDBClient;
let faults: FaultProxy;

beforeAll(async () => {
  for (const requests of Object.values(TABLE)) {
    await ensureTables(db.endpoint(), { requests, inventory: `${requests}-inventory`, state: `${requests}-state` });
  }
  signed = new SignedDynamoDBClient({ region: 'us-east-1', maxAttempts: 3 });
  faults = await FaultProxy.start(db.endpoint());
});

afterAll(async () => {
  signed?.destroy();
  await faults?.close();
});

function storeOver(client: DocumentSender, tableName: string): RequestStore {
  return new RequestStore(client, { tableName, stateTable: `${tableName}-state`, retentionDays: 30, maxLogLines: 3, maxLogLineChars: 64, now: () => NOW });
}

function half(inferenceId: string, lines: Array<[string, number, string, 'Info' | 'ServerError']>, instanceId = 'i-0aaa'): LogHalf {
  return {
    inferenceId,
    endpointName: 'ep-contract',
    variantName: 'AllTraffic',
    lines: lines.map(([eventId, at, message, category]) => ({ eventId, at, message, category, ...(category === 'ServerError' ? { statusCode: 500 } : {}), instanceId })),
  };
}

function notification(inferenceId: string, overrides: Partial<NotificationHalf> = {}): NotificationHalf {
  return {
    inferenceId,
    endpointName: 'ep-contract',
    status: 'Failed',
    receivedAt: '2026-03-01T08:59:59.000Z',
    completedAt: '2026-03-01T09:00:04.000Z',
    endToEndLatencyMs: 5000,
    failureReason: 'ClientError: Received server error (500) from model. Ünïcödé 🚀',
    failureCategory: 'ServerError',
    failureStatusCode: 500,
    truncated: ['failureReason'],
    ...overrides,
  };
}

/** The same story through a store: every answer it gives, in order. */
async function story(client: DocumentSender, tableName: string): Promise<unknown[]> {
  const store = storeOver(client, tableName);
  const merges = new RequestMerges(store);
  const answers: unknown[] = [];
  const lines: Array<[string, number, string, 'Info' | 'ServerError']> = [
    ['e1', T0, 'Received server error (500) from primary with "quotes" and \\ backslash', 'ServerError'],
    ['e2', T0 + 5, 'retrying', 'Info'],
  ];
  answers.push(await merges.mergeLogHalf(half('id-logs-first', lines)));
  // A redelivery: the marks' condition fails, nothing is added.
  answers.push(await merges.mergeLogHalf(half('id-logs-first', lines)));
  answers.push(await store.writeLogMerge(half('id-logs-first', lines), planLogMerge(half('id-logs-first', lines), NOTHING_KNOWN)));
  answers.push(await merges.mergeNotification(notification('id-logs-first')));
  answers.push(await merges.mergeNotification(notification('id-logs-first')));
  answers.push(await merges.mergeNotification(notification('id-notified-first', { status: 'Completed', outputLocation: 's3://bucket/out/x.json' })));
  answers.push(await merges.mergeLogHalf(half('id-notified-first', [['e3', T0 + 9, 'done', 'Info']], 'i-0bbb')));
  for (let i = 0; i < 5; i++) answers.push(await merges.mergeLogHalf(half(`id-open-${i}`, [[`o${i}`, T0 + 100 * i, `line ${i}`, 'Info']])));
  // The open requests listed, paged (every shard), read back, one marked stuck exactly once, the lists removed.
  await merges.listOpen(
    ['id-logs-first', ...Array.from({ length: 5 }, (_, i) => `id-open-${i}`)].map((inferenceId, i) => ({ inferenceId, endpointName: 'ep-contract', openSince: new Date(T0 + i).toISOString() })),
  );
  const lists = [];
  for (let s = 0; s < 4; s++) lists.push(...(await store.openListsPage(s, '2027-01-01T00:00:00.000Z', { limit: 10 })).lists);
  answers.push(lists.flatMap((list) => list.requests));
  answers.push(await store.records(lists.flatMap((list) => list.requests)));
  answers.push(await store.markStuck({ inferenceId: 'id-open-1', endpointName: 'ep-contract' }, '2026-03-01T09:30:00.000Z'));
  answers.push(await store.markStuck({ inferenceId: 'id-open-1', endpointName: 'ep-contract' }, '2026-03-01T09:30:00.000Z'));
  answers.push(await store.markStuck({ inferenceId: 'id-logs-first', endpointName: 'ep-contract' }, '2026-03-01T09:30:00.000Z'));
  for (const list of lists) await store.removeOpenList(list);
  for (let s = 0; s < 4; s++) answers.push((await store.openListsPage(s, '2027-01-01T00:00:00.000Z', { limit: 10 })).lists);
  answers.push(await store.readLogState({ inferenceId: 'id-logs-first', endpointName: 'ep-contract' }));
  answers.push(await store.readLogState({ inferenceId: 'id-absent', endpointName: 'ep-contract' }));
  answers.push(await store.getByInferenceId('id-logs-first'));
  answers.push(await store.getByInferenceId('id-absent'));
  // The processors list what a batch merged under its endpoint; the listing is read back, the records with BatchGetItem.
  const merged = answers.filter(
    (answer): answer is { requestTime: string; record: { inferenceId: string } } =>
      typeof (answer as { requestTime?: unknown })?.requestTime === 'string' && (answer as { record?: unknown }).record !== undefined,
  );
  await merges.listByEndpoint(merged.map((answer) => ({ inferenceId: answer.record.inferenceId, endpointName: 'ep-contract', requestTime: answer.requestTime })));
  answers.push(await store.queryByEndpoint({ endpointName: 'ep-contract' }));
  answers.push(await store.queryByEndpoint({ endpointName: 'ep-contract', from: '2026-03-01T09:00:00.000Z', to: '2026-03-01T09:00:00.300Z', status: 'InProgress', limit: 2 }));
  return answers;
}

/** Errors as callers see them: what the store and the retry policy read of them. */
function errorOf(error: unknown) {
  const e = error as { name: string; message: string; $fault?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; Item?: unknown };
  return {
    name: e.name,
    message: e.message,
    fault: e.$fault,
    status: e.$metadata?.httpStatusCode,
    attempts: e.$metadata?.attempts,
    item: e.Item,
    conditionFailure: isConditionFailure(error),
    itemFromFailure: itemFromConditionFailure(error),
    retryable: isRetryableAwsError(error),
    isError: error instanceof Error,
  };
}

async function failure(send: () => Promise<unknown>): Promise<ReturnType<typeof errorOf>> {
  try {
    await send();
  } catch (error) {
    return errorOf(error);
  }
  throw new Error('expected the call to fail');
}

describe('SignedDynamoDBClient against the document client', () => {
  it('gives the same answers to every store operation', async () => {
    const sdk = await story(db.client(), TABLE.sdk);
    const ours = await story(signed, TABLE.signed);
    expect(ours).toEqual(sdk);
    // The story did exercise what it claims: a record with both halves, a repeat refused, open requests listed.
    // One write, and the request to go on the batch's open list (no notification yet).
    expect(sdk[0]).toMatchObject({ addedLines: 2, writes: 1, opened: { inferenceId: 'id-logs-first', endpointName: 'ep-contract' } });
    expect(sdk[1]).toMatchObject({ addedLines: 0 });
    expect(sdk[2]).toEqual({ written: false });
    expect(sdk[4]).toMatchObject({ applied: false });
    expect((sdk[12] as unknown[]).length).toBe(6);
    expect((sdk[13] as unknown[]).length).toBe(6);
    expect(sdk.slice(14, 17)).toEqual([true, false, false]);
    expect(sdk.slice(17, 21)).toEqual([[], [], [], []]);
    expect((sdk[25] as unknown[]).length).toBeGreaterThan(5);
  });

  it('fails with the same errors: condition, validation, missing table', async () => {
    const cases: Array<(client: DocumentSender, table: string) => Promise<unknown>> = [
      (client, table) =>
        client.send(
          new UpdateCommand({
            TableName: table,
            Key: { inferenceId: 'id-logs-first', endpointName: 'ep-contract' },
            UpdateExpression: 'SET x = :x',
            ConditionExpression: 'attribute_not_exists(inferenceId)',
            ExpressionAttributeValues: { ':x': 1 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (client, table) => client.send(new UpdateCommand({ TableName: table, Key: { inferenceId: 'a', endpointName: 'b' }, UpdateExpression: 'SET = nonsense' })),
      (client, table) => client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'nope = :x', ExpressionAttributeValues: { ':x': 'y' } })),
      (client) => client.send(new GetCommand({ TableName: 'no-such-table', Key: { inferenceId: 'a', endpointName: 'b' } })),
    ];
    for (const run of cases) {
      const sdk = await failure(() => run(db.client(), TABLE.sdk));
      const ours = await failure(() => run(signed, TABLE.signed));
      expect(ours).toEqual(sdk);
    }
    const condition = await failure(() => cases[0]!(signed, TABLE.signed));
    expect(condition).toMatchObject({ name: 'ConditionalCheckFailedException', fault: 'client', status: 400, attempts: 1, conditionFailure: true, retryable: false });
  });

  it('keeps the item DynamoDB returns with a failed condition, marshalled as the SDK does', async () => {
    // dynalite ignores ReturnValuesOnConditionCheckFailure; the proxy answers as DynamoDB does.
    const item = { inferenceId: { S: 'id-x' }, endpointName: { S: 'ep' }, sources: { SS: ['logs'] }, logLineCount: { N: '3' }, 'm#i-0aaa': { S: '0000:e9' } };
    faults.next([{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: item } }]);
    const sdk = await failure(() => sdkAt(faults.url).send(getX()));
    faults.next([{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: item } }]);
    const ours = await failure(() => signedAt(faults.url).send(getX()));
    expect(ours).toEqual(sdk);
    expect(ours.itemFromFailure).toEqual({ inferenceId: 'id-x', endpointName: 'ep', sources: new Set(['logs']), logLineCount: 3, 'm#i-0aaa': '0000:e9' });
  });

  it('retries throttling and server errors as the SDK does, and gives up after the same attempts', async () => {
    const throttled = { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput.' } };
    const unavailable = { status: 503, body: { __type: 'com.amazon.coral.availability#ServiceUnavailableException', message: 'Service unavailable' } };
    const internal = { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' } };
    for (const make of [() => sdkAt(faults.url), () => signedAt(faults.url)]) {
      // Two failures, then the real answer: the call succeeds on its third attempt.
      faults.next([throttled, unavailable]);
      const answer = (await make().send(getX())) as { $metadata: { attempts: number } };
      expect(answer.$metadata.attempts).toBe(3);
      expect(faults.seen()).toBe(3);
    }
    const giveUps = [];
    for (const make of [() => sdkAt(faults.url), () => signedAt(faults.url)]) {
      faults.next([internal, internal, internal, internal]);
      giveUps.push(await failure(() => make().send(getX())));
      expect(faults.seen()).toBe(3);
    }
    expect(giveUps[1]).toEqual(giveUps[0]);
    expect(giveUps[1]).toMatchObject({ name: 'InternalServerError', fault: 'server', status: 500, attempts: 3, retryable: true });
  }, 30_000);

  it('sends exactly what it signed: a server that checks SigV4 accepts every call, and refuses a tampered one', async () => {
    const verifier = await SignatureCheckingServer.start({ accessKeyId: 'AKIDCHECK', secretAccessKey: 'check/secret+key', sessionToken: 'IQoJb3JpZ2luX2Vj//session+token==' });
    const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDCHECK', AWS_SECRET_ACCESS_KEY: 'check/secret+key', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2Vj//session+token==' });
    try {
      const client = signedAt(verifier.url);
      const answer = (await client.send(new GetCommand({ TableName: 'requests', Key: { inferenceId: 'ïd with spaces ] and 🚀', endpointName: 'ep' } }))) as { $metadata: { httpStatusCode: number } };
      expect(answer.$metadata.httpStatusCode).toBe(200);
      expect(verifier.checked).toEqual([{ target: 'DynamoDB_20120810.GetItem', valid: true, token: 'IQoJb3JpZ2luX2Vj//session+token==' }]);
      verifier.tamper = true;
      const refused = await failure(() => client.send(getX()));
      expect(refused).toMatchObject({ name: 'InvalidSignatureException', status: 400, attempts: 1, retryable: false });
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', previous.id],
        ['AWS_SECRET_ACCESS_KEY', previous.secret],
        ['AWS_SESSION_TOKEN', previous.token],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await verifier.close();
    }
  });

  it('retries a connection the server drops', async () => {
    faults.next([{ status: 0, body: {} }]);
    const answer = (await signedAt(faults.url).send(getX())) as { $metadata: { attempts: number } };
    expect(answer.$metadata.attempts).toBe(2);
  });
});

const clients: SignedDynamoDBClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

function signedAt(endpoint: string): SignedDynamoDBClient {
  const client = new SignedDynamoDBClient({ region: 'us-east-1', maxAttempts: 3, endpoint });
  clients.push(client);
  return client;
}

function sdkAt(endpoint: string): ReturnType<typeof createDocumentClient> {
  return createDocumentClient({ region: 'us-east-1', maxAttempts: 3, endpoint });
}

const getX = () => new GetCommand({ TableName: TABLE.sdk, Key: { inferenceId: 'id-logs-first', endpointName: 'ep-contract' } });

interface Fault {
  /** 0: drop the connection without an answer. */
  status: number;
  body: Record<string, unknown>;
}

/** In front of dynalite: answers the next requests with the given faults, then passes requests through. */
class FaultProxy {
  private queue: Fault[] = [];
  private count = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<FaultProxy> {
    const target = new URL(upstream);
    let proxy: FaultProxy;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      proxy.count++;
      const fault = proxy.queue.shift();
      if (fault && fault.status === 0) {
        req.socket.destroy();
        return;
      }
      if (fault) {
        req.resume();
        const body = JSON.stringify(fault.body);
        res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${proxy.count}`, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      const upstreamRequest = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstreamRequest);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  next(faults: Fault[]): void {
    this.queue = [...faults];
    this.count = 0;
  }

  seen(): number {
    return this.count;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Checks each request's SigV4 signature as DynamoDB does: it signs the request it received
 * (method, path, the headers named in SignedHeaders, the body bytes, x-amz-date) with the
 * credentials it knows and compares. `tamper` changes one received header before checking.
 */
class SignatureCheckingServer {
  checked: Array<{ target: string; valid: boolean; token: string | undefined }> = [];
  tamper = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): Promise<SignatureCheckingServer> {
    let self: SignatureCheckingServer;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const authorization = String(req.headers.authorization ?? '');
          const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
          const headers: Record<string, string> = {};
          for (const name of signedNames) headers[name] = String(req.headers[name] ?? '');
          if (self.tamper) headers['x-amz-target'] = 'DynamoDB_20120810.DeleteItem';
          const date = String(req.headers['x-amz-date'] ?? '');
          const at = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
          const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)?.[1] ?? '';
          const expected = await new SignatureV4({ service: 'dynamodb', region, credentials, sha256: Sha256, applyChecksum: false }).sign(
            { method: req.method ?? '', protocol: 'http:', hostname: headers.host ?? '', path: req.url ?? '', query: {}, headers, body: Buffer.concat(chunks) },
            { signingDate: at },
          );
          const valid = expected.headers.authorization === authorization && signedNames.includes('host') && signedNames.includes('x-amz-target');
          self.checked.push({ target: String(req.headers['x-amz-target']), valid, token: req.headers['x-amz-security-token'] as string | undefined });
          const body = JSON.stringify(
            valid ? {} : { __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' },
          );
          res.writeHead(valid ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new SignatureCheckingServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
