import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Histogram } from '../detect/histogram';

/**
 * Per-endpoint one-minute buckets of finished async requests in the `state` table, the
 * detectors' sliding windows. Lambda instances are short-lived and run in parallel, so the
 * counts live here and are only ever added to (ADD), never read and rewritten.
 */
export interface MinuteDelta {
  endpointName: string;
  /** Epoch ms at the start of the minute. */
  minute: number;
  finished: number;
  failed: number;
  byCategory: Record<string, number>;
  latency: Histogram;
}

export interface MinuteBucket extends MinuteDelta {}

export interface WindowSender {
  send(command: UpdateCommand | QueryCommand): Promise<unknown>;
}

const RETENTION_SECONDS = 2 * 86_400;

export const windowKey = (endpointName: string) => `window#${endpointName}`;
const minuteKey = (minute: number) => new Date(minute).toISOString().slice(0, 16);

export class WindowStore {
  constructor(
    private readonly client: WindowSender,
    private readonly tableName: string,
  ) {}

  async add(delta: MinuteDelta): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':finished': delta.finished,
      ':failed': delta.failed,
      ':exp': Math.floor(delta.minute / 1000) + RETENTION_SECONDS,
    };
    const adds = ['finished :finished', 'failed :failed'];
    let i = 0;
    for (const [category, count] of Object.entries(delta.byCategory)) {
      names[`#c${i}`] = `c_${category}`;
      values[`:c${i}`] = count;
      adds.push(`#c${i} :c${i}`);
      i++;
    }
    let j = 0;
    for (const [bucket, count] of delta.latency) {
      names[`#l${j}`] = `l_${bucket}`;
      values[`:l${j}`] = count;
      adds.push(`#l${j} :l${j}`);
      j++;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: windowKey(delta.endpointName), sk: minuteKey(delta.minute) },
        UpdateExpression: `SET expiresAt = :exp ADD ${adds.join(', ')}`,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Buckets of one endpoint with minute starts in [from, to]. */
  async read(endpointName: string, from: number, to: number): Promise<MinuteBucket[]> {
    const buckets: MinuteBucket[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': windowKey(endpointName), ':from': minuteKey(from), ':to': minuteKey(to) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) buckets.push(toBucket(endpointName, item));
      start = output.LastEvaluatedKey;
    } while (start);
    return buckets;
  }
}

function toBucket(endpointName: string, item: Record<string, unknown>): MinuteBucket {
  const byCategory: Record<string, number> = {};
  const latency: Histogram = new Map();
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'number') continue;
    if (name.startsWith('c_')) byCategory[name.slice(2)] = value;
    else if (name.startsWith('l_')) latency.set(Number(name.slice(2)), value);
  }
  return {
    endpointName,
    minute: Date.parse(`${String(item.sk)}:00.000Z`),
    finished: typeof item.finished === 'number' ? item.finished : 0,
    failed: typeof item.failed === 'number' ? item.failed : 0,
    byCategory,
    latency,
  };
}
