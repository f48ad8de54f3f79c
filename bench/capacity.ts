/**
 * DynamoDB's billing rules for on-demand request units, applied to items as they are on the
 * wire (AttributeValue maps). dynalite counts table capacity only, sizes strings in UTF-16
 * units and bills nothing for a failed condition; these rules follow DynamoDB:
 * - item size: attribute names (UTF-8) plus values; a number is 1 byte per two significant
 *   digits plus 1; a list or map 3 bytes plus 1 per element (and its name, for a map);
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * - a write is 1 unit per KB of the larger of the item before and after, at least 1; a write
 *   whose condition fails still costs the size of the item it was checked against (at least 1);
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 * - every global secondary index the write touches costs its own units, sized by the index
 *   entry (keys and projected attributes): an entry put or deleted is one write, an entry whose
 *   index key changes is a delete and a put, an entry whose projected attributes change is one
 *   write, an entry that does not change costs nothing;
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 * - a read is 1 unit per 4 KB (a Query: of all the items it evaluates, before any filter,
 *   together), at least 1; half of that eventually consistent (every index read is).
 */

export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  L?: AttributeValue[];
  M?: Record<string, AttributeValue>;
}

export type Item = Record<string, AttributeValue>;

export interface IndexSchema {
  name: string;
  /** Partition key, then sort key if any. */
  keys: string[];
  projection: 'ALL' | 'KEYS_ONLY' | { include: string[] };
}

export interface TableSchema {
  name: string;
  keys: string[];
  indexes: IndexSchema[];
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  // Significant digits: no sign, exponent, decimal point, leading or trailing zeros.
  const mantissa = text.trim().replace(/^[+-]/, '').replace(/e.*$/i, '').replace('.', '');
  const digits = mantissa.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
  if (value.L) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M) return Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 3);
  return 0;
}

export function itemBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** The index's entry for `item`, or undefined when the item lacks one of the index's keys (sparse). */
export function indexEntry(item: Item | undefined, table: TableSchema, index: IndexSchema): Item | undefined {
  if (!item || index.keys.some((name) => item[name] === undefined)) return undefined;
  if (index.projection === 'ALL') return item;
  const names = new Set([...table.keys, ...index.keys, ...(index.projection === 'KEYS_ONLY' ? [] : index.projection.include)]);
  const entry: Item = {};
  for (const name of names) if (item[name] !== undefined) entry[name] = item[name]!;
  return entry;
}

/** Attribute values compared by content: sets in any order, maps in any key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const element = (value as Record<string, unknown>)[key];
      out[key] = (key === 'SS' || key === 'NS' || key === 'BS') && Array.isArray(element) ? [...element].sort() : canonical(element);
    }
    return out;
  }
  return value;
}

export const sameValue = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export interface WriteCost {
  table: number;
  /** Units per index, and how many index writes (puts and deletes) make them. */
  indexes: Record<string, { units: number; writes: number }>;
}

/**
 * What one write costs. `before`/`after` are the whole item before and after it (undefined when
 * absent); `conditionFailed` when its condition failed and nothing was written.
 */
export function writeCost(table: TableSchema, before: Item | undefined, after: Item | undefined, conditionFailed = false): WriteCost {
  const indexes: WriteCost['indexes'] = Object.fromEntries(table.indexes.map((index) => [index.name, { units: 0, writes: 0 }]));
  if (conditionFailed) return { table: before ? writeUnits(itemBytes(before)) : 1, indexes };
  const tableUnits = Math.max(before ? writeUnits(itemBytes(before)) : 1, after ? writeUnits(itemBytes(after)) : 1);
  for (const index of table.indexes) {
    const old = indexEntry(before, table, index);
    const now = indexEntry(after, table, index);
    const cost = indexes[index.name]!;
    if (old && now) {
      if (index.keys.some((name) => !sameValue(old[name], now[name]))) {
        cost.units = writeUnits(itemBytes(old)) + writeUnits(itemBytes(now));
        cost.writes = 2;
      } else if (!sameValue(old, now)) {
        cost.units = Math.max(writeUnits(itemBytes(old)), writeUnits(itemBytes(now)));
        cost.writes = 1;
      }
    } else if (old || now) {
      cost.units = writeUnits(itemBytes((old ?? now)!));
      cost.writes = 1;
    }
  }
  return { table: tableUnits, indexes };
}

/** What reading `items` in one request costs (one GetItem: one item; one Query page: all it evaluated). */
export function queryReadCost(items: readonly Item[], consistent: boolean): number {
  return readUnits(
    items.reduce((sum, item) => sum + itemBytes(item), 0),
    consistent,
  );
}
