import type { FieldTable } from './fields';

/**
 * Every stored text is bounded by construction: no input can make an item outgrow DynamoDB's
 * 400 KB (the fields' bounds keep a record under 64 KB, test/unit/requests-bounds.test.ts), and
 * what was cut is named on the record.
 */
export const ELLIPSIS = '…';

/** `value` cut to its first `maxChars` UTF-16 units and an ellipsis, never inside a surrogate pair. */
export function boundText(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let end = maxChars;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end) + ELLIPSIS;
}

/**
 * Cuts every string field of `values` that the table bounds, in place, and returns the names of
 * the fields it cut.
 */
export function boundFields(values: Record<string, unknown>, table: FieldTable): string[] {
  const cut: string[] = [];
  for (const [name, field] of Object.entries(table)) {
    const value = values[name];
    if (typeof value !== 'string' || field.maxChars === undefined || value.length <= field.maxChars) continue;
    values[name] = boundText(value, field.maxChars);
    cut.push(name);
  }
  return cut;
}
