import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestRecord, RequestStatus } from '../requests/record';
import { toRecord, type DocumentSender } from './requests-item';

export interface EndpointQuery {
  endpointName: string;
  /** Inclusive ISO-8601 bounds on requestTime. */
  from?: string;
  to?: string;
  status?: RequestStatus;
  limit?: number;
}

/** Reads of request records: by inference id (the table) and by endpoint and time (the byEndpoint index). */
export class RequestQueries {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly byEndpointIndex: string,
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
   * Records of one endpoint, newest first, optionally within a time range and of one status.
   * The index holds keys only: each page of keys is read back from the table (BatchGetItem),
   * then filtered by status.
   */
  async byEndpoint(query: EndpointQuery): Promise<RequestRecord[]> {
    const limit = query.limit ?? 50;
    const values: Record<string, unknown> = { ':ep': query.endpointName };
    let keyCondition = 'endpointName = :ep';
    if (query.from !== undefined || query.to !== undefined) {
      values[':from'] = query.from ?? '0000';
      values[':to'] = query.to ?? '9999';
      keyCondition += ' AND requestTime BETWEEN :from AND :to';
    }
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: this.byEndpointIndex,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          // A status filter leaves pages short; read more keys per page then.
          Limit: Math.min(KEYS_PER_BATCH_GET, query.status ? Math.max(limit * 4, 100) : limit),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const record of await this.read(output.Items ?? [])) {
        if (query.status && record.status !== query.status) continue;
        records.push(record);
        if (records.length >= limit) return records;
      }
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** The records of these keys, in their order, at most 100 keys per BatchGetItem (expired ones left out). */
  async records(keys: readonly { inferenceId: string; endpointName: string }[]): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_BATCH_GET) records.push(...(await this.read(keys.slice(start, start + KEYS_PER_BATCH_GET))));
    return records;
  }

  /** The records of index entries, in the entries' order (BatchGetItem, unprocessed keys retried). */
  private async read(entries: readonly Record<string, unknown>[]): Promise<RequestRecord[]> {
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
    const records: RequestRecord[] = [];
    for (const entry of entries) {
      const item = byKey.get(itemKey(entry));
      // An entry whose item expired between the two reads is skipped.
      if (item) records.push(toRecord(item));
    }
    return records;
  }
}

/** BatchGetItem takes at most 100 keys. */
const KEYS_PER_BATCH_GET = 100;

function itemKey(item: Record<string, unknown>): string {
  return `${String(item.inferenceId)}\u0000${String(item.endpointName)}`;
}
