// Over 300 lines on purpose: one concept, the metering proxy; parsing a request off the wire and
// billing it by DynamoDB's rules share the per-table usage it accumulates.
/**
 * A metering proxy in front of dynalite. The functions under test talk to it exactly as to
 * DynamoDB (their own SDK, signing and retries; the bytes are passed on untouched), and for
 * every request it works out what DynamoDB would bill (bench/capacity.ts): for a write, from
 * the whole item before and after it (writes to one key are serialised so the two images
 * belong to that write), for a read, from every item the read evaluated. It observes the wire,
 * so it keeps counting whatever client or store code sends the requests.
 *
 * The meter is started on empty tables and sees every write, so it keeps a copy of every item
 * (the "before" of the next write and the size of a GetItem); the "after" is the ALL_NEW
 * answer when the client asked for one, the Item of a PutItem, or else read back. dynalite
 * spends milliseconds of CPU per request, and reading every item twice more would triple it.
 *
 * Each `endpoint(label)` is its own port, so the figures are kept per function. A label can be
 * recorded (every request with its answer, for bench/replay-sender.ts) and answered from a
 * recording instead of dynalite (processLogs' warm-up rounds: bench/real-path.ts).
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, type GetItemCommandInput, QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { indexEntry, queryReadCost, readUnits, itemBytes, writeCost, type IndexSchema, type Item, type TableSchema } from './capacity';
import { matchKey, operationKey, wireKeyValue, type RecordedCall, type Recording } from './replay-sender';

export interface TableUsage {
  writeUnits: number;
  readUnits: number;
  /** Units written to each global secondary index, and the index writes (puts + deletes). */
  indexes: Record<string, { units: number; writes: number }>;
}

export interface LabelUsage {
  /** Requests by operation name (UpdateItem, Query ...), as sent, retries included. */
  requests: Record<string, number>;
  conditionFailures: number;
  /** Requests DynamoDB would have refused (validation, size); a bench run expects none. */
  errors: Record<string, number>;
  writeUnits: number;
  readUnits: number;
  tables: Record<string, TableUsage>;
  /** Largest item (bytes) any write left behind, per table. */
  largestItem: Record<string, number>;
}

export type Usage = Record<string, LabelUsage>;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

function emptyUsage(): LabelUsage {
  return { requests: {}, conditionFailures: 0, errors: {}, writeUnits: 0, readUnits: 0, tables: {}, largestItem: {} };
}

interface Answering {
  exact: Map<string, RecordedCall[]>;
  loose: Map<string, RecordedCall[]>;
  given: Set<RecordedCall>;
}

interface Forwarded {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class DynamoMeter {
  private readonly servers: Server[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly side: DynamoDBClient;
  private readonly schemas = new Map<string, Promise<TableSchema>>();
  private readonly keyLocks = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private usage: Usage = {};
  private readonly target: URL;
  /** Every item as the last metered write left it, by table and key. */
  private readonly items = new Map<string, Item>();
  /** Requests and answers kept for a replay (bench/replay-sender.ts), by label. */
  private readonly recordings = new Map<string, RecordedCall[]>();
  /** Labels answered from a recording instead of dynalite (warm-up rounds), by match key. */
  private readonly answering = new Map<string, Answering>();

  constructor(targetEndpoint: string, region = 'us-east-1') {
    this.target = new URL(targetEndpoint);
    this.side = new DynamoDBClient({ endpoint: targetEndpoint, region, credentials: { accessKeyId: 'meter', secretAccessKey: 'meter' } });
  }

  /** A new endpoint whose requests are counted under `label`. */
  async endpoint(label: string): Promise<string> {
    const server = createServer((req, res) => {
      const done = this.handle(label, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `bench meter: ${String(error)}` }));
      });
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** What was counted since the last reset, per label. */
  snapshot(): Usage {
    return structuredClone(this.usage);
  }

  reset(): void {
    this.usage = {};
  }

  /**
   * Answers the requests of `label` from `recording` (by match key, else by operation and table,
   * else an empty 200) without passing them on, counting or recording them: a warm-up round of
   * batches that have already run, which leaves the tables and the figures as they were.
   * `undefined` goes back to dynalite.
   */
  answerFrom(label: string, recording: Recording | undefined): void {
    if (!recording) {
      this.answering.delete(label);
      return;
    }
    const exact = new Map<string, RecordedCall[]>();
    const loose = new Map<string, RecordedCall[]>();
    for (const call of recording.calls) {
      for (const [map, key] of [
        [exact, call.match],
        [loose, operationKey(call.match)],
      ] as const) {
        const queue = map.get(key) ?? [];
        queue.push(call);
        map.set(key, queue);
      }
    }
    this.answering.set(label, { exact, loose, given: new Set() });
  }

  /** Keeps every request of `label` and its answer from now on, for `takeRecording`. */
  record(label: string): void {
    if (!this.recordings.has(label)) this.recordings.set(label, []);
  }

  /** What `label` sent and was answered since the last take, with the key names of the tables it used. */
  async takeRecording(label: string): Promise<Recording> {
    const calls = this.recordings.get(label) ?? [];
    if (this.recordings.has(label)) this.recordings.set(label, []);
    const keys: Record<string, string[]> = {};
    for (const [name, schema] of this.schemas) keys[name] = (await schema.catch(() => ({ keys: [] as string[] }))).keys;
    return { keys, calls };
  }

  /**
   * What the items of `tableName` occupy as DynamoDB bills storage: each item and each of its
   * index entries, with 100 bytes of overhead apiece.
   */
  async storage(tableName: string): Promise<{ items: number; bytes: number }> {
    const table = await this.schema(tableName);
    let items = 0;
    let bytes = 0;
    for (const [name, item] of this.items) {
      if (!name.startsWith(`${tableName}\u0000`)) continue;
      items++;
      bytes += itemBytes(item) + 100;
      for (const index of table.indexes) {
        const entry = indexEntry(item, table, index);
        if (entry) bytes += itemBytes(entry) + 100;
      }
    }
    return { items, bytes };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    this.agent.destroy();
    this.side.destroy();
  }

  private labelUsage(label: string): LabelUsage {
    return (this.usage[label] ??= emptyUsage());
  }

  private tableUsage(label: string, table: TableSchema): TableUsage {
    const usage = this.labelUsage(label);
    return (usage.tables[table.name] ??= {
      writeUnits: 0,
      readUnits: 0,
      indexes: Object.fromEntries(table.indexes.map((index) => [index.name, { units: 0, writes: 0 }])),
    });
  }

  private async handle(label: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    const answering = this.answering.get(label);
    if (answering) {
      await this.answerRecorded(answering, operation, raw, res);
      return;
    }
    const usage = this.labelUsage(label);
    usage.requests[operation] = (usage.requests[operation] ?? 0) + 1;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // Not ours to judge: dynalite answers a malformed body itself.
    }

    let forwarded: Forwarded;
    if (WRITES.has(operation)) forwarded = await this.metered(label, operation, body, () => this.forward(req, raw));
    else {
      forwarded = await this.forward(req, raw);
      if (READS.has(operation) && forwarded.status === 200) await this.accountRead(label, operation, body, forwarded.body);
    }
    if (forwarded.status !== 200) {
      const type = errorType(forwarded.body);
      if (type === 'ConditionalCheckFailedException') usage.conditionFailures++;
      else usage.errors[type] = (usage.errors[type] ?? 0) + 1;
    }
    const recording = this.recordings.get(label);
    if (recording) recording.push({ operation, match: await this.matchOf(operation, body), status: forwarded.status, body: forwarded.body.toString('utf8') });
    res.writeHead(forwarded.status, forwarded.headers);
    res.end(forwarded.body);
  }

  private async answerRecorded(answering: Answering, operation: string, raw: Buffer, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // Answered like any other request without a recorded answer.
    }
    const match = await this.matchOf(operation, body);
    const take = (queue: RecordedCall[] | undefined) => {
      const call = queue?.find((c) => !answering.given.has(c));
      if (call) answering.given.add(call);
      return call;
    };
    const call = take(answering.exact.get(match)) ?? take(answering.loose.get(operationKey(match)));
    res.writeHead(call?.status ?? 200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench-recorded' });
    res.end(call?.body ?? '{}');
  }

  /** The replay's match key of a request (bench/replay-sender.ts): operation, table, key values. */
  private async matchOf(operation: string, body: Record<string, unknown>): Promise<string> {
    if (operation === 'BatchGetItem') return matchKey(operation, Object.keys((body.RequestItems ?? {}) as object).join(','), []);
    const tableName = typeof body.TableName === 'string' ? body.TableName : '';
    if (operation === 'Query' || operation === 'Scan' || !tableName) return matchKey(operation, tableName, []);
    const table = await this.schema(tableName);
    const source = ((operation === 'PutItem' ? body.Item : body.Key) ?? {}) as Item;
    return matchKey(
      operation,
      tableName,
      table.keys.map((name) => wireKeyValue(source[name])),
    );
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Forwarded> {
    return new Promise<Forwarded>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.target.host, 'content-length': String(body.length) },
          agent: this.agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  private schema(tableName: string): Promise<TableSchema> {
    let schema = this.schemas.get(tableName);
    if (!schema) {
      schema = this.side.send(new DescribeTableCommand({ TableName: tableName })).then(({ Table }) => ({
        name: tableName,
        keys: (Table?.KeySchema ?? []).map((k) => k.AttributeName!),
        indexes: (Table?.GlobalSecondaryIndexes ?? []).map(
          (index): IndexSchema => ({
            name: index.IndexName!,
            keys: (index.KeySchema ?? []).map((k) => k.AttributeName!),
            projection: index.Projection?.ProjectionType === 'KEYS_ONLY' ? 'KEYS_ONLY' : index.Projection?.ProjectionType === 'INCLUDE' ? { include: index.Projection.NonKeyAttributes ?? [] } : 'ALL',
          }),
        ),
      }));
      // A table that does not exist yet is looked up again next time.
      schema.catch(() => this.schemas.delete(tableName));
      this.schemas.set(tableName, schema);
    }
    return schema;
  }

  private async readBack(tableName: string, key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.side.send(new GetItemCommand({ TableName: tableName, Key: key as GetItemCommandInput['Key'], ConsistentRead: true }));
    return item as Item | undefined;
  }

  private known(table: TableSchema, key: Item): Item | undefined {
    return this.items.get(itemKey(table, key));
  }

  /** Runs `write` with the items it touches locked, and bills it from their images before and after. */
  private async metered(label: string, operation: string, body: Record<string, unknown>, write: () => Promise<Forwarded>): Promise<Forwarded> {
    const targets: Array<{ table: TableSchema; key: Item }> = [];
    if (operation === 'BatchWriteItem') {
      for (const [tableName, requests] of Object.entries((body.RequestItems ?? {}) as Record<string, Array<Record<string, { Item?: Item; Key?: Item }>>>)) {
        const table = await this.schema(tableName);
        for (const request of requests) {
          const source = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
          if (source) targets.push({ table, key: keyOf(table, source) });
        }
      }
    } else if (typeof body.TableName === 'string') {
      const table = await this.schema(body.TableName);
      const source = (operation === 'PutItem' ? body.Item : body.Key) as Item | undefined;
      if (source) targets.push({ table, key: keyOf(table, source) });
    }
    const lockKeys = [...new Set(targets.map((t) => itemKey(t.table, t.key)))].sort();
    const release = await this.lock(lockKeys);
    try {
      const before = targets.map((t) => this.known(t.table, t.key));
      const result = await write();
      const failed = result.status !== 200 && errorType(result.body) === 'ConditionalCheckFailedException';
      if (result.status === 200 || failed) {
        const after = failed ? before : await this.afterImages(operation, body, result.body, targets);
        targets.forEach((target, i) => {
          this.accountWrite(label, target.table, before[i], after[i], failed);
          const name = itemKey(target.table, target.key);
          if (after[i]) this.items.set(name, after[i]!);
          else this.items.delete(name);
        });
      }
      return result;
    } finally {
      release();
    }
  }

  private async afterImages(operation: string, body: Record<string, unknown>, response: Buffer, targets: Array<{ table: TableSchema; key: Item }>): Promise<Array<Item | undefined>> {
    if (operation === 'PutItem') return [body.Item as Item];
    if (operation === 'DeleteItem') return [undefined];
    if (operation === 'UpdateItem' && body.ReturnValues === 'ALL_NEW') {
      const attributes = (JSON.parse(response.toString('utf8')) as { Attributes?: Item }).Attributes;
      if (attributes) return [attributes];
    }
    if (operation === 'BatchWriteItem') {
      const items: Array<Item | undefined> = [];
      for (const requests of Object.values((body.RequestItems ?? {}) as Record<string, Array<Record<string, { Item?: Item; Key?: Item }>>>)) {
        for (const request of requests) if (request.PutRequest?.Item ?? request.DeleteRequest?.Key) items.push(request.PutRequest?.Item);
      }
      return items;
    }
    return Promise.all(targets.map((t) => this.readBack(t.table.name, t.key)));
  }

  private accountWrite(label: string, table: TableSchema, before: Item | undefined, after: Item | undefined, failed: boolean): void {
    const cost = writeCost(table, before, after, failed);
    const usage = this.labelUsage(label);
    const tableUsage = this.tableUsage(label, table);
    let units = cost.table;
    tableUsage.writeUnits += cost.table;
    for (const [name, index] of Object.entries(cost.indexes)) {
      const slot = (tableUsage.indexes[name] ??= { units: 0, writes: 0 });
      slot.units += index.units;
      slot.writes += index.writes;
      units += index.units;
    }
    usage.writeUnits += units;
    if (after) usage.largestItem[table.name] = Math.max(usage.largestItem[table.name] ?? 0, itemBytes(after));
  }

  private async accountRead(label: string, operation: string, body: Record<string, unknown>, response: Buffer): Promise<void> {
    const bill = (table: TableSchema, units: number) => {
      this.tableUsage(label, table).readUnits += units;
      this.labelUsage(label).readUnits += units;
    };
    if (operation === 'GetItem' && typeof body.TableName === 'string') {
      const table = await this.schema(body.TableName);
      // Projection does not change what a read costs: the whole item is sized.
      const item = this.known(table, body.Key as Item);
      bill(table, readUnits(item ? itemBytes(item) : 0, body.ConsistentRead === true));
      return;
    }
    if (operation === 'BatchGetItem') {
      for (const [tableName, request] of Object.entries((body.RequestItems ?? {}) as Record<string, { Keys?: Item[]; ConsistentRead?: boolean }>)) {
        const table = await this.schema(tableName);
        for (const key of request.Keys ?? []) {
          const item = this.known(table, key);
          bill(table, readUnits(item ? itemBytes(item) : 0, request.ConsistentRead === true));
        }
      }
      return;
    }
    if ((operation === 'Query' || operation === 'Scan') && typeof body.TableName === 'string') {
      const table = await this.schema(body.TableName);
      const index = typeof body.IndexName === 'string' ? table.indexes.find((i) => i.name === body.IndexName) : undefined;
      const evaluated = await this.evaluatedItems(operation, body, response);
      const entries = index ? evaluated.map((item) => indexEntry(item, table, index) ?? item) : evaluated;
      bill(table, queryReadCost(entries, index ? false : body.ConsistentRead === true));
    }
  }

  /**
   * The items a Query or Scan page evaluated: the same request without its filter, projection
   * or Select (DynamoDB bills what it reads, not what it returns), from the same start key
   * with the same Limit.
   */
  private async evaluatedItems(operation: string, body: Record<string, unknown>, response: Buffer): Promise<Item[]> {
    const narrowed = ['FilterExpression', 'ProjectionExpression', 'Select', 'AttributesToGet', 'QueryFilter', 'ScanFilter'].some((name) => body[name] !== undefined);
    if (!narrowed) return (JSON.parse(response.toString('utf8')) as { Items?: Item[] }).Items ?? [];
    const input: Record<string, unknown> = { ...body };
    for (const name of ['FilterExpression', 'ProjectionExpression', 'Select', 'AttributesToGet', 'QueryFilter', 'ScanFilter', 'ConditionalOperator', 'ReturnConsumedCapacity']) delete input[name];
    // Names and values only the dropped expressions used would be rejected as unused.
    const expressions = [input.KeyConditionExpression].filter((e): e is string => typeof e === 'string').join(' ');
    for (const field of ['ExpressionAttributeNames', 'ExpressionAttributeValues'] as const) {
      const map = input[field] as Record<string, unknown> | undefined;
      if (!map) continue;
      const kept = Object.fromEntries(Object.entries(map).filter(([placeholder]) => new RegExp(`${escapeRegExp(placeholder)}(?![A-Za-z0-9_])`).test(expressions)));
      if (Object.keys(kept).length > 0) input[field] = kept;
      else delete input[field];
    }
    const output = operation === 'Query' ? await this.side.send(new QueryCommand(input as unknown as QueryCommandInput)) : await this.side.send(new ScanCommand(input as unknown as ScanCommandInput));
    return (output.Items ?? []) as Item[];
  }

  private async lock(keys: string[]): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const waits = keys.map((key) => this.keyLocks.get(key) ?? Promise.resolve());
    const chained = keys.map((key, i) => {
      const next = waits[i]!.then(() => held);
      this.keyLocks.set(key, next);
      return next;
    });
    await Promise.all(waits);
    return () => {
      release();
      keys.forEach((key, i) => {
        if (this.keyLocks.get(key) === chained[i]) this.keyLocks.delete(key);
      });
    };
  }
}

function itemKey(table: TableSchema, key: Item): string {
  return `${table.name}\u0000${table.keys.map((name) => JSON.stringify(key[name] ?? null)).join('\u0000')}`;
}

function keyOf(table: TableSchema, source: Item): Item {
  return Object.fromEntries(table.keys.map((name) => [name, source[name]!]));
}

function errorType(body: Buffer): string {
  try {
    const type = (JSON.parse(body.toString('utf8')) as { __type?: string }).__type ?? 'Unknown';
    return type.split('#').pop() ?? type;
  } catch {
    return 'Unknown';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
