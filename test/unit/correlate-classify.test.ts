import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../lib/correlate/classify';
import type { Classification } from '../../lib/requests/categories';

/**
 * classifyMessage tests its rules in a cheaper order than it states them (see its comment).
 * This is the rule-by-rule original it must agree with on every input.
 */
function reference(message: string): Classification {
  const head = message.length > 512 ? message.slice(0, 512) : message;
  const status = /\b(server|client) error \((\d{1,3})\)/i.exec(head);
  const TIMEOUT = /timed? ?out|timeout|did not (respond|complete)|allotted time|no response/i;
  const PROBLEM = /error|fail|exception|invalid|unable|denied|refused|crash/i;
  if (status) {
    const statusCode = Number(status[2]);
    if (statusCode === 0 && TIMEOUT.test(head)) return { category: 'Timeout', statusCode };
    if (statusCode >= 400 && statusCode < 500) return { category: 'ClientError', statusCode };
    if (statusCode >= 500) return { category: 'ServerError', statusCode };
    return { category: status[1]!.toLowerCase() === 'client' ? 'ClientError' : 'ServerError', statusCode };
  }
  if (/\bexpired\b|\bTTL\b|time[- ]to[- ]live/i.test(head)) return { category: 'Expired' };
  if (TIMEOUT.test(head)) return { category: 'Timeout' };
  if (/did not (specify|include|set|return) the required .*header|missing (the )?(required )?.*header|header .*(missing|required)/i.test(head)) {
    return { category: 'MissingHeader' };
  }
  if (/download/i.test(head) && PROBLEM.test(head)) return { category: 'InputDownload' };
  if (/upload/i.test(head) && PROBLEM.test(head)) return { category: 'OutputUpload' };
  if (/^ServerError\b|internal (server )?(error|failure)|InternalFailure|ServiceUnavailable/i.test(head)) return { category: 'PlatformError' };
  if (!PROBLEM.test(head) && /\b(succe(ss|eded|ssful(ly)?)|completed?|processed|received request|started|uploaded)\b/i.test(head)) {
    return { category: 'Info' };
  }
  return { category: 'Other' };
}

// Every word the rules look for, in several casings, and what sits around them.
const WORDS = [
  'server',
  'client',
  ' error (',
  '500)',
  '404)',
  '0)',
  '(999)',
  'Received server error (500)',
  'client error (404)',
  'server error (0)',
  'Server Error (302)',
  'expired',
  'TTL',
  'time to live',
  'time-to-live',
  'timed out',
  'timeout',
  'time out',
  'did not respond',
  'did not complete',
  'allotted time',
  'no response',
  'did not specify the required',
  'header',
  'missing',
  'required',
  'Content-Length',
  'download',
  'upload',
  'uploaded',
  'ServerError',
  'internal server error',
  'internal failure',
  'InternalFailure',
  'ServiceUnavailable',
  'error',
  'fail',
  'exception',
  'invalid',
  'unable',
  'denied',
  'refused',
  'crash',
  'success',
  'succeeded',
  'successfully',
  'completed',
  'complete',
  'processed',
  'received request',
  'started',
  ' ',
  '\n',
  '.',
  ':',
  '"',
  '(',
  ')',
  '-',
  '_',
  'x',
  '7',
  'İ',
  'ſ',
  'K',
  'ı',
  'é',
  '\u{1F600}',
];
const word = fc.constantFrom(...WORDS).chain((w) => fc.constantFrom(w, w.toUpperCase(), w.toLowerCase()));
const message = fc.oneof(
  fc.array(word, { maxLength: 14 }).map((parts) => parts.join('')),
  fc.tuple(fc.string({ maxLength: 600 }), fc.array(word, { maxLength: 6 })).map(([noise, parts]) => `${noise}${parts.join(' ')}`),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);

describe('classifyMessage', () => {
  it('agrees with the rules tested one by one, in order', () => {
    fc.assert(
      fc.property(message, (text) => {
        expect(classifyMessage(text)).toEqual(reference(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees on the lines the platform writes', () => {
    for (const text of [
      'Inference request succeeded. ModelLatency: 1234 us, RequestDownloadLatency: 56 us, ResponseUploadLatency: 78 us, TimeInBacklog: 9 ms, TotalProcessingTime: 10 ms',
      'Received server error (0) from primary: the request timed out',
      'Failed to download the input from S3.',
      'Failed to upload the output: access denied',
      'ServiceUnavailable',
      'ServerError: Received server error (500) from model.',
      'Request 1 has expired',
    ]) {
      expect(classifyMessage(text)).toEqual(reference(text));
    }
  });
});
