/**
 * What a Lambda's return value becomes on the way to Step Functions: JSON (Dates as ISO
 * strings, undefined dropped). Handlers return it so local runs see exactly what AWS passes on.
 */
export function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
