import { gunzipSync, gzipSync } from 'node:zlib';
import { isObject } from '../util/is-object';

/** One log event as CloudWatch Logs delivers it to a subscription destination. */
export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

/** The decoded body of a CloudWatch Logs subscription record. */
export interface SubscriptionPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: LogEvent[];
}

export type DecodeFailureReason = 'bad_base64' | 'bad_gzip' | 'bad_json' | 'bad_shape';

export type DecodeResult = { ok: true; payload: SubscriptionPayload } | { ok: false; reason: DecodeFailureReason; detail: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a Kinesis record's `data` (base64 of gzip of JSON) into a subscription payload.
 * Never throws: a malformed record is reported with the first step that rejected it.
 * The base64 alphabet is only checked after gunzip fails, to keep the happy path at the cost
 * of decoding itself.
 */
export function decodeSubscriptionData(data: string): DecodeResult {
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch (error) {
    const compact = data.replace(/\s+/g, '');
    if (compact.length === 0 || compact.length % 4 === 1 || !BASE64.test(compact)) {
      return { ok: false, reason: 'bad_base64', detail: 'data is not valid base64' };
    }
    return { ok: false, reason: 'bad_gzip', detail: `data is not gzip: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, reason: 'bad_json', detail: `payload is not JSON: ${(error as Error).message}` };
  }
  return validatePayload(value);
}

/**
 * Checks the payload's shape by hand rather than with a schema library: this runs on every
 * record of every batch and the log events array can hold thousands of entries.
 */
export function validatePayload(value: unknown): DecodeResult {
  if (!isObject(value)) return shape('payload is not a JSON object');
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    return shape(`unknown messageType ${JSON.stringify(messageType)}`);
  }
  if (typeof logGroup !== 'string' || typeof logStream !== 'string') {
    return shape('logGroup and logStream must be strings');
  }
  if (!Array.isArray(logEvents)) return shape('logEvents must be an array');
  for (let i = 0; i < logEvents.length; i++) {
    const event: unknown = logEvents[i];
    if (!isObject(event) || typeof event.id !== 'string' || typeof event.timestamp !== 'number' || typeof event.message !== 'string') {
      return shape(`logEvents[${i}] must have a string id, a numeric timestamp and a string message`);
    }
  }
  return {
    ok: true,
    payload: {
      messageType,
      owner: typeof owner === 'string' ? owner : '',
      logGroup,
      logStream,
      subscriptionFilters: Array.isArray(subscriptionFilters) ? subscriptionFilters.filter((f): f is string => typeof f === 'string') : [],
      logEvents: logEvents as LogEvent[],
    },
  };
}

function shape(detail: string): DecodeResult {
  return { ok: false, reason: 'bad_shape', detail };
}

/** Builds what CloudWatch Logs puts in a Kinesis record: used by the simulator, the bench and tests. */
export function encodeSubscriptionData(payload: SubscriptionPayload): string {
  return gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
}
