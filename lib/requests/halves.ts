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
}

/** What one async notification contributes to a request record. */
export type NotificationHalf = {
  inferenceId: string;
  endpointName: string;
  status: 'Completed' | 'Failed';
} & FieldValues<typeof NOTIFICATION_FIELDS>;
