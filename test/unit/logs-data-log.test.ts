import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDataLogLine } from '../../lib/logs/data-log';
import { dataLogSource, endpointNameFromLogGroup } from '../../lib/logs/source';
import { classifyMessage } from '../../lib/correlate/classify';

const FALLBACK = Date.UTC(2030, 0, 1);

describe('parseDataLogLine', () => {
  it('reads the canonical line as UTC', () => {
    const line = parseDataLogLine('2024-03-23T11:23:17.723:[sagemaker logs] [5f0e9b7c-1111-4c2a-9d3e-2a9c0e6f4b10] Received server error (500) from primary with message "boom"', FALLBACK);
    expect(line).toEqual({
      inferenceId: '5f0e9b7c-1111-4c2a-9d3e-2a9c0e6f4b10',
      at: Date.UTC(2024, 2, 23, 11, 23, 17, 723),
      message: 'Received server error (500) from primary with message "boom"',
    });
  });

  it('keeps a multi-line message verbatim', () => {
    const html = 'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n".';
    const line = parseDataLogLine(`2024-03-23T11:23:17.723:[sagemaker logs] [req-1] ${html}`, FALLBACK);
    expect(line?.message).toBe(html);
    expect(line?.message.split('\n')).toHaveLength(4);
  });

  it.each([
    ['no milliseconds', '2024-03-23T11:23:17:[sagemaker logs] [id-1] x', Date.UTC(2024, 2, 23, 11, 23, 17)],
    ['explicit Z', '2024-03-23T11:23:17.723Z:[sagemaker logs] [id-1] x', Date.UTC(2024, 2, 23, 11, 23, 17, 723)],
    ['a space after the colon', '2024-03-23T11:23:17.723: [sagemaker logs] [id-1] x', Date.UTC(2024, 2, 23, 11, 23, 17, 723)],
    ['an offset', '2024-03-23T13:23:17.723+02:00:[sagemaker logs] [id-1] x', Date.UTC(2024, 2, 23, 11, 23, 17, 723)],
    ['microseconds', '2024-03-23T11:23:17.723456:[sagemaker logs] [id-1] x', Date.UTC(2024, 2, 23, 11, 23, 17, 723)],
  ])('accepts %s', (_name, raw, at) => {
    expect(parseDataLogLine(raw, FALLBACK)).toEqual({ inferenceId: 'id-1', at, message: 'x' });
  });

  it('falls back to the log event time when the line has no readable timestamp', () => {
    expect(parseDataLogLine('[sagemaker logs] [id-2] The request timed out', FALLBACK)).toEqual({
      inferenceId: 'id-2',
      at: FALLBACK,
      message: 'The request timed out',
    });
    expect(parseDataLogLine('2024-02-31T11:23:17.723:[sagemaker logs] [id-3] x', FALLBACK)?.at).toBe(FALLBACK);
  });

  it.each([
    ['a container log line', '2024-03-23 11:23:17,723 INFO Starting model server'],
    ['a marker without an id', '2024-03-23T11:23:17.723:[sagemaker logs] no id here'],
    ['an empty id', '2024-03-23T11:23:17.723:[sagemaker logs] [ ] x'],
    ['an unterminated id', '2024-03-23T11:23:17.723:[sagemaker logs] [abc'],
    ['the marker deep inside a message', `${'x'.repeat(100)}[sagemaker logs] [id] y`],
    ['an empty message', ''],
  ])('rejects %s', (_name, raw) => {
    expect(parseDataLogLine(raw, FALLBACK)).toBeUndefined();
  });

  it('never throws, and an id it reads is one InvokeEndpointAsync could have accepted, kept untrimmed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), (prefix, rest) => {
        for (const raw of [prefix, `${prefix}[sagemaker logs] [${rest}`, `2024-01-01T00:00:00.000:[sagemaker logs] [${prefix}] ${rest}`]) {
          const line = parseDataLogLine(raw, FALLBACK);
          if (line) {
            expect(line.inferenceId.length).toBeGreaterThan(0);
            expect(line.inferenceId.length).toBeLessThanOrEqual(256);
            expect(line.inferenceId[0]).not.toMatch(/\s/);
            expect(raw).toContain(`[${line.inferenceId}]`);
            expect(Number.isFinite(line.at)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('classifyMessage', () => {
  it.each([
    ['Received server error (500) from primary with message "<!DOCTYPE HTML>"', 'ServerError', 500],
    ['Received server error (503) from model with message "Service Unavailable"', 'ServerError', 503],
    ['Received client error (400) from primary with message "bad input"', 'ClientError', 400],
    ['Received client error (413) from model with message "payload too large"', 'ClientError', 413],
    ['Received server error (0) from primary with message "Your invocation timed out while waiting for a response from container primary."', 'Timeout', 0],
    ['ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.', 'ServerError', 500],
    ['The response from container primary did not specify the required Content-Length header', 'MissingHeader', undefined],
    ['Model container did not respond within the allotted time', 'Timeout', undefined],
    ['ClientError: Request 7a1c has expired', 'Expired', undefined],
    ['Request exceeded its TTL of 3600 seconds in the queue', 'Expired', undefined],
    ['ClientError: Failed to download input data from s3://bucket/key: AccessDenied', 'InputDownload', undefined],
    ['Failed to upload the inference response to S3', 'OutputUpload', undefined],
    ['ServerError: An internal error occurred', 'PlatformError', undefined],
    ['Inference request succeeded', 'Info', undefined],
    ['Something unexpected', 'Other', undefined],
  ])('%s → %s', (message, category, statusCode) => {
    expect(classifyMessage(message)).toEqual(statusCode === undefined ? { category } : { category, statusCode });
  });

  it('looks only at the head of long container bodies', () => {
    const body = `Received server error (500) from primary with message "${'<p>'.repeat(400)} request timed out"`;
    expect(classifyMessage(body)).toEqual({ category: 'ServerError', statusCode: 500 });
  });
});

describe('log sources', () => {
  it('knows endpoint log groups and data-log streams', () => {
    expect(endpointNameFromLogGroup('/aws/sagemaker/Endpoints/fraud-async')).toBe('fraud-async');
    expect(endpointNameFromLogGroup('/aws/sagemaker/TrainingJobs')).toBeUndefined();
    expect(endpointNameFromLogGroup('/aws/sagemaker/Endpoints/')).toBeUndefined();
    expect(dataLogSource('/aws/sagemaker/Endpoints/fraud-async', 'AllTraffic/i-0abc/data-log')).toEqual({
      endpointName: 'fraud-async',
      variantName: 'AllTraffic',
      instanceId: 'i-0abc',
    });
    expect(dataLogSource('/aws/sagemaker/Endpoints/fraud-async', 'AllTraffic/i-0abc')).toBeUndefined();
    expect(dataLogSource('/aws/sagemaker/Endpoints/fraud-async', 'data-log')).toBeUndefined();
    expect(dataLogSource('/aws/lambda/other', 'AllTraffic/i-0abc/data-log')).toBeUndefined();
  });
});
