/**
 * Write request units of the requests table as on-demand DynamoDB bills them, including its
 * global secondary indexes, which dynalite does not account for: every UpdateItem's item before
 * (the previous ALL_NEW of that key) and after (its ALL_NEW) are sized by DynamoDB's rules.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface WriteUnits {
  table: number;
  indexes: Record<string, number>;
  /** Writes whose items (after) were larger than 1 KB. */
  largeItemWrites: number;
  writes: number;
}

/** Size of an attribute value in bytes, per DynamoDB's item size rules. */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += valueSize(element);
    return size;
  }
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object' && value !== undefined) {
    let size = 3;
    for (const [name, element] of Object.entries(value)) size += 1 + Buffer.byteLength(name) + valueSize(element);
    return size;
  }
  return 0;
}

export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

const units = (item: Record<string, unknown>) => Math.max(1, Math.ceil(itemSize(item) / 1024));

/**
 * Follows every UpdateItem of `client` on `tableName`. `indexes` maps each GSI to its key
 * attributes (all projected: ALL). Failed conditional writes are not counted.
 */
export function trackWriteUnits(client: DynamoDBDocumentClient, tableName: string, indexes: Record<string, string[]>): WriteUnits {
  const totals: WriteUnits = { table: 0, indexes: Object.fromEntries(Object.keys(indexes).map((name) => [name, 0])), largeItemWrites: 0, writes: 0 };
  const items = new Map<string, Record<string, unknown>>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { TableName?: string; Key?: Record<string, unknown> };
      const after = (result.output as { Attributes?: Record<string, unknown> }).Attributes;
      if (!/^Update/.test(String(context.commandName)) || input.TableName !== tableName || !after || !input.Key) return result;
      const key = JSON.stringify(input.Key);
      const before = items.get(key);
      items.set(key, after);
      totals.writes++;
      totals.table += Math.max(units(after), before ? units(before) : 0);
      if (itemSize(after) > 1024) totals.largeItemWrites++;
      for (const [index, keyAttributes] of Object.entries(indexes)) {
        const inBefore = before !== undefined && keyAttributes.every((name) => before[name] !== undefined);
        const inAfter = keyAttributes.every((name) => after[name] !== undefined);
        let cost = 0;
        if (inBefore && inAfter) {
          const moved = keyAttributes.some((name) => before![name] !== after[name]);
          // A changed index key deletes the old entry and puts the new one.
          cost = moved ? units(before!) + units(after) : units(after);
        } else if (inAfter) cost = units(after);
        else if (inBefore) cost = units(before!);
        totals.indexes[index]! += cost;
      }
      return result;
    },
    { step: 'initialize', name: 'sagewatchBenchWriteUnits' },
  );
  return totals;
}
