import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SignedDynamoDBClient } from './signed-dynamodb';

/**
 * Client construction in one place: region, retry policy and marshalling. Endpoints are not
 * set here on purpose: the SDK reads AWS_ENDPOINT_URL_<SERVICE> itself, which is how local
 * runs point the unchanged handlers at the emulators.
 */
export interface ClientOptions {
  region: string;
  /** Total attempts per call, including the first; the SDK backs off with jitter between them. */
  maxAttempts?: number;
  /** Overrides where calls go (otherwise the SDK's rules: AWS_ENDPOINT_URL_DYNAMODB, then the Region's endpoint). */
  endpoint?: string;
}

export function createDocumentClient({ region, maxAttempts = 5, endpoint }: ClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ region, maxAttempts, retryMode: 'standard', ...(endpoint ? { endpoint } : {}) });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/**
 * The client of the hot path (the request store: one or two writes per async request): the
 * document client's commands, answers and errors, sent as signed requests without the SDK's
 * per-call middleware (lib/aws/signed-dynamodb.ts), with the same credentials, endpoint and
 * standard retries.
 */
export function createStoreClient({ region, maxAttempts = 5, endpoint }: ClientOptions): SignedDynamoDBClient {
  return new SignedDynamoDBClient({ region, maxAttempts, ...(endpoint ? { endpoint } : {}) });
}
