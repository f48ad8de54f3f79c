/**
 * One vocabulary for what went wrong with an async request, shared by the platform's data-log
 * lines and the failure notifications, so both halves of a record and the derived metrics
 * speak the same language. Values are metric dimension values: keep the set small and stable.
 */
export const FAILURE_CATEGORIES = ['ServerError', 'ClientError', 'MissingHeader', 'Timeout', 'Expired', 'InputDownload', 'OutputUpload', 'PlatformError', 'Other'] as const;

export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

/** A data-log line that reports progress rather than a problem. */
export type LineCategory = FailureCategory | 'Info';

export interface Classification {
  category: LineCategory;
  /** The HTTP status the model container answered with, when the text says it. */
  statusCode?: number;
}
