// Over 300 lines on purpose: one client (sign, send, retry, marshal) whose parts only work together.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { isClockSkewError, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryErrorType, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import { type HttpAnswer, KeepAliveHttp } from './keep-alive-http';
import { PostSigner } from './sigv4';

/**
 * DynamoDB's JSON protocol spoken directly: one SigV4-signed POST per call (./sigv4.ts: what
 * the SDK's SignatureV4 computes, checked against it), with the credentials, endpoint, region and retry strategy of a
 * DynamoDBClient built as usual (so the credential chain is the SDK's, as bundled, and
 * AWS_ENDPOINT_URL_DYNAMODB still points it at an emulator). What it leaves out is the SDK's
 * per-call middleware stack and schema-driven serde, which cost about three quarters of the
 * client CPU of a write (scripts/client-cpu.ts measures each option).
 *
 * It takes the same document-client commands the stores build (@aws-sdk/lib-dynamodb) and
 * answers as the document client does: native values marshalled and unmarshalled with
 * @aws-sdk/util-dynamodb and the same options, errors with the SDK's names, message, `$fault`,
 * `$metadata` and body fields (a ConditionalCheckFailedException keeps its marshalled `Item`),
 * retried by the client's own StandardRetryStrategy with the SDK's error classification.
 * test/integration/signed-dynamodb.test.ts runs the store's operations through both clients
 * against dynalite and compares answers and errors.
 */
export interface SignedDynamoDBOptions {
  region: string;
  /** Total attempts per call, including the first (the SDK's `maxAttempts`). */
  maxAttempts?: number;
  /** Overrides the endpoint the SDK's rules would choose. */
  endpoint?: string;
  /** Sockets kept per host; the SDK's NodeHttpHandler keeps 50. */
  maxSockets?: number;
  /** A socket idle this long fails the attempt with a TimeoutError (retried as transient). */
  socketTimeoutMs?: number;
}

export type Operation = 'UpdateItem' | 'GetItem' | 'PutItem' | 'DeleteItem' | 'Query' | 'BatchGetItem';

type SupportedCommand = UpdateCommand | GetCommand | PutCommand | DeleteCommand | QueryCommand | BatchGetCommand;

const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const UNMARSHALL_OPTIONS = { wrapNumbers: false } as const;
const TARGET_PREFIX = 'DynamoDB_20120810.';
/** Clock skew beyond which DynamoDB refuses a signature; the SDK corrects its clock past it too. */
const SKEW_CORRECTION_MS = 300_000;

/** An error from DynamoDB in the SDK's shape: `name`, `message`, `$fault`, `$metadata`, the body's fields. */
export class DynamoDBServiceError extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number; clockSkewCorrected?: true };
  [field: string]: unknown;

  constructor(name: string, message: string, fault: 'client' | 'server', metadata: DynamoDBServiceError['$metadata'], fields: Record<string, unknown>) {
    super(message);
    for (const [key, value] of Object.entries(fields)) if (key !== '__type' && key !== 'message' && key !== 'Message') this[key] = value;
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

interface Endpoint {
  https: boolean;
  hostname: string;
  port?: number;
  path: string;
  host: string;
}

interface Prepared {
  endpoint: Endpoint;
  http: KeepAliveHttp;
  retries: RetryStrategyV2;
}

export class SignedDynamoDBClient {
  private readonly sdk: DynamoDBClient;
  private readonly signer: PostSigner;
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly maxSockets: number;
  private readonly socketTimeoutMs: number;
  /** The endpoint, its sockets and the retry strategy, resolved by the first call. */
  private preparing?: Promise<Prepared>;
  private ready?: Prepared;
  /** Milliseconds to add to the local clock when signing, learnt from a clock-skew error. */
  private clockOffsetMs = 0;
  private destroyed = false;

  constructor(options: SignedDynamoDBOptions) {
    this.sdk = new DynamoDBClient({ region: options.region, maxAttempts: options.maxAttempts ?? 5, retryMode: 'standard', ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
    const config = this.sdk.config;
    // The SDK's credential chain (memoised, refreshed before expiry); no x-amz-content-sha256 header (DynamoDB does not need it).
    this.credentials = config.credentials as AwsCredentialIdentityProvider;
    this.signer = new PostSigner('dynamodb', options.region);
    this.maxSockets = options.maxSockets ?? 50;
    this.socketTimeoutMs = options.socketTimeoutMs ?? 30_000;
  }

  async send(command: SupportedCommand): Promise<unknown> {
    const operation = operationOf(command);
    const body = JSON.stringify(marshallInput(operation, command.input as unknown as Record<string, unknown>));
    const { endpoint, http, retries } = this.ready ?? (await this.prepare());
    let token = (await retries.acquireInitialRetryToken('')) as StandardRetryToken;
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      attempts++;
      try {
        const output = await this.attempt(operation, endpoint, http, body);
        retries.recordSuccess(token);
        output.$metadata = { ...(output.$metadata as object), attempts, totalRetryDelay };
        return unmarshallOutput(operation, output);
      } catch (error) {
        const failure = asError(error);
        let next: StandardRetryToken;
        try {
          next = (await retries.refreshRetryTokenForRetry(token, { error: failure as never, errorType: retryErrorType(failure) })) as StandardRetryToken;
        } catch {
          failure.$metadata = { ...failure.$metadata, attempts, totalRetryDelay };
          throw failure;
        }
        // The strategy has already waited the backoff (with jitter) before handing the token back.
        totalRetryDelay += (next as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0;
        const delay = next.getRetryDelay();
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        totalRetryDelay += delay;
        token = next;
      }
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.ready?.http.destroy();
    this.sdk.destroy();
  }

  private prepare(): Promise<Prepared> {
    this.preparing ??= Promise.all([this.resolveEndpoint(), this.sdk.config.retryStrategy() as Promise<RetryStrategyV2>]).then(
      ([endpoint, retries]) => {
        const http = new KeepAliveHttp(endpoint, { maxSockets: this.maxSockets, socketTimeoutMs: this.socketTimeoutMs });
        if (this.destroyed) http.destroy();
        return (this.ready = { endpoint, http, retries });
      },
      (error: unknown) => {
        this.preparing = undefined;
        throw error;
      },
    );
    return this.preparing;
  }

  /** Where the SDK would send an UpdateItem: AWS_ENDPOINT_URL_DYNAMODB, FIPS, partition, ... all its rules. */
  private async resolveEndpoint(): Promise<Endpoint> {
    const resolved = await getEndpointFromInstructions({ TableName: 'sagewatch' }, UpdateItemCommand, this.sdk.config);
    const url = resolved.url;
    const https = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : undefined;
    // The signer signs POST / (what DynamoDB's endpoints and the emulators take).
    if ((url.pathname || '/') !== '/' || url.search) throw new Error(`SignedDynamoDBClient: endpoint ${url.href} has a path or query; only an origin is supported`);
    return { https, hostname: url.hostname.replace(/^\[|\]$/g, ''), ...(port ? { port } : {}), path: '/', host: url.host };
  }

  private async attempt(operation: Operation, endpoint: Endpoint, http: KeepAliveHttp, body: string): Promise<Record<string, unknown>> {
    const credentials: AwsCredentialIdentity = await this.credentials();
    const headers = this.signer.sign(credentials, Date.now() + this.clockOffsetMs, endpoint.host, TARGET_PREFIX + operation, body);
    const response = await http.post(endpoint.path, headers, body);
    const requestId = response.headers['x-amzn-requestid'];
    const status = response.status;
    const parsed = parseBody(response.text);
    if (status >= 200 && status < 300) {
      return { ...parsed, $metadata: { httpStatusCode: status, ...(requestId ? { requestId } : {}) } };
    }
    throw this.serviceError(response, parsed, requestId);
  }

  private serviceError(response: HttpAnswer, body: Record<string, unknown>, requestId: string | undefined): DynamoDBServiceError {
    const status = response.status;
    const error = serviceErrorOf(status, body, { httpStatusCode: status, ...(requestId ? { requestId } : {}) }, response.headers['x-amzn-errortype']);
    if (isClockSkewError(error as never)) {
      // As the SDK does: take the server's clock from the response and retry with it.
      const serverTime = Date.parse(response.headers.date ?? '');
      if (Number.isFinite(serverTime) && Math.abs(serverTime - (Date.now() + this.clockOffsetMs)) >= SKEW_CORRECTION_MS) {
        this.clockOffsetMs = serverTime - Date.now();
        error.$metadata.clockSkewCorrected = true;
      }
    }
    return error;
  }
}

/** DynamoDB's error answer as the SDK throws it: named by its `__type` (else the error-type header), client or server fault by status. */
export function serviceErrorOf(status: number, body: Record<string, unknown>, metadata: DynamoDBServiceError['$metadata'], errorType?: string): DynamoDBServiceError {
  const type = String(body.__type ?? errorType ?? 'UnknownError');
  const name = type.slice(type.lastIndexOf('#') + 1).split(':')[0]!;
  const text = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : 'UnknownError';
  return new DynamoDBServiceError(name, text, status < 500 ? 'client' : 'server', metadata, body);
}

function operationOf(command: SupportedCommand): Operation {
  if (command instanceof UpdateCommand) return 'UpdateItem';
  if (command instanceof GetCommand) return 'GetItem';
  if (command instanceof QueryCommand) return 'Query';
  if (command instanceof BatchGetCommand) return 'BatchGetItem';
  if (command instanceof PutCommand) return 'PutItem';
  if (command instanceof DeleteCommand) return 'DeleteItem';
  throw new TypeError(`SignedDynamoDBClient does not send ${(command as object).constructor.name}`);
}

type Native = Record<string, NativeAttributeValue>;
const toAttributes = (value: unknown) => marshall(value as Native, MARSHALL_OPTIONS);
const fromAttributes = (value: unknown) => unmarshall(value as Parameters<typeof unmarshall>[0], UNMARSHALL_OPTIONS);

/** The members lib-dynamodb marshalls for these operations (its marshallInput key nodes). */
function marshallInput(operation: Operation, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const member of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    if (out[member] !== undefined) out[member] = toAttributes(out[member]);
  }
  if (operation === 'BatchGetItem' && input.RequestItems) {
    const tables: Record<string, unknown> = {};
    for (const [table, request] of Object.entries(input.RequestItems as Record<string, { Keys?: unknown[] }>)) {
      tables[table] = { ...request, ...(request.Keys ? { Keys: request.Keys.map(toAttributes) } : {}) };
    }
    out.RequestItems = tables;
  }
  return out;
}

/** A successful answer's members as the document client returns them (native values). */
export function unmarshallOutput(operation: Operation, output: Record<string, unknown>): Record<string, unknown> {
  for (const member of ['Attributes', 'Item', 'LastEvaluatedKey'] as const) {
    if (output[member] !== undefined) output[member] = fromAttributes(output[member]);
  }
  if (Array.isArray(output.Items)) output.Items = output.Items.map(fromAttributes);
  if (operation === 'BatchGetItem') {
    if (output.Responses) {
      const responses: Record<string, unknown> = {};
      for (const [table, items] of Object.entries(output.Responses as Record<string, unknown[]>)) responses[table] = items.map(fromAttributes);
      output.Responses = responses;
    }
    if (output.UnprocessedKeys) {
      const unprocessed: Record<string, unknown> = {};
      for (const [table, request] of Object.entries(output.UnprocessedKeys as Record<string, { Keys?: unknown[] }>)) {
        unprocessed[table] = { ...request, ...(request.Keys ? { Keys: request.Keys.map(fromAttributes) } : {}) };
      }
      output.UnprocessedKeys = unprocessed;
    }
  }
  return output;
}

/** An answer's JSON body; a body that is not JSON is kept as its message. */
export function parseBody(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function asError(error: unknown): Error & { $metadata?: Record<string, unknown> } {
  return error instanceof Error ? error : new Error(String(error));
}

/** The SDK's own classification (its retry middleware's getRetryErrorType). */
function retryErrorType(error: Error): RetryErrorType {
  if (isThrottlingError(error as never)) return 'THROTTLING';
  if (isTransientError(error as never)) return 'TRANSIENT';
  if (isServerError(error as never)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}
