import type { FailureCategory, LineCategory } from './categories';

/**
 * The request record's scalar fields, listed once. The record's type, the store's update
 * expressions and the mapping of a stored item back to a record are all derived from these
 * tables, so a field is added (or bounded) in exactly one place.
 */
export interface Field<T extends string | number = string | number> {
  readonly kind: T extends string ? 'string' : 'number';
  /** Longest value kept, in UTF-16 code units; longer values are cut and named in `truncated`. */
  readonly maxChars?: number;
  /** Type-level only: the field's TypeScript type. */
  readonly type?: T;
}

/**
 * The key fields are never cut (a cut id would be another request): longer ones are rejected
 * where they are read. InvokeEndpointAsync allows ids of 64 characters and SageMaker endpoint
 * names of 63; the margin keeps both far inside DynamoDB's 2,048- and 1,024-byte key limits.
 */
export const MAX_KEY_CHARS = 256;

const text = <T extends string = string>(maxChars: number): Field<T> => ({ kind: 'string', maxChars }) as Field<T>;
const number = (): Field<number> => ({ kind: 'number' }) as Field<number>;

/** An ISO-8601 time as toISOString writes it (24 characters; 27 for six-digit years). */
const TIME_CHARS = 32;
/** `s3://` + a 63-character bucket + `/` + a 1,024-byte key. */
const S3_URI_CHARS = 1_100;

/**
 * What one async notification contributes. Every notification merge sets the fields it has
 * and removes those it lacks: a newer notification of a reused inference id replaces the older one.
 */
export const NOTIFICATION_FIELDS = {
  receivedAt: text(TIME_CHARS),
  completedAt: text(TIME_CHARS),
  endToEndLatencyMs: number(),
  failureReason: text(4_096),
  failureCategory: text<FailureCategory>(16),
  failureStatusCode: number(),
  inputLocation: text(S3_URI_CHARS),
  outputLocation: text(S3_URI_CHARS),
  failureLocation: text(S3_URI_CHARS),
  inlineResponse: text(1_024),
  awsRegion: text(32),
} as const;

/** What the data log contributes: set by the first log merge that has it, never overwritten. */
export const LOG_FIELDS = {
  variantName: text(256),
  firstLogAt: text(TIME_CHARS),
  /** The category of the first problem the data log reported for this request. */
  logCategory: text<LineCategory>(16),
  logStatusCode: number(),
} as const;

/** Kept by the store itself. */
export const STORE_FIELDS = {
  /** receivedAt when the notification has arrived, otherwise the first log line's time. */
  requestTime: text(TIME_CHARS),
  notifiedAt: text(TIME_CHARS),
  /** When the sweeper reported the request stuck (log lines, no notification for too long). */
  stuckAt: text(TIME_CHARS),
  updatedAt: text(TIME_CHARS),
  expiresAt: number(),
} as const;

export const RECORD_FIELDS = { ...NOTIFICATION_FIELDS, ...LOG_FIELDS, ...STORE_FIELDS } as const;

export type FieldTable = Readonly<Record<string, Field>>;

/** The optional properties a field table describes. */
export type FieldValues<T extends FieldTable> = { -readonly [K in keyof T]?: T[K] extends Field<infer V> ? V : never };

export type NotificationFieldName = keyof typeof NOTIFICATION_FIELDS;
