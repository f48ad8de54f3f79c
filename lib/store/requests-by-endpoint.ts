import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EndpointListing } from '../requests/merge-plan';
import type { DocumentSender, StoreClock } from './requests-item';

/**
 * The endpoint listing that `sagewatch query --endpoint` and the alerts' samples read: per batch
 * of either processor, one state-table item per (endpoint, hour of requestTime) listing the
 * batch's requests, instead of an index entry per request on the requests table (a global
 * secondary index bills a write unit per request; a list a few bytes per request).
 *
 * The half that wrote a request's record first lists it, and so does any redelivery or duplicate
 * (its first delivery may have failed before listing: lib/correlate/endpoint-listing.ts), so a
 * request is listed whichever half arrives first, once or more; the reader drops repeats.
 * An entry carries the record's stored `requestTime`, which is set by the first write of
 * either half and never moves, so an entry never goes stale while its record lives; entries
 * expire with the records they list.
 *
 * Keys: pk `endpoint#<endpoint name>`, sk `<requestTime's hour, YYYY-MM-DDTHH>#<list id>`: a
 * time range reads only its hours, newest first.
 */
const PK_PREFIX = 'endpoint#';
/** `YYYY-MM-DDTHH` of an ISO-8601 time: the hour bucket. */
const BUCKET_CHARS = 13;
/**
 * A bound on an item's entries, in bytes: an item must stay under DynamoDB's 400 KB. Sized by
 * the worst case (every character escaped); ASCII ids fill about a sixth of it, ≈ 800 entries.
 */
export const LIST_BYTES = 256 * 1024;

export interface ListedEntry {
  inferenceId: string;
  requestTime: string;
}

export function endpointPartition(endpointName: string): string {
  return `${PK_PREFIX}${endpointName}`;
}

export class EndpointListings {
  constructor(
    private readonly client: DocumentSender,
    private readonly stateTable: string,
    private readonly clock: StoreClock,
  ) {}

  /** Lists a batch's requests: one item per (endpoint, hour), split at LIST_BYTES. */
  async list(listings: readonly EndpointListing[]): Promise<void> {
    const groups = new Map<string, Map<string, Array<[string, string]>>>();
    for (const { endpointName, inferenceId, requestTime } of listings) {
      let hours = groups.get(endpointName);
      if (!hours) groups.set(endpointName, (hours = new Map()));
      const bucket = requestTime.slice(0, BUCKET_CHARS);
      let rows = hours.get(bucket);
      if (!rows) hours.set(bucket, (rows = []));
      // The hour is in the sort key: each entry keeps only the rest of its time.
      rows.push([inferenceId, requestTime.slice(BUCKET_CHARS)]);
    }
    const puts: Array<Promise<unknown>> = [];
    for (const [endpointName, hours] of groups) {
      for (const [bucket, rows] of hours) for (const chunk of chunksByBytes(rows)) puts.push(this.put(endpointName, bucket, chunk));
    }
    await Promise.all(puts);
  }

  private put(endpointName: string, bucket: string, rows: Array<[string, string]>): Promise<unknown> {
    return this.client.send(
      new PutCommand({
        TableName: this.stateTable,
        Item: {
          pk: endpointPartition(endpointName),
          sk: `${bucket}#${randomUUID()}`,
          // One string rather than a list of maps: DynamoDB bills attribute names and type bytes per element.
          requests: JSON.stringify(rows),
          expiresAt: this.clock.expiresAt(),
        },
      }),
    );
  }

  /**
   * The endpoint's entries, one hour at a time, newest hour first, within the inclusive bounds
   * on requestTime (entries of a bound's hour outside the bound are left out). Each hour's
   * entries come deduplicated and sorted newest first; the caller stops when it has enough.
   */
  async *hours(endpointName: string, bounds: { from?: string; to?: string }): AsyncGenerator<ListedEntry[]> {
    const values: Record<string, unknown> = { ':pk': endpointPartition(endpointName) };
    let condition = 'pk = :pk';
    if (bounds.from !== undefined || bounds.to !== undefined) {
      // '$' sorts after '#': every list of the `to` hour is below the upper bound.
      values[':lo'] = bounds.from === undefined ? '0' : bounds.from.slice(0, BUCKET_CHARS);
      values[':hi'] = bounds.to === undefined ? '~' : `${bounds.to.slice(0, BUCKET_CHARS)}$`;
      condition += ' AND sk BETWEEN :lo AND :hi';
    }
    let bucket: string | undefined;
    let rows = new Map<string, string>();
    const finish = (): ListedEntry[] => {
      const entries: ListedEntry[] = [];
      for (const [inferenceId, requestTime] of rows) {
        if (bounds.from !== undefined && requestTime < bounds.from) continue;
        if (bounds.to !== undefined && requestTime > bounds.to) continue;
        entries.push({ inferenceId, requestTime });
      }
      rows = new Map();
      return entries.sort(newestFirst);
    };
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.stateTable,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Array<{ sk?: unknown; requests?: unknown }>; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) {
        const sk = String(item.sk);
        const itemBucket = sk.slice(0, sk.lastIndexOf('#'));
        if (bucket !== undefined && itemBucket !== bucket) {
          const entries = finish();
          if (entries.length > 0) yield entries;
        }
        bucket = itemBucket;
        for (const [inferenceId, rest] of parseRows(item.requests)) rows.set(inferenceId, bucket + rest);
      }
      start = output.LastEvaluatedKey;
    } while (start);
    const entries = finish();
    if (entries.length > 0) yield entries;
  }
}

/** Newest first; equal times by inference id, so a listing reads the same every time. */
function newestFirst(a: ListedEntry, b: ListedEntry): number {
  if (a.requestTime !== b.requestTime) return a.requestTime < b.requestTime ? 1 : -1;
  return a.inferenceId < b.inferenceId ? 1 : a.inferenceId > b.inferenceId ? -1 : 0;
}

function* chunksByBytes(rows: Array<[string, string]>): Generator<Array<[string, string]>> {
  let chunk: Array<[string, string]> = [];
  let bytes = 0;
  for (const row of rows) {
    // Quotes, brackets and a comma, and at most 6 bytes a UTF-16 unit (`\u0001`): a bound, not a count.
    const size = 6 * (row[0].length + row[1].length) + 8;
    if (chunk.length > 0 && bytes + size > LIST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function parseRows(text: unknown): Array<[string, string]> {
  if (typeof text !== 'string') return [];
  const rows = JSON.parse(text) as unknown;
  if (!Array.isArray(rows)) return [];
  return rows.filter((row): row is [string, string] => Array.isArray(row) && typeof row[0] === 'string' && typeof row[1] === 'string');
}
