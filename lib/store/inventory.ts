// Over 300 lines on purpose: DynamoDB access to the inventory table, whose resources, attachments,
// gaps, locks and stream records share one key scheme and one snapshot read.
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ResourceKind } from '../profiles/kinds';
import { isConditionFailure } from '../aws/errors';

/**
 * The inventory: per resource, what sagewatch attached to it, so detach removes exactly that;
 * per metric stream, which resources use it (the stream lives while the set is not empty).
 *
 * Items (table keys pk/sk, lib/store/schema.ts):
 * - `resource#<kind>/<name>` / `#resource`: kind, status, gaps, the convergence lock and the
 *   time of the describe it was last converged from (`observedAt`). Detached resources keep
 *   it as a tombstone with `expiresAt`, so a stale event cannot re-attach what a newer
 *   describe removed.
 * - `resource#<key>` / `attachment#<type>#<id>`: one per attachment, with the fingerprint of the
 *   request that created it.
 * - `resource#<key>` / `#outcome`: the claim that a job's end was reported (once).
 * - `stream#<name>` / `#stream`: the stream's members (a string set) and its fingerprint.
 *
 * Every write is idempotent: puts of the same item, set ADD/DELETE, conditional claims.
 */
export type AttachmentType = 'alarm' | 'dashboard' | 'log-subscription' | 'sns-subscription' | 'metric-stream' | 'shared-alarm';

export interface AttachmentRecord {
  type: AttachmentType;
  /** Alarm name (its own or a shared one), dashboard name, log group name, topic ARN or metric stream name. */
  id: string;
  fingerprint: string;
  /** What detaching needs beyond the id: the subscription ARN, the filter name. */
  details?: Record<string, string>;
}

export interface GapRecord {
  code: string;
  /** Stable identity of the gap (e.g. the log group), for comparing runs and deduping alerts. */
  key: string;
  message: string;
}

export interface ResourceRecord {
  key: string;
  kind: ResourceKind;
  name: string;
  arn?: string;
  kinds: string[];
  status: string;
  state: 'attached' | 'detached';
  ignored: boolean;
  /** Epoch ms of the describe this record was converged from. */
  observedAt: number;
  gaps: GapRecord[];
  outcome?: string;
  updatedAt: string;
}

export interface InventorySnapshot {
  resource?: ResourceRecord;
  attachments: AttachmentRecord[];
  /** Epoch ms of the newest describe anything was converged from, tombstones included. */
  observedAt?: number;
  outcome?: string;
}

export interface StreamRecord {
  name: string;
  kind: string;
  members: string[];
  /** Fingerprint of the PutMetricStream request last applied; absent until the stream exists. */
  fingerprint?: string;
}

export type LockResult = 'acquired' | 'busy' | 'stale';

export interface Inventory {
  read(key: string): Promise<InventorySnapshot>;
  /**
   * Takes the resource's convergence lock until `untilMs`, unless another owner holds it
   * (`busy`) or a newer describe was already converged (`stale`).
   */
  lock(key: string, owner: string, observedAt: number, untilMs: number, nowMs: number): Promise<LockResult>;
  unlock(key: string, owner: string): Promise<void>;
  putResource(record: ResourceRecord, options?: { expiresAt?: number }): Promise<void>;
  putAttachment(key: string, record: AttachmentRecord): Promise<void>;
  deleteAttachment(key: string, type: AttachmentType, id: string): Promise<void>;
  addStreamMember(name: string, kind: string, member: string): Promise<StreamRecord>;
  removeStreamMember(name: string, member: string): Promise<StreamRecord>;
  markStreamCreated(name: string, fingerprint: string): Promise<void>;
  /** Removes the stream's item if it has no member left; true when this call removed it. */
  claimStreamDeletion(name: string): Promise<boolean>;
  /** Records the request last applied to a stream (kept on an item of its own, without members). */
  setStreamFingerprint(name: string, kind: string, fingerprint: string): Promise<void>;
  /** These stream items, those that exist, with consistent reads. */
  readStreams(names: string[]): Promise<StreamRecord[]>;
  listStreams(): Promise<StreamRecord[]>;
  /** True for the one caller that first records the job's outcome; `expiresAt` in epoch seconds (TTL). */
  claimOutcome(key: string, outcome: string, at: string, expiresAt?: number): Promise<boolean>;
  releaseOutcome(key: string): Promise<void>;
  listResources(cursor?: string): Promise<{ resources: ResourceRecord[]; cursor?: string }>;
}

export const RESOURCE_SK = '#resource';
export const OUTCOME_SK = '#outcome';
export const STREAM_SK = '#stream';

export function resourcePk(key: string): string {
  return `resource#${key}`;
}

export function attachmentSk(type: AttachmentType, id: string): string {
  return `attachment#${type}#${id}`;
}

export function streamPk(name: string): string {
  return `stream#${name}`;
}

/** The one method of the document client the inventory uses. */
export interface InventorySender {
  send: DynamoDBDocumentClient['send'];
}

type Item = Record<string, unknown>;

export class DynamoInventory implements Inventory {
  constructor(
    private readonly client: InventorySender,
    private readonly tableName: string,
  ) {}

  async read(key: string): Promise<InventorySnapshot> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': resourcePk(key) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return snapshotFromItems(items);
  }

  async lock(key: string, owner: string, observedAt: number, untilMs: number, nowMs: number): Promise<LockResult> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: resourcePk(key), sk: RESOURCE_SK },
          UpdateExpression: 'SET #owner = :owner, #until = :until',
          ConditionExpression: '(attribute_not_exists(#until) OR #until < :now OR #owner = :owner) AND (attribute_not_exists(#observed) OR #observed <= :observed)',
          ExpressionAttributeNames: { '#owner': 'lockOwner', '#until': 'lockUntil', '#observed': 'observedAt' },
          ExpressionAttributeValues: { ':owner': owner, ':until': untilMs, ':now': nowMs, ':observed': observedAt },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: resourcePk(key), sk: RESOURCE_SK }, ConsistentRead: true }));
      const observed = (current.Item as Item | undefined)?.observedAt;
      return typeof observed === 'number' && observed > observedAt ? 'stale' : 'busy';
    }
  }

  async unlock(key: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: resourcePk(key), sk: RESOURCE_SK },
          UpdateExpression: 'REMOVE #owner, #until',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'lockOwner', '#until': 'lockUntil' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Someone took over an expired lock: theirs to release.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async putResource(record: ResourceRecord, options: { expiresAt?: number } = {}): Promise<void> {
    // An update, not a put: the lock attributes on the same item must survive.
    const values: Record<string, unknown> = {
      kind: record.kind,
      name: record.name,
      kinds: record.kinds,
      status: record.status,
      state: record.state,
      ignored: record.ignored,
      observedAt: record.observedAt,
      gaps: record.gaps,
      updatedAt: record.updatedAt,
      ...(record.arn !== undefined ? { arn: record.arn } : {}),
      ...(record.outcome !== undefined ? { outcome: record.outcome } : {}),
      ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt } : {}),
    };
    const names: Record<string, string> = {};
    const placeholders: Record<string, unknown> = {};
    const sets = Object.entries(values).map(([field, value], i) => {
      names[`#f${i}`] = field;
      placeholders[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    const removals = ['arn', 'outcome', 'expiresAt'].filter((field) => !(field in values));
    const removeNames = removals.map((field, i) => {
      names[`#r${i}`] = field;
      return `#r${i}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: resourcePk(record.key), sk: RESOURCE_SK },
        UpdateExpression: `SET ${sets.join(', ')}${removeNames.length ? ` REMOVE ${removeNames.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: placeholders,
      }),
    );
  }

  async putAttachment(key: string, record: AttachmentRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: resourcePk(key),
          sk: attachmentSk(record.type, record.id),
          type: record.type,
          id: record.id,
          fingerprint: record.fingerprint,
          ...(record.details ? { details: record.details } : {}),
        },
      }),
    );
  }

  async deleteAttachment(key: string, type: AttachmentType, id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: resourcePk(key), sk: attachmentSk(type, id) } }));
  }

  async addStreamMember(name: string, kind: string, member: string): Promise<StreamRecord> {
    const output = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: streamPk(name), sk: STREAM_SK },
        UpdateExpression: 'ADD #members :member SET #name = :name, #kind = :kind',
        ExpressionAttributeNames: { '#members': 'members', '#name': 'name', '#kind': 'kind' },
        ExpressionAttributeValues: { ':member': new Set([member]), ':name': name, ':kind': kind },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return streamFromItem(output.Attributes as Item);
  }

  async removeStreamMember(name: string, member: string): Promise<StreamRecord> {
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: streamPk(name), sk: STREAM_SK },
          UpdateExpression: 'DELETE #members :member',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#members': 'members' },
          ExpressionAttributeValues: { ':member': new Set([member]) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return streamFromItem(output.Attributes as Item);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { name, kind: '', members: [] };
    }
  }

  async markStreamCreated(name: string, fingerprint: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: streamPk(name), sk: STREAM_SK },
          UpdateExpression: 'SET #fingerprint = :fingerprint',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#fingerprint': 'fingerprint' },
          ExpressionAttributeValues: { ':fingerprint': fingerprint },
        }),
      );
    } catch (error) {
      // The last member left meanwhile and removed the item: nothing to mark.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async claimStreamDeletion(name: string): Promise<boolean> {
    try {
      // DynamoDB drops a string set when its last element is deleted: no attribute, no member.
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: streamPk(name), sk: STREAM_SK },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#members)',
          ExpressionAttributeNames: { '#members': 'members' },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async setStreamFingerprint(name: string, kind: string, fingerprint: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: streamPk(name), sk: STREAM_SK },
        UpdateExpression: 'SET #name = :name, #kind = :kind, #fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#name': 'name', '#kind': 'kind', '#fingerprint': 'fingerprint' },
        ExpressionAttributeValues: { ':name': name, ':kind': kind, ':fingerprint': fingerprint },
      }),
    );
  }

  async readStreams(names: string[]): Promise<StreamRecord[]> {
    const streams: StreamRecord[] = [];
    const unique = [...new Set(names)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((name) => ({ pk: streamPk(name), sk: STREAM_SK }));
      // Unprocessed keys (throttling) are asked for again until none is left.
      while (keys.length > 0) {
        const output = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        streams.push(...((output.Responses?.[this.tableName] ?? []) as Item[]).map(streamFromItem));
        keys = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return streams.sort((a, b) => a.name.localeCompare(b.name));
  }

  async listStreams(): Promise<StreamRecord[]> {
    const streams: StreamRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': STREAM_SK },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      streams.push(...((page.Items ?? []) as Item[]).map(streamFromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return streams.sort((a, b) => a.name.localeCompare(b.name));
  }

  async claimOutcome(key: string, outcome: string, at: string, expiresAt?: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: resourcePk(key), sk: OUTCOME_SK, outcome, at, ...(expiresAt !== undefined ? { expiresAt } : {}) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async releaseOutcome(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: resourcePk(key), sk: OUTCOME_SK } }));
  }

  async listResources(cursor?: string): Promise<{ resources: ResourceRecord[]; cursor?: string }> {
    const page = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: 'sk = :sk AND attribute_exists(#kind)',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':sk': RESOURCE_SK },
        Limit: 200,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    const resources = ((page.Items ?? []) as Item[]).map(resourceFromItem).filter((r): r is ResourceRecord => r !== undefined);
    return { resources, ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}) };
  }
}

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('invalid inventory cursor');
  return parsed as Record<string, unknown>;
}

export function snapshotFromItems(items: Item[]): InventorySnapshot {
  const snapshot: InventorySnapshot = { attachments: [] };
  for (const item of items) {
    const sk = String(item.sk);
    if (sk === RESOURCE_SK) {
      const resource = resourceFromItem(item);
      if (resource) snapshot.resource = resource;
      if (typeof item.observedAt === 'number') snapshot.observedAt = item.observedAt;
    } else if (sk === OUTCOME_SK) {
      if (typeof item.outcome === 'string') snapshot.outcome = item.outcome;
    } else if (sk.startsWith('attachment#')) {
      snapshot.attachments.push({
        type: item.type as AttachmentType,
        id: String(item.id),
        fingerprint: String(item.fingerprint),
        ...(item.details && typeof item.details === 'object' ? { details: item.details as Record<string, string> } : {}),
      });
    }
  }
  snapshot.attachments.sort((a, b) => `${a.type}#${a.id}`.localeCompare(`${b.type}#${b.id}`));
  return snapshot;
}

function resourceFromItem(item: Item): ResourceRecord | undefined {
  // A lock taken before the first convergence leaves an item with no resource fields yet.
  if (typeof item.kind !== 'string') return undefined;
  const pk = String(item.pk);
  return {
    key: pk.slice('resource#'.length),
    kind: item.kind as ResourceKind,
    name: String(item.name),
    ...(typeof item.arn === 'string' ? { arn: item.arn } : {}),
    kinds: Array.isArray(item.kinds) ? item.kinds.map(String) : [],
    status: String(item.status),
    state: item.state === 'detached' ? 'detached' : 'attached',
    ignored: item.ignored === true,
    observedAt: typeof item.observedAt === 'number' ? item.observedAt : 0,
    gaps: Array.isArray(item.gaps) ? (item.gaps as GapRecord[]) : [],
    ...(typeof item.outcome === 'string' ? { outcome: item.outcome } : {}),
    updatedAt: String(item.updatedAt),
  };
}

function streamFromItem(item: Item): StreamRecord {
  const members = item.members instanceof Set ? [...(item.members as Set<string>)] : Array.isArray(item.members) ? item.members.map(String) : [];
  return {
    name: String(item.name ?? String(item.pk).slice('stream#'.length)),
    kind: String(item.kind ?? ''),
    members: members.sort(),
    ...(typeof item.fingerprint === 'string' ? { fingerprint: item.fingerprint } : {}),
  };
}
