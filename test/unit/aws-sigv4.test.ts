import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { PostSigner } from '../../lib/aws/sigv4';

/** The lean signer against AWS's own SignatureV4, on the request the signed DynamoDB client sends. */
const credentials = fc.record({
  accessKeyId: fc.stringMatching(/^[A-Z0-9]{16,20}$/),
  secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
  sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,80}$/), { nil: undefined }),
});

async function reference(creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }, region: string, at: number, host: string, target: string, body: string) {
  const signer = new SignatureV4({ service: 'dynamodb', region, credentials: creds as never, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: {},
      headers: { host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, 'content-length': String(Buffer.byteLength(body)) },
      body,
    },
    { signingDate: new Date(at) },
  );
  return signed.headers as Record<string, string>;
}

describe('PostSigner', () => {
  it('signs exactly as SignatureV4 does, for any body, time, region and credentials, one signer reused across them', async () => {
    const signers = new Map<string, PostSigner>();
    await fc.assert(
      fc.asyncProperty(
        credentials,
        fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2'),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom('dynamodb.us-east-1.amazonaws.com', '127.0.0.1:8000'),
        fc.constantFrom('DynamoDB_20120810.UpdateItem', 'DynamoDB_20120810.Query'),
        fc.string({ maxLength: 300, unit: 'binary' }),
        async (creds, region, at, host, target, body) => {
          const signer = signers.get(region) ?? new PostSigner('dynamodb', region);
          signers.set(region, signer);
          const mine = signer.sign(creds, at, host, target, body);
          const theirs = await reference(creds, region, at, host, target, body);
          expect(mine).toEqual(theirs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('derives a new key when the day or the credentials change', async () => {
    const signer = new PostSigner('dynamodb', 'us-east-1');
    const a = { accessKeyId: 'AKIDA', secretAccessKey: 'secret-a' };
    const b = { accessKeyId: 'AKIDA', secretAccessKey: 'secret-b', sessionToken: 'token' };
    const day = Date.UTC(2026, 11, 2, 23, 59, 59, 500);
    for (const [creds, at] of [
      [a, day],
      [a, day + 1_000],
      [b, day + 1_000],
      [a, day + 1_000],
    ] as const) {
      expect(signer.sign(creds, at, 'h', 'DynamoDB_20120810.GetItem', '{}')).toEqual(await reference(creds, 'us-east-1', at, 'h', 'DynamoDB_20120810.GetItem', '{}'));
    }
  });
});
