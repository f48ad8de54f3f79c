import { InvalidEventError } from '../aws/errors';

export type LogEventSource = 'kinesis' | 'awslogs';

/** One Kinesis record as the log processor needs it. */
export interface LogRecordInput {
  /** The Kinesis sequence number: what a partial batch failure reports. */
  id: string;
  /** base64(gzip(subscription JSON)) */
  data: string;
}

/**
 * Extracts the records of a Kinesis stream event (the deployed path) or of a CloudWatch Logs
 * subscription event delivered straight to Lambda (`{ awslogs: { data } }`, handy for local
 * invokes). Anything else is a wiring mistake and is rejected as a whole.
 */
export function logRecordsFromEvent(event: unknown): { source: LogEventSource; records: LogRecordInput[] } {
  if (typeof event !== 'object' || event === null) throw new InvalidEventError('event must be a JSON object');
  const candidate = event as { Records?: unknown; awslogs?: { data?: unknown } };
  if (candidate.awslogs && typeof candidate.awslogs.data === 'string') {
    return { source: 'awslogs', records: [{ id: 'awslogs', data: candidate.awslogs.data }] };
  }
  if (!Array.isArray(candidate.Records)) {
    throw new InvalidEventError('expected a Kinesis event ({ "Records": [...] }) or a CloudWatch Logs event ({ "awslogs": { "data": ... } })');
  }
  const records = candidate.Records.map((record: unknown, index: number): LogRecordInput => {
    const kinesis = (record as { kinesis?: { data?: unknown; sequenceNumber?: unknown } } | null)?.kinesis;
    if (!kinesis || typeof kinesis.data !== 'string' || typeof kinesis.sequenceNumber !== 'string') {
      throw new InvalidEventError(`Records[${index}] is not a Kinesis record (needs kinesis.data and kinesis.sequenceNumber)`);
    }
    return { id: kinesis.sequenceNumber, data: kinesis.data };
  });
  return { source: 'kinesis', records };
}
