import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDataLogLine } from '../../lib/logs/data-log';
import { dataLogMessage } from '../../local/builders';

const AT = Date.UTC(2026, 10, 30, 8, 15, 0, 125);

/** Messages as SageMaker writes them to the data log (its words first, the model's inside quotes). */
const PLATFORM_MESSAGES = [
  'Inference request succeeded. ModelLatency: 6177 us, RequestDownloadLatency: 27009 us, ResponseUploadLatency: 50622 us, TimeInBacklog: 7 ms, TotalProcessingTime: 92 ms',
  'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>".',
  'Received client error (400) from primary with message "[Errno 2] No such file or directory: \'/opt/ml/model/x\'"',
  'Received server error (500) from primary with message "{"error": "] [oops] model raised ValueError"}".',
  'The response from container primary did not specify the required Content-Length header',
  'Model container did not respond to the ping in time',
  'Request has expired after 21600 seconds in the queue',
  'Failed to download the input payload from S3',
];

/** Any id InvokeEndpointAsync accepts: 1–64 characters, `\A\S[\p{Print}]*\z` (printable ASCII). */
const acceptedId = fc
  .tuple(
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.array(
      fc.oneof(
        fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        fc.constantFrom(']', '[', '] ', ' [', '] [', ' ', ']]'),
      ),
      { maxLength: 40 },
    ),
  )
  .map(([first, rest]) => (first + rest.join('')).slice(0, 64));

describe('the inference id of a data-log line', () => {
  it.each([
    ['brackets inside', 'scan[2026-11-30]-batch'],
    ['a trailing space', 'trailing-space '],
    ['spaces inside', 'a b  c'],
    ['a bracket and a space inside', 'a] b'],
    ['a platform phrase after a bracket', 'x] Received server error (500) from primary'],
    ['only a closing bracket', ']'],
    ['only an opening bracket', '['],
    ['brackets only', '[['],
    ['closing brackets and spaces', '] ] ]'],
    ['a closing bracket at the end', 'job-7]'],
    ['a bracketed prefix', '[batch-7] item 12'],
    ['64 characters of "] "', `${'] '.repeat(32).slice(0, 63)}x`],
    ['a UUID', '8d2e4b71-1a9f-4c35-b6e0-57c3d9a2f804'],
    ['the marker itself', '[sagemaker logs] [x]'],
  ])('is recovered exactly with %s', (_name, id) => {
    for (const message of PLATFORM_MESSAGES) {
      expect(parseDataLogLine(dataLogMessage(AT, id, message), 0)).toEqual({ inferenceId: id, at: AT, message });
    }
  });

  it('is the whole bracket when the line ends there (an empty message is not a platform message)', () => {
    expect(parseDataLogLine(dataLogMessage(AT, 'abc', ''), 0)).toEqual({ inferenceId: 'abc', at: AT, message: '' });
  });

  it('is a generated UUID even when the message starts with a bracketed word', () => {
    const id = '5f0e9b7c-1111-4c2a-9d3e-2a9c0e6f4b10';
    expect(parseDataLogLine(dataLogMessage(AT, id, '[Errno 2] No such file'), 0)).toMatchObject({ inferenceId: id, message: '[Errno 2] No such file' });
  });

  it('is recovered exactly for any id the API accepts and any platform message', () => {
    fc.assert(
      fc.property(acceptedId, fc.constantFrom(...PLATFORM_MESSAGES), (id, message) => {
        expect(parseDataLogLine(dataLogMessage(AT, id, message), 0)).toEqual({ inferenceId: id, at: AT, message });
      }),
      { numRuns: 5_000 },
    );
  });
});
