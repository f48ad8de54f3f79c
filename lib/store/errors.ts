/** Errors the store returns for a write that lost a race: its caller decides what to do. */

export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
}
