/** Alerting's named errors: each says what could not be delivered or read, never a secret. */

export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
}

export class InvalidRegionError extends Error {
  override name = 'InvalidRegionError';
}

export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';

  constructor(
    message: string,
    readonly details: {
      attempts: number;
      /** True when retrying the same payload cannot succeed (a 4xx other than 408/429). */
      permanent: boolean;
      status?: number;
      /** Slack's error code from the response body (`invalid_blocks`, `no_service` ...). */
      code?: string;
    },
  ) {
    super(message);
  }
}

export class WebhookSecretError extends Error {
  override name = 'WebhookSecretError';
}
