/** A JSON object: not null, not an array. What every hand-written shape check starts from. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
