import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { NOTIFICATION_FIELDS } from '../requests/fields';
import type { NotificationHalf } from '../requests/halves';
import type { RequestRecord, RequestSource } from '../requests/record';
import { isConditionFailure, itemFromConditionFailure, key, toRecord, type DocumentSender, type StoreClock } from './requests-item';

export interface NotificationMergeResult {
  /** False for a duplicate or an older notification than the one already stored. */
  applied: boolean;
  record?: RequestRecord;
  writes: number;
}

const NOTIFICATION_FIELD_NAMES = Object.keys(NOTIFICATION_FIELDS) as Array<keyof typeof NOTIFICATION_FIELDS>;

/** The notification half's merge: one conditional UpdateItem, applied once per distinct notification; the newest wins. */
export class NotificationMerge {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly clock: StoreClock,
  ) {}

  async merge(half: NotificationHalf): Promise<NotificationMergeResult> {
    try {
      const output = (await this.client.send(new UpdateCommand(this.updateInput(half)))) as {
        Attributes?: Record<string, unknown>;
      };
      return { applied: true, ...(output.Attributes ? { record: toRecord(output.Attributes) } : {}), writes: 1 };
    } catch (error) {
      if (isConditionFailure(error)) {
        const old = itemFromConditionFailure(error);
        return { applied: false, ...(old ? { record: toRecord(old) } : {}), writes: 1 };
      }
      throw error;
    }
  }

  updateInput(half: NotificationHalf): UpdateCommandInput {
    const now = this.clock.nowIso();
    const values: Record<string, unknown> = {
      ':status': half.status,
      ':now': now,
      ':exp': this.clock.expiresAt(),
      ':src': new Set<RequestSource>(['notification']),
      ':one': 1,
    };
    const sets = ['#status = :status', 'notifiedAt = :now', 'expiresAt = :exp', 'updatedAt = :now'];
    const removes: string[] = ['openShard', 'openSince'];
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
    if (half.receivedAt) sets.push('requestTime = :receivedAt');
    let condition = 'attribute_not_exists(notifiedAt)';
    if (half.completedAt) condition = 'attribute_not_exists(completedAt) OR completedAt < :completedAt';
    return {
      TableName: this.tableName,
      Key: key(half),
      UpdateExpression: `SET ${sets.join(', ')} ADD sources :src, notificationCount :one${
        removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''
      }`,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }
}
