import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAwsTarget } from '../../cli/target';
import { cli } from '../support/cli';

/**
 * Region and credentials are resolved as the AWS CLI does, from a temporary shared config and
 * credentials file; the DynamoDB calls are answered by aws-sdk-client-mock, which shows the
 * Region and table the CLI really used.
 */
const dir = mkdtempSync(join(tmpdir(), 'sagewatch-aws-'));
const configFile = join(dir, 'config');
const credentialsFile = join(dir, 'credentials');
writeFileSync(configFile, ['[default]', 'region = ap-southeast-2', '', '[profile eu]', 'region = eu-west-1', '', '[profile noregion]', 'output = json', ''].join('\n'));
writeFileSync(
  credentialsFile,
  [
    '[default]',
    'aws_access_key_id = AKIADEFAULT',
    'aws_secret_access_key = s',
    '',
    '[eu]',
    'aws_access_key_id = AKIAEUPROFILE',
    'aws_secret_access_key = s',
    '',
    '[noregion]',
    'aws_access_key_id = AKIANOREGION',
    'aws_secret_access_key = s',
    '',
  ].join('\n'),
);

/** An environment as a user's shell might have it, with no Region of its own. */
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, ...extra });

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  ddb.reset();
  ddb.on(QueryCommand).resolves({ Items: [] });
});
afterEach(() => ddb.reset());

async function used() {
  expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  const call = ddb.commandCalls(QueryCommand)[0]!;
  const config = (call.thisValue as DynamoDBDocumentClient).config;
  return { region: await config.region(), credentials: await config.credentials(), table: call.args[0].input.TableName };
}

describe('--profile and --region as the AWS CLI resolves them', () => {
  it("--profile uses the profile's region and credentials", async () => {
    // By inference id: one Query of the requests table (by endpoint, the state table's listing is read first).
    const result = await cli(['query', '--inference-id', 'e', '--profile', 'eu', '--json'], env());
    expect(result).toMatchObject({ code: 0, stdout: '[]\n' });
    const { region, credentials, table } = await used();
    expect(region).toBe('eu-west-1');
    expect(credentials.accessKeyId).toBe('AKIAEUPROFILE');
    expect(table).toBe('sagewatch-dev-requests');
  });

  it("--region beats the profile's region; AWS_REGION beats the config file, as in the AWS CLI", async () => {
    await cli(['query', '--endpoint', 'e', '--profile', 'eu', '--region', 'us-west-2', '--json'], env({ AWS_REGION: 'ca-central-1' }));
    expect((await used()).region).toBe('us-west-2');
    ddb.resetHistory();
    await cli(['query', '--endpoint', 'e', '--profile', 'eu', '--json'], env({ AWS_REGION: 'ca-central-1' }));
    expect((await used()).region).toBe('ca-central-1');
  });

  it('AWS_PROFILE works like --profile, and --stage names the table', async () => {
    await cli(['alerts', '--stage', 'prod', '--json'], env({ AWS_PROFILE: 'eu' }));
    const { region, credentials, table } = await used();
    expect([region, credentials.accessKeyId, table]).toEqual(['eu-west-1', 'AKIAEUPROFILE', 'sagewatch-prod-state']);
  });

  it("--stage alone uses the default profile's region rather than the local store", async () => {
    await cli(['query', '--inference-id', 'e', '--stage', 'prod', '--json'], env());
    const { region, credentials, table } = await used();
    expect([region, credentials.accessKeyId, table]).toEqual(['ap-southeast-2', 'AKIADEFAULT', 'sagewatch-prod-requests']);
    ddb.resetHistory();
    // By endpoint: the stage's listing in its state table (lib/store/requests-by-endpoint.ts).
    await cli(['query', '--endpoint', 'e', '--stage', 'prod', '--json'], env());
    expect((await used()).table).toBe('sagewatch-prod-state');
    ddb.resetHistory();
    await cli(['query', '--endpoint', 'e', '--table', 'team-a-requests', '--json'], env());
    expect((await used()).table).toBe('team-a-state');
  });

  it('keys in the environment are used unless a profile is named, which wins as in the AWS CLI', async () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-2' };
    await cli(['query', '--endpoint', 'e', '--stage', 'prod', '--json'], env(keys));
    expect((await used()).credentials.accessKeyId).toBe('AKIAENV');
    ddb.resetHistory();
    await cli(['query', '--endpoint', 'e', '--profile', 'eu', '--json'], env(keys));
    expect((await used()).credentials.accessKeyId).toBe('AKIAEUPROFILE');
  });

  it('refuses an ambiguous target with one line naming what is missing', async () => {
    const noFiles = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    const stageOnly = await cli(['query', '--endpoint', 'e', '--stage', 'prod'], noFiles);
    expect(stageOnly.code).toBe(2);
    expect(stageOnly.stderr).toBe('sagewatch: --stage prod names a deployed stack but no AWS Region: add --region R, or --profile P with a region (or set AWS_REGION)\n');
    const noRegion = await cli(['query', '--endpoint', 'e', '--profile', 'noregion'], env());
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toMatch(/^sagewatch: --profile noregion names a deployed stack but no AWS Region: add --region R or set region in profile noregion/);
    const unknown = await cli(['query', '--endpoint', 'e', '--profile', 'nope'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`sagewatch: profile "nope" is not in ${configFile} or ${credentialsFile}\n`);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("names the Region's source for --debug", async () => {
    expect((await resolveAwsTarget({ profile: 'eu' }, env(), 'x')).regionSource).toBe('profile eu');
    expect((await resolveAwsTarget({ region: 'eu-north-1' }, env(), 'x')).regionSource).toBe('--region');
    expect((await resolveAwsTarget({}, env({ AWS_DEFAULT_REGION: 'sa-east-1' }), 'x')).region).toBe('sa-east-1');
  });
});
