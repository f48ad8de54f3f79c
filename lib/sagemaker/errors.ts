/** Errors of reading SageMaker's events and describe outputs. */

export class JobDescriptionError extends Error {
  override name = 'JobDescriptionError';
}
