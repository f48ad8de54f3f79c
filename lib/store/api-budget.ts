import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../aws/errors';
import { refill, waitForToken, type TokenBuckets } from '../aws/api-budget';
import type { InventorySender } from './inventory';

/**
 * The API budget's token buckets in the state table, one item per operation
 * (`budget#<operation>` / `#bucket`: tokens left, when they were counted, a version). Taking a
 * token reads the item and writes it back on the condition that nobody else wrote it in between
 * (the version it read): under contention exactly one taker wins each token, the others read
 * again. A bucket nobody used yet is full.
 */
const SK = '#bucket';
/** Lost races before a taker gives up its turn and waits one refill interval. */
const MAX_RACES = 8;

export class DynamoTokenBuckets implements TokenBuckets {
  constructor(
    private readonly client: InventorySender,
    private readonly tableName: string,
  ) {}

  async take(operation: string, bucket: { capacity: number; perSecond: number }, nowMs: number) {
    const key = { pk: `budget#${operation}`, sk: SK };
    for (let race = 0; race < MAX_RACES; race++) {
      const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item as { tokens?: number; at?: number; version?: number } | undefined;
      const at = item?.at;
      const tokens = at === undefined ? bucket.capacity : refill(item?.tokens ?? 0, at, nowMs, bucket);
      if (tokens < 1) return { granted: false as const, waitMs: waitForToken(tokens, bucket) };
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #tokens = :tokens, #at = :now, #version = :next',
            ConditionExpression: item?.version === undefined ? 'attribute_not_exists(#version)' : '#version = :version',
            ExpressionAttributeNames: { '#tokens': 'tokens', '#at': 'at', '#version': 'version' },
            ExpressionAttributeValues: {
              ':tokens': tokens - 1,
              ':now': Math.max(nowMs, at ?? nowMs),
              ':next': (item?.version ?? 0) + 1,
              ...(item?.version === undefined ? {} : { ':version': item.version }),
            },
          }),
        );
        return { granted: true as const };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return { granted: false as const, waitMs: Math.ceil(1000 / bucket.perSecond) };
  }
}
