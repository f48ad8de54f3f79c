import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestRecord } from '../requests/record';
import { isConditionFailure, toRecord, type DocumentSender } from './requests-item';

/**
 * The open-requests index: requests that have data-log lines and no notification yet, spread
 * over a few index partitions, read by the stuck-request sweeper.
 */
export const OPEN_SHARDS = 4;

export function openShardName(shard: number): string {
  return `open#${shard}`;
}

/** Spreads open requests over a few index partitions so no single one takes every write. */
export function openShard(inferenceId: string): string {
  let hash = 0;
  for (let i = 0; i < inferenceId.length; i++) hash = (hash * 31 + inferenceId.charCodeAt(i)) | 0;
  return openShardName(Math.abs(hash) % OPEN_SHARDS);
}

export class OpenRequests {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly indexName: string,
  ) {}

  /**
   * Puts a request on the index while it has no notification. Called only after a log merge
   * found the notification missing, so a late log line never re-opens a finished request.
   */
  async mark(key: { inferenceId: string; endpointName: string }, since: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { inferenceId: key.inferenceId, endpointName: key.endpointName },
          UpdateExpression: 'SET openShard = :shard, openSince = :since',
          ConditionExpression: 'attribute_exists(inferenceId) AND attribute_not_exists(notifiedAt) AND attribute_not_exists(openShard)',
          ExpressionAttributeValues: { ':shard': openShard(key.inferenceId), ':since': since },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Open requests (log lines, no notification) of one shard that opened before `before`, oldest first. */
  async query(shard: number, before: string, limit: number): Promise<RequestRecord[]> {
    const output = (await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.indexName,
        KeyConditionExpression: 'openShard = :shard AND openSince < :before',
        ExpressionAttributeValues: { ':shard': openShardName(shard), ':before': before },
        Limit: limit,
      }),
    )) as { Items?: Record<string, unknown>[] };
    return (output.Items ?? []).map(toRecord);
  }

  /** One page of a shard's open index (requests opened before `before`, oldest first) and where the next page starts. */
  async page(
    shard: number,
    before: string,
    options: { limit: number; startKey?: Record<string, unknown> },
  ): Promise<{ records: RequestRecord[]; next?: Record<string, unknown> }> {
    const output = (await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.indexName,
        KeyConditionExpression: 'openShard = :shard AND openSince < :before',
        ExpressionAttributeValues: { ':shard': openShardName(shard), ':before': before },
        Limit: options.limit,
        ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
      }),
    )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
    return { records: (output.Items ?? []).map(toRecord), ...(output.LastEvaluatedKey ? { next: output.LastEvaluatedKey } : {}) };
  }

  /**
   * Takes a request off the open index. With `stuckAt`, only while it still has no notification
   * (then it is reported stuck exactly once); without, only once it has one (cleanup of a
   * request whose log lines arrived after its notification). Returns whether it changed.
   */
  async close(key: { inferenceId: string; endpointName: string }, stuckAt?: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { inferenceId: key.inferenceId, endpointName: key.endpointName },
          UpdateExpression: stuckAt ? 'SET stuckAt = :at REMOVE openShard, openSince' : 'REMOVE openShard, openSince',
          ConditionExpression: stuckAt ? 'attribute_exists(openShard) AND attribute_not_exists(notifiedAt)' : 'attribute_exists(notifiedAt)',
          ...(stuckAt ? { ExpressionAttributeValues: { ':at': stuckAt } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
