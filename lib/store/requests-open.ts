import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OpenRequest } from '../requests/merge-plan';
import type { DocumentSender, StoreClock } from './requests-item';
import { isConditionFailure } from '../aws/errors';

/**
 * Open requests (data-log lines, no notification yet), for the stuck-request sweeper: per
 * batch of processLogs, one item in the state table listing the requests the batch opened,
 * instead of an index entry per request (written, then removed). A list is a few bytes per
 * request, billed once when it is written and once when the sweeper deletes it after checking
 * every request on it; a request listed twice (a redelivered batch) is checked twice and
 * reported once, since the stuck mark is a conditional write on the record.
 *
 * Keys: pk `openRequests#<shard>` (a few partitions, lists spread round-robin), sk
 * `<latest openSince of the list>#<list id>`, so every request on a list whose sort key is
 * before a cut-off opened before it.
 */
export const OPEN_SHARDS = 4;
/** Requests per list item: ≈ 150 bytes each at the longest ids, far under the 400 KB item limit. */
export const REQUESTS_PER_LIST = 1000;

const PK_PREFIX = 'openRequests#';

export function openShardName(shard: number): string {
  return `${PK_PREFIX}${shard}`;
}

export interface OpenList {
  key: { pk: string; sk: string };
  requests: OpenRequest[];
}

export class OpenRequests {
  private nextShard = Math.floor(Math.random() * OPEN_SHARDS);

  constructor(
    private readonly client: DocumentSender,
    private readonly tables: { requests: string; state: string },
    private readonly clock: StoreClock,
  ) {}

  /** Lists requests a batch opened (one item per REQUESTS_PER_LIST). */
  async list(requests: readonly OpenRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += REQUESTS_PER_LIST) {
      const chunk = requests.slice(start, start + REQUESTS_PER_LIST);
      let latest = '';
      for (const request of chunk) if (request.openSince > latest) latest = request.openSince;
      const shard = this.nextShard;
      this.nextShard = (shard + 1) % OPEN_SHARDS;
      await this.client.send(
        new PutCommand({
          TableName: this.tables.state,
          Item: {
            pk: openShardName(shard),
            sk: `${latest}#${randomUUID()}`,
            // One string rather than a list of maps (DynamoDB bills attribute names and type bytes
            // per element), ids grouped by endpoint; the sweeper needs no time per request (the sort key has the latest).
            requests: JSON.stringify(byEndpoint(chunk)),
            expiresAt: this.clock.expiresAt(),
          },
        }),
      );
    }
  }

  /** One page of a shard's lists whose requests all opened before `before`, oldest first. */
  async page(shard: number, before: string, options: { limit: number; startKey?: Record<string, unknown> }): Promise<{ lists: OpenList[]; next?: Record<string, unknown> }> {
    const output = (await this.client.send(
      new QueryCommand({
        TableName: this.tables.state,
        KeyConditionExpression: 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: { ':pk': openShardName(shard), ':before': before },
        Limit: options.limit,
        ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
      }),
    )) as { Items?: Array<{ pk: string; sk: string; requests?: string }>; LastEvaluatedKey?: Record<string, unknown> };
    const lists = (output.Items ?? []).map((item) => ({ key: { pk: item.pk, sk: item.sk }, requests: parseRequests(item.requests, item.sk) }));
    return { lists, ...(output.LastEvaluatedKey ? { next: output.LastEvaluatedKey } : {}) };
  }

  /** Deletes a list once every request on it was checked. */
  async remove(list: OpenList): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tables.state, Key: list.key }));
  }

  /** Marks a request stuck, only while it has no notification and was not marked before: true exactly once. */
  async markStuck(key: { inferenceId: string; endpointName: string }, stuckAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.requests,
          Key: { inferenceId: key.inferenceId, endpointName: key.endpointName },
          UpdateExpression: 'SET stuckAt = :at',
          ConditionExpression: 'attribute_exists(inferenceId) AND attribute_not_exists(notifiedAt) AND attribute_not_exists(stuckAt)',
          ExpressionAttributeValues: { ':at': stuckAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** `[[endpointName, [inferenceId, ...]], ...]`: each endpoint name once per list. */
function byEndpoint(requests: readonly OpenRequest[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const { endpointName, inferenceId } of requests) {
    const ids = groups.get(endpointName);
    if (ids) ids.push(inferenceId);
    else groups.set(endpointName, [inferenceId]);
  }
  return [...groups];
}

/** A list's requests; each opened by the list's latest open time (its sort key's prefix). Lists written as `[id, endpoint, openSince]` rows are read too. */
function parseRequests(text: string | undefined, sk: string): OpenRequest[] {
  if (!text) return [];
  const latest = sk.slice(0, sk.lastIndexOf('#'));
  const rows = JSON.parse(text) as Array<[string, string[]] | [string, string, string]>;
  return rows.flatMap((row): OpenRequest[] =>
    Array.isArray(row[1]) ? row[1].map((inferenceId) => ({ inferenceId, endpointName: row[0], openSince: latest })) : [{ inferenceId: row[0], endpointName: row[1], openSince: row[2] as string }],
  );
}
