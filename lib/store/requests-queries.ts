import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestRecord, RequestStatus } from '../requests/record';
import type { EndpointListings } from './requests-by-endpoint';
import { toRecord, type DocumentSender } from './requests-item';

export interface EndpointQuery {
  endpointName: string;
  /** Inclusive ISO-8601 bounds on requestTime. */
  from?: string;
  to?: string;
  status?: RequestStatus;
  limit?: number;
}

/** Reads of request records: by inference id (the table) and by endpoint and time (the endpoint listing, ./requests-by-endpoint.ts). */
export class RequestQueries {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly listings: EndpointListings,
  ) {}

  /** Every record with this inference id (one per endpoint that saw it; usually one). */
  async byInferenceId(inferenceId: string): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'inferenceId = :id',
          ExpressionAttributeValues: { ':id': inferenceId },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) records.push(toRecord(item));
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /**
   * Records of one endpoint, newest first by stored requestTime, optionally within a time range
   * and of one status. The listing is read an hour at a time, newest first; its entries are read
   * back from the table (BatchGetItem) and filtered by status until `limit` are found. An entry
   * whose record has expired, or whose record's requestTime is not the entry's (the id was reused
   * after the record expired; its new record is listed under its own time), is skipped.
   */
  async byEndpoint(query: EndpointQuery): Promise<RequestRecord[]> {
    const limit = query.limit ?? 50;
    const records: RequestRecord[] = [];
    if (limit <= 0) return records;
    const bounds = { ...(query.from !== undefined ? { from: query.from } : {}), ...(query.to !== undefined ? { to: query.to } : {}) };
    for await (const entries of this.listings.hours(query.endpointName, bounds)) {
      for (let start = 0; start < entries.length; ) {
        // Without a status filter, only as many as are still wanted; with one, a full BatchGetItem.
        const page = entries.slice(start, (start += query.status ? KEYS_PER_BATCH_GET : Math.min(KEYS_PER_BATCH_GET, limit - records.length)));
        const items = await this.items(page.map(({ inferenceId }) => ({ inferenceId, endpointName: query.endpointName })));
        page.forEach((entry, index) => {
          const item = items[index];
          if (!item || item.requestTime !== entry.requestTime || records.length >= limit) return;
          const record = toRecord(item);
          if (query.status && record.status !== query.status) return;
          records.push(record);
        });
        if (records.length >= limit) return records;
      }
    }
    return records;
  }

  /** The records of these keys, in their order, at most 100 keys per BatchGetItem (expired ones left out). */
  async records(keys: readonly { inferenceId: string; endpointName: string }[]): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_BATCH_GET) records.push(...(await this.read(keys.slice(start, start + KEYS_PER_BATCH_GET))));
    return records;
  }

  /** The records of these keys, in their order (BatchGetItem, unprocessed keys retried); expired ones left out. */
  private async read(keys: readonly { inferenceId: string; endpointName: string }[]): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    for (const item of await this.items(keys)) if (item) records.push(toRecord(item));
    return records;
  }

  /** The stored items of these keys, in their order, undefined where there is none (BatchGetItem, unprocessed keys retried). */
  private async items(entries: readonly { inferenceId: string; endpointName: string }[]): Promise<Array<Record<string, unknown> | undefined>> {
    if (entries.length === 0) return [];
    const byKey = new Map<string, Record<string, unknown>>();
    let keys = entries.map((entry) => ({ inferenceId: entry.inferenceId, endpointName: entry.endpointName }));
    for (let attempt = 0; keys.length > 0 && attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const output = (await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }))) as {
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      };
      for (const item of output.Responses?.[this.tableName] ?? []) byKey.set(itemKey(item), item);
      keys = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
    }
    // An entry whose item expired between the two reads has none.
    return entries.map((entry) => byKey.get(itemKey(entry)));
  }
}

/** BatchGetItem takes at most 100 keys. */
const KEYS_PER_BATCH_GET = 100;

function itemKey(item: { inferenceId?: unknown; endpointName?: unknown }): string {
  return `${String(item.inferenceId)}\u0000${String(item.endpointName)}`;
}
