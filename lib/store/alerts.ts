// Over 300 lines on purpose: alert dedupe and history in the state table; shouldSend's conditional
// writes and the history rows they leave are one protocol on one key scheme.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../aws/errors';
import type { Config } from '../config';
import { createDocumentClient } from '../aws/clients';
import { AlertSchema, type Alert } from '../alert-model/alert';

/**
 * Alert dedupe and history in the generic `state` table (pk/sk strings, TTL `expiresAt`).
 *
 * - `alert#<fingerprint>` / `state`: the last alert sent for a condition. Whether to send is
 *   decided by one conditional UpdateItem, so parallel Lambda instances that see the same
 *   condition at once send it exactly once; repeats inside the cooldown are suppressed; a
 *   resolution goes out once, and only if a firing alert went out before it.
 * - `alerts#<YYYY-MM-DD>` / `<sentAt>#<id>`: one item per alert sent, for `sagewatch alerts`.
 *
 * TTL only collects garbage (DynamoDB deletes expired items late, sometimes days late), so every
 * condition compares times itself.
 */

export type SendReason = 'first' | 'cooldown-elapsed' | 'refiring' | 'escalation' | 'resolution';
export type SkipReason = 'suppressed' | 'not-firing';

export type SendDecision =
  | {
      send: true;
      reason: SendReason;
      /** Undoes the claim when publishing failed, so the next attempt sends instead of being suppressed. */
      release(): Promise<void>;
    }
  | { send: false; reason: SkipReason };

export interface AlertState {
  fingerprint: string;
  status: Alert['status'];
  kind: Alert['kind'];
  severity: Alert['severity'];
  title: string;
  alertId: string;
  sentAt: string;
  /** Until then, repeats of a firing alert are suppressed. */
  suppressUntil: string;
  /** The last time the condition was seen again while firing (evidence that it persists). */
  lastSeenAt?: string;
}

/**
 * How the claim treats a repeat of a firing alert (lib/alerts/cooldown.ts decides which):
 * `cooldown` sends it again once the cooldown has passed; `incident` never at the same severity,
 * once more at a higher one.
 */
export type RepeatRule = { mode: 'cooldown' } | { mode: 'incident'; rank: number };

export interface SentAlert {
  alert: Alert;
  sentAt: string;
  messageId?: string;
}

/** The one method of the DynamoDB document client the store uses. */
export interface StateSender {
  send(command: UpdateCommand | PutCommand | DeleteCommand | GetCommand | QueryCommand): Promise<unknown>;
}

export interface AlertStoreOptions {
  tableName: string;
  /** How long a sent alert is remembered for its resolution (and listed state). Default 7 days. */
  stateRetentionDays?: number;
  /** How long `recent()` can look back. Default 30 days. */
  historyRetentionDays?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;
/** Bounds `recent()` to a year of daily partitions whatever `since` says. */
const MAX_HISTORY_DAYS = 366;

export class AlertStore {
  private readonly now: () => number;
  private readonly stateMs: number;
  private readonly historyMs: number;

  constructor(
    private readonly client: StateSender,
    private readonly options: AlertStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.stateMs = (options.stateRetentionDays ?? 7) * DAY_MS;
    this.historyMs = (options.historyRetentionDays ?? 30) * DAY_MS;
  }

  /**
   * Claims the right to send `alert`. A firing alert is sent when its fingerprint has no live
   * firing state, or the last one's cooldown has passed; a resolution when the fingerprint is
   * firing. Exactly one of any number of concurrent callers gets `send: true`.
   */
  async shouldSend(alert: Alert, cooldownSeconds: number, rule: RepeatRule = { mode: 'cooldown' }): Promise<SendDecision> {
    const now = this.now();
    const claim = `${alert.id}:${now}:${Math.random().toString(36).slice(2, 10)}`;
    const key = stateKey(alert.fingerprint);
    const common: Record<string, unknown> = {
      ':id': alert.id,
      ':claim': claim,
      ':nowIso': new Date(now).toISOString(),
      ':kind': alert.kind,
      ':severity': alert.severity,
      ':title': alert.title,
    };
    // Every name aliased: DynamoDB reserves hundreds of words and `status` is one of them.
    const names: Record<string, string> = {
      '#status': 'status',
      '#alertId': 'alertId',
      '#claim': 'claim',
      '#sentAt': 'sentAt',
      '#kind': 'kind',
      '#severity': 'severity',
      '#title': 'title',
      '#suppressUntil': 'suppressUntil',
      '#expiresAt': 'expiresAt',
      '#rank': 'rank',
    };
    const rank = rule.mode === 'incident' ? rule.rank : 0;
    common[':rank'] = rank;
    const update =
      'SET #status = :status, #alertId = :id, #claim = :claim, #sentAt = :nowIso, #kind = :kind, ' +
      '#severity = :severity, #title = :title, #suppressUntil = :until, #expiresAt = :exp, #rank = :rank';

    let input: ConstructorParameters<typeof UpdateCommand>[0];
    if (alert.status === 'firing') {
      // An incident is never repeated at the same severity: it stays suppressed until resolved.
      const until = rule.mode === 'incident' ? now + this.stateMs : now + Math.max(0, cooldownSeconds) * 1000;
      input = {
        TableName: this.options.tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression:
          rule.mode === 'incident'
            ? 'attribute_not_exists(pk) OR #status <> :status OR #expiresAt <= :nowSec OR attribute_not_exists(#rank) OR #rank < :rank'
            : 'attribute_not_exists(pk) OR #status <> :status OR #suppressUntil <= :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...common,
          ':status': 'firing',
          ':until': until,
          ...(rule.mode === 'incident' ? { ':nowSec': epochSeconds(now) } : { ':now': now }),
          ':exp': epochSeconds(Math.max(until, now + this.stateMs)),
        },
        ReturnValues: 'ALL_OLD',
      };
    } else {
      input = {
        TableName: this.options.tableName,
        Key: key,
        UpdateExpression: update,
        // Only a live firing state can be resolved: a resolution nobody saw firing is noise.
        ConditionExpression: '#status = :firing AND #expiresAt > :nowSec',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...common,
          ':status': 'resolved',
          ':firing': 'firing',
          ':until': now,
          ':nowSec': epochSeconds(now),
          ':exp': epochSeconds(now + this.stateMs),
        },
        ReturnValues: 'ALL_OLD',
      };
    }

    let old: Record<string, unknown> | undefined;
    try {
      const output = (await this.client.send(new UpdateCommand(input))) as { Attributes?: Record<string, unknown> };
      old = output.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return { send: false, reason: alert.status === 'firing' ? 'suppressed' : 'not-firing' };
      throw error;
    }
    const live = old !== undefined && typeof old.expiresAt === 'number' && old.expiresAt > epochSeconds(now);
    const reason: SendReason =
      alert.status === 'resolved'
        ? 'resolution'
        : !old
          ? 'first'
          : old.status === 'firing' && rule.mode === 'incident' && live
            ? 'escalation'
            : old.status === 'firing'
              ? 'cooldown-elapsed'
              : 'refiring';
    return { send: true, reason, release: () => this.release(key, claim, old) };
  }

  private async release(key: Record<string, string>, claim: string, old: Record<string, unknown> | undefined): Promise<void> {
    try {
      if (old) {
        await this.client.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: old,
            ConditionExpression: '#claim = :claim',
            ExpressionAttributeNames: { '#claim': 'claim' },
            ExpressionAttributeValues: { ':claim': claim },
          }),
        );
      } else {
        await this.client.send(
          new DeleteCommand({
            TableName: this.options.tableName,
            Key: key,
            ConditionExpression: '#claim = :claim',
            ExpressionAttributeNames: { '#claim': 'claim' },
            ExpressionAttributeValues: { ':claim': claim },
          }),
        );
      }
    } catch (error) {
      // Someone claimed the fingerprint since: their claim stands.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Remembers a sent alert for `recent()`. */
  async recordSent(alert: Alert, info: { messageId?: string } = {}): Promise<void> {
    const now = this.now();
    const sentAt = new Date(now).toISOString();
    await this.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          pk: historyKey(sentAt),
          sk: `${sentAt}#${alert.id}`,
          fingerprint: alert.fingerprint,
          kind: alert.kind,
          severity: alert.severity,
          status: alert.status,
          sentAt,
          alert: JSON.stringify(alert),
          ...(info.messageId !== undefined ? { messageId: info.messageId } : {}),
          expiresAt: epochSeconds(now + this.historyMs),
        },
      }),
    );
  }

  /** Alerts sent at or after `since` (and before `until`), newest first. */
  async recent(since: number | string | Date, options: { until?: number | string | Date; limit?: number } = {}): Promise<SentAlert[]> {
    const until = options.until !== undefined ? toMs(options.until) : this.now();
    const from = Math.max(toMs(since), until - MAX_HISTORY_DAYS * DAY_MS);
    const limit = options.limit ?? 100;
    const fromIso = new Date(from).toISOString();
    // `~` sorts after every `<iso>#<id>` of the same instant, so `until` itself is included.
    const untilIso = `${new Date(until).toISOString()}~`;
    const results: SentAlert[] = [];
    for (let day = startOfUtcDay(until); day >= startOfUtcDay(from); day -= DAY_MS) {
      let start: Record<string, unknown> | undefined;
      do {
        const output = (await this.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :until',
            ExpressionAttributeValues: { ':pk': historyKey(new Date(day).toISOString()), ':from': fromIso, ':until': untilIso },
            ScanIndexForward: false,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
        for (const item of output.Items ?? []) {
          const sent = toSentAlert(item);
          if (sent) results.push(sent);
          if (results.length >= limit) return results;
        }
        start = output.LastEvaluatedKey;
      } while (start);
    }
    return results;
  }

  /** Notes that a firing condition was seen again (its alert suppressed): evidence that it persists. */
  async touch(fingerprint: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: stateKey(fingerprint),
          UpdateExpression: 'SET #seen = :at',
          ConditionExpression: '#status = :firing',
          ExpressionAttributeNames: { '#seen': 'lastSeenAt', '#status': 'status' },
          ExpressionAttributeValues: { ':at': new Date(at).toISOString(), ':firing': 'firing' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The remembered state of a fingerprint, e.g. for a detector deciding whether a resolution is due. */
  async state(fingerprint: string): Promise<AlertState | undefined> {
    const output = (await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: stateKey(fingerprint), ConsistentRead: true }))) as { Item?: Record<string, unknown> };
    const item = output.Item;
    if (!item || typeof item.expiresAt !== 'number' || item.expiresAt <= epochSeconds(this.now())) return undefined;
    return {
      fingerprint,
      status: item.status as AlertState['status'],
      kind: item.kind as AlertState['kind'],
      severity: item.severity as AlertState['severity'],
      title: String(item.title),
      alertId: String(item.alertId),
      sentAt: String(item.sentAt),
      suppressUntil: new Date(Number(item.suppressUntil)).toISOString(),
      ...(typeof item.lastSeenAt === 'string' ? { lastSeenAt: item.lastSeenAt } : {}),
    };
  }
}

export function alertStoreFromConfig(config: Config, client?: StateSender): AlertStore {
  return new AlertStore(client ?? createDocumentClient({ region: config.region }), { tableName: config.stateTable });
}

function stateKey(fingerprint: string): Record<string, string> {
  return { pk: `alert#${fingerprint}`, sk: 'state' };
}

function historyKey(iso: string): string {
  return `alerts#${iso.slice(0, 10)}`;
}

function toSentAlert(item: Record<string, unknown>): SentAlert | undefined {
  if (typeof item.alert !== 'string') return undefined;
  try {
    const parsed = AlertSchema.safeParse(JSON.parse(item.alert));
    if (!parsed.success) return undefined;
    return {
      alert: parsed.data as Alert,
      sentAt: String(item.sentAt),
      ...(typeof item.messageId === 'string' ? { messageId: item.messageId } : {}),
    };
  } catch {
    return undefined;
  }
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function toMs(value: number | string | Date): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(value)}`);
  return ms;
}
