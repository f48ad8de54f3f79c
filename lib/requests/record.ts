import type { FieldValues } from './fields';
import type { LOG_FIELDS, NOTIFICATION_FIELDS, STORE_FIELDS } from './fields';
import type { StoredLogLine } from './log-line';

export type RequestStatus = 'Completed' | 'Failed' | 'InProgress';
export type RequestSource = 'logs' | 'notification';

/**
 * One async request as sagewatch stores and shows it: both halves merged, keyed by
 * (inferenceId, endpointName). Its scalar fields are listed once, in ./fields.ts.
 */
export type RequestRecord = {
  inferenceId: string;
  endpointName: string;
  status: RequestStatus;
  logLines: StoredLogLine[];
  logLineCount: number;
  logErrorCount: number;
  sources: RequestSource[];
  notificationCount: number;
  /** Fields whose value was cut to its bound (./fields.ts): `failureReason`, `logLines`, ... */
  truncated?: string[];
  /** What could not be read from the input, said in words (a receivedTime that is not a time, ...). */
  problems?: string[];
} & FieldValues<typeof NOTIFICATION_FIELDS> &
  FieldValues<typeof LOG_FIELDS> &
  FieldValues<typeof STORE_FIELDS>;
