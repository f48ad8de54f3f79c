import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { specDatabase } from './validate/cfn-spec';
import { ENCRYPTION_RULES, encryptionProblems } from './validate/encryption';

let template: CfnTemplate;
let dir: string;
let stateful: Set<string>;

beforeAll(async () => {
  const [packaged, db] = await Promise.all([packageTemplate('ci'), specDatabase()]);
  ({ template, dir } = packaged);
  // The spec marks the types that hold data; the test adds the ones the issue names.
  stateful = new Set(
    db
      .all('resource')
      .filter((resource) => resource.isStateful)
      .map((resource) => resource.cloudFormationType),
  );
}, 180_000);

describe('encryption at rest', () => {
  it('encrypts every stream, queue, topic, table and bucket, and has a decision for every other store', () => {
    expect(encryptionProblems(template, stateful)).toEqual([]);
    const covered = Object.values(template.Resources)
      .filter((resource) => resource.Type in ENCRYPTION_RULES)
      .map((resource) => resource.Type);
    for (const type of ['AWS::Kinesis::Stream', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::DynamoDB::Table']) expect(covered).toContain(type);
  });

  it('notices an unencrypted resource and a store nobody decided about', () => {
    const copy = structuredClone(template);
    delete copy.Resources.NotificationsDeadLetterQueue!.Properties!.SqsManagedSseEnabled;
    delete copy.Resources.AlertsTopic!.Properties!.KmsMasterKeyId;
    copy.Resources.StateTable!.Properties!.SSESpecification = { SSEEnabled: false };
    copy.Resources.LogsStream!.Properties!.StreamEncryption = undefined;
    copy.Resources.Cache = { Type: 'AWS::ElastiCache::CacheCluster', Properties: {} };
    const problems = encryptionProblems(copy, new Set([...stateful, 'AWS::ElastiCache::CacheCluster']));
    expect(problems.sort()).toEqual(
      [
        'Resources.LogsStream (AWS::Kinesis::Stream): StreamEncryption { EncryptionType: KMS, KeyId } missing',
        'Resources.NotificationsDeadLetterQueue (AWS::SQS::Queue): neither SqsManagedSseEnabled nor KmsMasterKeyId',
        'Resources.StateTable (AWS::DynamoDB::Table): SSESpecification.SSEEnabled missing',
        'Resources.AlertsTopic (AWS::SNS::Topic): KmsMasterKeyId missing',
        'Resources.Cache: AWS::ElastiCache::CacheCluster stores data and has no encryption rule; add one to test/template/validate/encryption.ts',
      ].sort(),
    );
  });
});

/** What a leaked credential looks like. */
const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ['Slack webhook host', /hooks\.slack\.com/i],
  ['Slack token', /xox[abposr]-[A-Za-z0-9-]+/],
  ['Slack app token', /xapp-\d-[A-Za-z0-9-]+/],
  ['AWS access key id', /\b(AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['bearer token', /\bBearer\s+[A-Za-z0-9._~+/-]{20,}/],
];
// In the bundles the code legitimately names Slack's host; a complete webhook URL is a leak.
const BUNDLE_PATTERNS: Array<[string, RegExp]> = [
  ['Slack webhook URL', /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/],
  ...SECRET_PATTERNS.filter(([name]) => name !== 'Slack webhook host'),
];

const leaks = (text: string, patterns: Array<[string, RegExp]>) => patterns.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);

/** The files of a zip archive (osls writes deflate or stored entries), without a zip library. */
function zipEntries(path: string): Array<{ name: string; text: string }> {
  const zip = readFileSync(path);
  const entries: Array<{ name: string; text: string }> = [];
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = zip.readUInt32LE(end + 16);
  const count = zip.readUInt16LE(end + 10);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressed = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    entries.push({ name, text: (method === 8 ? inflateRawSync(data) : data).toString('utf8') });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('secrets', () => {
  it('puts no secret-looking value in the template', () => {
    expect(leaks(JSON.stringify(template), SECRET_PATTERNS)).toEqual([]);
  });

  it('names where the Slack webhook is stored, never the webhook, and defaults to no Slack', () => {
    for (const resource of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      const variables = (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.SLACK_WEBHOOK_SECRET).toBe('');
      expect(variables).not.toHaveProperty('SLACK_WEBHOOK_URL');
    }
    // No secret is created by the stack either: its value would be in the template.
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).not.toContain('AWS::SecretsManager::Secret');
    expect(types).not.toContain('AWS::SSM::Parameter');
  });

  it('ships bundles without embedded credentials', () => {
    const zips = readdirSync(dir).filter((file) => file.endsWith('.zip'));
    expect(zips.length).toBeGreaterThan(0);
    for (const zip of zips) {
      const entries = zipEntries(join(dir, zip));
      expect(entries.length, zip).toBeGreaterThan(0);
      for (const entry of entries) expect(leaks(entry.text, BUNDLE_PATTERNS), `${zip}/${entry.name}`).toEqual([]);
    }
  });

  it('would notice a webhook or a token', () => {
    expect(leaks(JSON.stringify({ SLACK: 'https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/cccccccccccccccccccccccc' }), SECRET_PATTERNS)).toEqual(['Slack webhook host']);
    expect(leaks('{"token":"xoxb-1234-5678-abcdef"}', SECRET_PATTERNS)).toEqual(['Slack token']);
    expect(leaks('AKIAABCDEFGHIJKLMNOP', SECRET_PATTERNS)).toEqual(['AWS access key id']);
    expect(leaks('url = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/cccccccccccccccccccccccc"', BUNDLE_PATTERNS)).toEqual(['Slack webhook URL']);
  });
});
