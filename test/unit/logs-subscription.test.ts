import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSubscriptionData, encodeSubscriptionData } from '../../lib/logs/subscription';
import { controlMessage, dataMessage, logEvent } from '../../local/builders';

const gz = (text: string) => gzipSync(Buffer.from(text)).toString('base64');

describe('decodeSubscriptionData', () => {
  it('decodes a DATA_MESSAGE with its log events', () => {
    const payload = dataMessage({
      endpointName: 'fraud-async',
      events: [logEvent(1714564800123, '2024-05-01T12:00:00.123:[sagemaker logs] [abc] Received server error (500)', '3795')],
    });
    const decoded = decodeSubscriptionData(encodeSubscriptionData(payload));
    expect(decoded).toEqual({ ok: true, payload });
  });

  it('decodes a CONTROL_MESSAGE health check', () => {
    const decoded = decodeSubscriptionData(encodeSubscriptionData(controlMessage()));
    expect(decoded.ok && decoded.payload.messageType).toBe('CONTROL_MESSAGE');
  });

  it.each([
    ['not base64 at all', '!!!! not base64 ####', 'bad_base64'],
    ['empty data', '', 'bad_base64'],
    ['valid base64 that is not gzip', Buffer.from('hello world').toString('base64'), 'bad_gzip'],
    ['gzip of something that is not JSON', gz('{"messageType": DATA_'), 'bad_json'],
    ['JSON that is not an object', gz('[1,2,3]'), 'bad_shape'],
    ['unknown messageType', gz(JSON.stringify({ messageType: 'OTHER', logGroup: 'g', logStream: 's', logEvents: [] })), 'bad_shape'],
    ['logEvents not an array', gz(JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: {} })), 'bad_shape'],
    ['log event without a message', gz(JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: [{ id: '1', timestamp: 1 }] })), 'bad_shape'],
  ])('reports %s as %s', (_name, data, reason) => {
    const decoded = decodeSubscriptionData(data);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toBe(reason);
    expect(!decoded.ok && decoded.detail.length).toBeGreaterThan(0);
  });

  it('never throws on arbitrary strings and always says why it rejected them', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (data) => {
        const decoded = decodeSubscriptionData(data);
        if (!decoded.ok) expect(['bad_base64', 'bad_gzip', 'bad_json', 'bad_shape']).toContain(decoded.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on gzipped arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeSubscriptionData(gz(JSON.stringify(value)));
        if (!decoded.ok) expect(['bad_json', 'bad_shape']).toContain(decoded.reason);
      }),
      { numRuns: 300 },
    );
  });
});
