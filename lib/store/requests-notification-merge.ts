import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { NOTIFICATION_FIELDS } from '../requests/fields';
import type { NotificationHalf } from '../requests/halves';
import type { NotificationCondition } from '../requests/merge-plan';
import type { RequestRecord, RequestSource } from '../requests/record';
import { itemFromConditionFailure, key, readItem, toRecord, type DocumentSender, type StoreClock } from './requests-item';
import { isConditionFailure } from '../aws/errors';

export interface NotificationMergeResult {
  /** False for a duplicate or an older notification than the one already stored. */
  applied: boolean;
  record?: RequestRecord;
  /** The stored requestTime, which the record shows as receivedAt once that is known: what the endpoint listing is keyed by. */
  requestTime?: string;
  writes: number;
}

function stored(item: Record<string, unknown>): { record: RequestRecord; requestTime?: string } {
  return { record: toRecord(item), ...(typeof item.requestTime === 'string' ? { requestTime: item.requestTime } : {}) };
}

const NOTIFICATION_FIELD_NAMES = Object.keys(NOTIFICATION_FIELDS) as Array<keyof typeof NOTIFICATION_FIELDS>;

/** Executes a notification merge: one UpdateItem under the condition its policy gives (lib/correlate/duplicates.ts). */
export class NotificationMerge {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly clock: StoreClock,
  ) {}

  async merge(half: NotificationHalf, condition: NotificationCondition): Promise<NotificationMergeResult> {
    try {
      const output = (await this.client.send(new UpdateCommand(this.updateInput(half, condition)))) as {
        Attributes?: Record<string, unknown>;
      };
      return { applied: true, ...(output.Attributes ? stored(output.Attributes) : {}), writes: 1 };
    } catch (error) {
      if (isConditionFailure(error)) {
        // DynamoDB returns the item that failed the condition; where it does not (dynalite),
        // it is read, so a duplicate still knows the time its endpoint listing is keyed by.
        const old = itemFromConditionFailure(error) ?? (await readItem(this.client, this.tableName, half));
        return { applied: false, ...(old ? stored(old) : {}), writes: 1 };
      }
      throw error;
    }
  }

  updateInput(half: NotificationHalf, condition: NotificationCondition): UpdateCommandInput {
    const now = this.clock.nowIso();
    const values: Record<string, unknown> = {
      ':status': half.status,
      ':now': now,
      ':exp': this.clock.expiresAt(),
      ':src': new Set<RequestSource>(['notification']),
      ':one': 1,
      // When the request was received; without a readable receivedTime, its completion or arrival,
      // so the record stays in the endpoint's listing (its problems say why).
      ':requestTime': half.receivedAt ?? half.completedAt ?? now,
    };
    const sets = [
      '#status = :status',
      'notifiedAt = :now',
      'expiresAt = :exp',
      'updatedAt = :now',
      // Set by the first write of either half and never moved: the endpoint listing's key (requests-by-endpoint.ts).
      'requestTime = if_not_exists(requestTime, :requestTime)',
    ];
    const adds = ['sources :src', 'notificationCount :one'];
    if (half.truncated?.length) {
      values[':cut'] = new Set(half.truncated);
      adds.push('truncated :cut');
    }
    if (half.problems?.length) {
      values[':problems'] = new Set(half.problems);
      adds.push('problems :problems');
    }
    const removes: string[] = [];
    for (const name of NOTIFICATION_FIELD_NAMES) {
      const value = half[name];
      if (value === undefined) {
        // A newer notification replaces the older one entirely (a retried inference id).
        removes.push(name);
      } else {
        values[`:${name}`] = value;
        sets.push(`${name} = :${name}`);
      }
    }
    return {
      TableName: this.tableName,
      Key: key(half),
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition.kind === 'first' ? 'attribute_not_exists(notifiedAt)' : 'attribute_not_exists(completedAt) OR completedAt < :completedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }
}
