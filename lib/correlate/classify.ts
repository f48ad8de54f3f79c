import type { Classification } from '../requests/categories';

// Only the head of a message is inspected: a container's HTML error body can be kilobytes long
// and its contents are the model's words, not the platform's.
const HEAD_CHARS = 512;
const STATUS = /\b(server|client) error \((\d{1,3})\)/i;
const EXPIRED = /\bexpired\b|\bTTL\b|time[- ]to[- ]live/i;
const TIMEOUT = /timed? ?out|timeout|did not (respond|complete)|allotted time|no response/i;
const MISSING_HEADER = /did not (specify|include|set|return) the required .*header|missing (the )?(required )?.*header|header .*(missing|required)/i;
const DOWNLOAD = /download/i;
const UPLOAD = /upload/i;
const PLATFORM = /^ServerError\b|internal (server )?(error|failure)|InternalFailure|ServiceUnavailable/i;
const PROBLEM = /error|fail|exception|invalid|unable|denied|refused|crash/i;
const PROGRESS = /\b(succe(ss|eded|ssful(ly)?)|completed?|processed|received request|started|uploaded)\b/i;

// Cheap stand-ins, exact where they are used: every MISSING_HEADER match contains "header", and
// in a text without a PROBLEM word PLATFORM can only match through "ServiceUnavailable" (its
// other alternatives all contain "error" or "fail").
const HEADER = /header/i;
const SERVICE_UNAVAILABLE = /ServiceUnavailable/i;

/**
 * Classifies a data-log message or a notification's failureReason. The first rule that matches
 * wins, in this order: status code, expired, timeout, missing header, input download, output
 * upload, platform, progress without a problem word (Info), anything else (Other).
 * This runs on every data-log line and most lines report success, so PROBLEM is tested first
 * and once, and the rules it settles are skipped (a STATUS match contains "error"; DOWNLOAD and
 * UPLOAD only count with a problem word): the same answers as testing every rule in order,
 * with less than half the regex work on a success line.
 */
export function classifyMessage(message: string): Classification {
  const head = message.length > HEAD_CHARS ? message.slice(0, HEAD_CHARS) : message;
  const problem = PROBLEM.test(head);
  if (problem) {
    // STATUS needs "error", a PROBLEM word: only worth trying here.
    const status = STATUS.exec(head);
    if (status) {
      const statusCode = Number(status[2]);
      if (statusCode === 0 && TIMEOUT.test(head)) return { category: 'Timeout', statusCode };
      if (statusCode >= 400 && statusCode < 500) return { category: 'ClientError', statusCode };
      if (statusCode >= 500) return { category: 'ServerError', statusCode };
      return { category: status[1]!.toLowerCase() === 'client' ? 'ClientError' : 'ServerError', statusCode };
    }
  }
  if (EXPIRED.test(head)) return { category: 'Expired' };
  if (TIMEOUT.test(head)) return { category: 'Timeout' };
  if (HEADER.test(head) && MISSING_HEADER.test(head)) return { category: 'MissingHeader' };
  if (problem) {
    if (DOWNLOAD.test(head)) return { category: 'InputDownload' };
    if (UPLOAD.test(head)) return { category: 'OutputUpload' };
    if (PLATFORM.test(head)) return { category: 'PlatformError' };
    return { category: 'Other' };
  }
  if (SERVICE_UNAVAILABLE.test(head)) return { category: 'PlatformError' };
  if (PROGRESS.test(head)) return { category: 'Info' };
  return { category: 'Other' };
}
