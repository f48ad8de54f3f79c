import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { bundleFunctions, bundleOptions } from '../../scripts/bundle';
import { dataLogMessage, dataMessage, kinesisEvent, logEvent, subscriptionRecords } from '../../local/builders';
import { TABLES, useDynamo } from '../support/dynamo';

/**
 * The deployed bundle leaves the SDK's profile, SSO, process and web-identity credential
 * providers out (scripts/bundle.ts). It must still build its client, sign with the credentials
 * Lambda puts in the environment, and say clearly what is missing when pointed at a profile.
 */
const db = useDynamo();
const root = resolve(import.meta.dirname, '..', '..');
let outRoot: string;
let bundle: string;
let proxy: Server;
let proxyUrl: string;
const authorizations: string[] = [];

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), 'sagewatch-bundle-'));
  bundle = (await bundleFunctions(['processLogs'], { outRoot })).processLogs!.file;
  // Records the Authorization header of every request on its way to dynalite.
  proxy = createServer((req, res) => {
    authorizations.push(String(req.headers.authorization ?? ''));
    const target = new URL(db.endpoint());
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  rmSync(outRoot, { recursive: true, force: true });
});

async function invokeBundle(env: NodeJS.ProcessEnv, event: unknown): Promise<string> {
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const result = await handler(${JSON.stringify(event)});
process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      HOME: outRoot,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: proxyUrl,
      AWS_EC2_METADATA_DISABLED: 'true',
      REQUESTS_TABLE: TABLES.requests,
      // processLogs lists the requests a batch opened in the state table.
      STATE_TABLE: TABLES.state,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
  // Powertools writes warnings to stderr.
  return stdout + stderr;
}

const T0 = Date.UTC(2024, 4, 1, 12);
const eventFor = (inferenceId: string) =>
  kinesisEvent(subscriptionRecords([dataMessage({ endpointName: 'bundle-check', events: [logEvent(T0, dataLogMessage(T0, inferenceId, 'Received server error (500)'))] })]));

describe('the processLogs bundle', () => {
  it('signs with the credentials in the environment and writes the record', async () => {
    authorizations.length = 0;
    const stdout = await invokeBundle({ AWS_ACCESS_KEY_ID: 'AKIDBUNDLECHECK', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }, eventFor('bundle-env'));
    expect(stdout).toContain('RESULT {"batchItemFailures":[]}');
    expect(authorizations.length).toBeGreaterThan(0);
    expect(authorizations[0]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDBUNDLECHECK\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-security-token.*, Signature=[0-9a-f]{64}$/);
    const client = db.client();
    const { Item } = await client.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: TABLES.requests, Key: { inferenceId: 'bundle-env', endpointName: 'bundle-check' } }));
    expect(Item).toMatchObject({ logCategory: 'ServerError', logStatusCode: 500 });
  }, 60_000);

  it.each(['createDocumentClient', 'createStoreClient'])(
    'says which provider is missing when pointed at a profile, and still falls through to instance credentials (%s)',
    async (factory) => {
      // A probe bundled with the functions' options: the same SDK client construction, one call.
      const probe = join(outRoot, `probe-${factory}.mjs`);
      await build({
        ...bundleOptions('probe.ts', probe),
        entryPoints: undefined,
        stdin: {
          contents: `import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ${factory} as create } from './lib/aws/clients';
try {
  await create({ region: 'us-east-1', maxAttempts: 1 }).send(new GetCommand({ TableName: 'no-such-table', Key: { k: 'v' } }));
  console.log('SENT');
} catch (error) {
  console.log('ERROR ' + error.name + ': ' + error.message);
}`,
          resolveDir: root,
          loader: 'ts',
          sourcefile: 'probe.ts',
        },
      });
      const run = async (env: NodeJS.ProcessEnv) =>
        (
          await promisify(execFile)(process.execPath, [probe], {
            env: { PATH: process.env.PATH, HOME: outRoot, AWS_ENDPOINT_URL_DYNAMODB: proxyUrl, AWS_EC2_METADATA_DISABLED: 'true', ...env },
          })
        ).stdout;
      authorizations.length = 0;
      expect(await run({ AWS_PROFILE: 'someone' })).toBe(
        'ERROR CredentialsProviderError: sagewatch: shared config and credentials files (fromIni) credentials are not included in this Lambda bundle (scripts/bundle.ts); ' +
          'Lambda provides the execution role credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN. AWS_PROFILE=someone is set: unset it or bundle the provider.\n',
      );
      // No profile: the stubs step aside and the chain reaches the instance metadata provider.
      expect(await run({})).toBe('ERROR CredentialsProviderError: Could not load credentials from any providers\n');
      // With credentials the call is signed and reaches the table (which does not exist).
      expect(await run({ AWS_ACCESS_KEY_ID: 'AKIDPROBE', AWS_SECRET_ACCESS_KEY: 'secret' })).toMatch(/^ERROR ResourceNotFoundException: /);
      expect(authorizations).toHaveLength(1);
      expect(authorizations[0]).toContain('Credential=AKIDPROBE/');
    },
    60_000,
  );
});
