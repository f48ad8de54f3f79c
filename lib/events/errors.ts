/** An event that is not of the shape a handler is subscribed to: a deployment or caller mistake. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}
