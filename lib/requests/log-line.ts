import type { LineCategory } from './categories';

/**
 * The one data-log line of a request, in the three places it lives: as parsed from a log event
 * (`ParsedLogLine`), as merged (`LogLine`, one per log event) and as stored on the record
 * (`StoredLogLine`, time as ISO-8601, message bounded).
 */
export interface LogLine {
  /** The CloudWatch Logs event id. */
  eventId: string;
  /** Epoch milliseconds: the line's own timestamp (UTC), or the log event's when it has none. */
  at: number;
  message: string;
  category: LineCategory;
  /** The HTTP status the model container answered with, when the message says it. */
  statusCode?: number;
  instanceId: string;
  /**
   * The last log event of a body split over several events (continuation lines without the
   * `[sagemaker logs] [id]` prefix), when there were any: the line's stream moves past it.
   */
  through?: { at: number; eventId: string };
}

/** What the data-log line parser reads from one log event. */
export type ParsedLogLine = Pick<LogLine, 'at' | 'message'> & { inferenceId: string };

export type StoredLogLine = Omit<LogLine, 'eventId' | 'at' | 'instanceId' | 'through'> & { at: string; instanceId?: string };
