import type { FieldValues, NOTIFICATION_FIELDS } from './fields';
import type { LogLine } from './log-line';

/** The two halves of a request, merged into one record in any order, any number of times. */

/** The log lines of one request, as seen in one batch of data-log events. */
export interface LogHalf {
  inferenceId: string;
  endpointName: string;
  variantName: string;
  /** Sorted by time; each line's CloudWatch Logs event id makes redeliveries recognisable. */
  lines: LogLine[];
  /**
   * Text that continues the last line this stream stored for the request in an earlier batch
   * (a body split into one log event per line): `index` of that stored line, its whole new message.
   */
  continuation?: { index: number; message: string; instanceId: string; at: number; eventId: string };
}

/** What one async notification contributes to a request record. */
export type NotificationHalf = {
  inferenceId: string;
  endpointName: string;
  status: 'Completed' | 'Failed';
  /** Fields cut to their bound on the way in. */
  truncated?: string[];
  /** What could not be read from the notification. */
  problems?: string[];
} & FieldValues<typeof NOTIFICATION_FIELDS>;
