import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isoTime } from '../util/iso-time';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, type BatchGetCommand, type DeleteCommand, type PutCommand, type QueryCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RECORD_FIELDS } from '../requests/fields';
import type { StoredLogLine } from '../requests/log-line';
import type { RequestRecord, RequestSource, RequestStatus } from '../requests/record';

/** The one method of the DynamoDB document client the store uses; benches pass a counting sink. */
export interface DocumentSender {
  send(command: UpdateCommand | GetCommand | QueryCommand | BatchGetCommand | PutCommand | DeleteCommand): Promise<unknown>;
}

/** A request item's key: one item per (inferenceId, endpointName). */
export function key(half: { inferenceId: string; endpointName: string }): Record<string, string> {
  return { inferenceId: half.inferenceId, endpointName: half.endpointName };
}

/** A request's item by one consistent read: for when a failed condition did not return it (dynalite never does). */
export async function readItem(client: DocumentSender, tableName: string, half: { inferenceId: string; endpointName: string }): Promise<Record<string, unknown> | undefined> {
  const output = (await client.send(new GetCommand({ TableName: tableName, Key: key(half), ConsistentRead: true }))) as { Item?: Record<string, unknown> };
  return output.Item;
}

/** DynamoDB returns the item that failed the condition (ReturnValuesOnConditionCheckFailure), marshalled. */
export function itemFromConditionFailure(error: unknown): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  if (!item || typeof item !== 'object') return undefined;
  try {
    return unmarshall(item);
  } catch {
    return undefined;
  }
}

const FIELD_ENTRIES = Object.entries(RECORD_FIELDS);

/** Maps a stored item to the public record shape (sets become sorted arrays, absent counts 0). */
export function toRecord(item: Record<string, unknown>): RequestRecord {
  const sources = item.sources instanceof Set ? ([...item.sources].map(String).sort() as RequestSource[]) : [];
  const lines = Array.isArray(item.logLines) ? (item.logLines as StoredLogLine[]) : [];
  const record: RequestRecord = {
    inferenceId: String(item.inferenceId),
    endpointName: String(item.endpointName),
    status: (typeof item.status === 'string' ? (item.status as RequestStatus) : undefined) ?? 'InProgress',
    logLines: lines,
    logLineCount: finite(item.logLineCount) ?? 0,
    logErrorCount: finite(item.logErrorCount) ?? 0,
    sources,
    notificationCount: finite(item.notificationCount) ?? 0,
  };
  const fields = record as unknown as Record<string, unknown>;
  for (const [name, field] of FIELD_ENTRIES) {
    const value = item[name];
    if (field.kind === 'string' ? typeof value === 'string' : finite(value) !== undefined) fields[name] = value;
  }
  // The stored requestTime is the endpoint listing's key, fixed at the first write; the record shows when
  // the request was received once that is known, whichever half came first.
  if (record.receivedAt !== undefined) record.requestTime = record.receivedAt;
  for (const name of ['truncated', 'problems'] as const) {
    const value = item[name];
    if (value instanceof Set && value.size > 0) record[name] = [...value].map(String).sort();
  }
  return record;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The store's notion of now: `updatedAt` and `expiresAt` of every write. */
export class StoreClock {
  private lastMs = Number.NaN;
  private lastIso = '';

  constructor(
    private readonly now: () => number,
    private readonly retentionDays: number,
  ) {}

  nowMs(): number {
    return this.now();
  }

  expiresAt(): number {
    return Math.floor(this.now() / 1000) + this.retentionDays * 86_400;
  }

  /** `new Date(now()).toISOString()`, converted once per distinct millisecond. */
  nowIso(): string {
    const ms = this.now();
    if (ms !== this.lastMs) {
      this.lastIso = isoTime(ms);
      this.lastMs = ms;
    }
    return this.lastIso;
  }
}
