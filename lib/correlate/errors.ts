/** Errors of correlating a request's halves. */

export class MergeConflictError extends Error {
  override name = 'MergeConflictError';
}
