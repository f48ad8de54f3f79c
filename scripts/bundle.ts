/**
 * Builds one minified ESM bundle per function with esbuild, AWS SDK included (what is
 * deployed is exactly what was tested and benchmarked, whatever SDK version the runtime has).
 * Usage: node bin/run-ts.js scripts/bundle.ts [functionKey...]
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { FUNCTION_SPECS, bundleDir } from '../infra/functions';

const root = resolve(import.meta.dirname, '..');

/**
 * Credential sources of the SDK's default chain that a Lambda function never uses: Lambda
 * hands the execution role's credentials over in environment variables, which `fromEnv` reads
 * first. These providers (with the STS/SSO clients they carry) were a fifth of every bundle.
 * `fromEnv`, container (`fromHttp`/ECS) and instance-metadata credentials stay bundled.
 * Each stub keeps the chain's contract: it steps aside when its source is not configured, and
 * fails with a message that says what to do when it is.
 */
const STUBBED_CREDENTIAL_PROVIDERS: Record<string, string> = {
  '@aws-sdk/credential-provider-ini': `
export const fromIni = (init = {}) => async () => {
  const profile = init.profile ?? process.env.AWS_PROFILE;
  unavailable('shared config and credentials files (fromIni)', profile ? 'AWS_PROFILE=' + profile + ' is set' : undefined, init);
};`,
  '@aws-sdk/credential-provider-sso': `
export const fromSSO = (init = {}) => async () => unavailable('IAM Identity Center / SSO (fromSSO)', 'SSO settings were given', init);`,
  '@aws-sdk/credential-provider-process': `
export const fromProcess = (init = {}) => async () => unavailable('credential_process (fromProcess)', undefined, init);`,
  '@aws-sdk/credential-provider-web-identity': `
export const fromTokenFile = (init = {}) => async () => {
  const file = init.webIdentityTokenFile ?? process.env.AWS_WEB_IDENTITY_TOKEN_FILE;
  unavailable('web identity tokens (fromTokenFile)', file ? 'AWS_WEB_IDENTITY_TOKEN_FILE is set' : undefined, init);
};
export const fromWebToken = (init = {}) => async () => unavailable('web identity tokens (fromWebToken)', 'a web identity token was given', init);`,
};

/** One module every stub imports (was a copy in each: 1 KB of every bundle). */
const STUB_SHARED = `
import { CredentialsProviderError } from '@smithy/core/config';
export function unavailable(source, configured, init) {
  const message = 'sagewatch: ' + source + ' credentials are not included in this Lambda bundle (scripts/bundle.ts); ' +
    'Lambda provides the execution role credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN.' +
    (configured ? ' ' + configured + ': unset it or bundle the provider.' : '');
  // Not configured: step aside like the real provider does, so the chain reaches container and IMDS credentials.
  throw new CredentialsProviderError(message, { tryNextLink: !configured, logger: init?.logger });
}
`;

export const stubUnusedCredentialProviders: Plugin = {
  name: 'sagewatch-stub-unused-credential-providers',
  setup(pluginBuild) {
    const names = Object.keys(STUBBED_CREDENTIAL_PROVIDERS).map((name) => name.replace(/[/-]/g, '\\$&'));
    pluginBuild.onResolve({ filter: new RegExp(`^(${names.join('|')}|sagewatch-stub-shared)$`) }, (args) => ({ path: args.path, namespace: 'sagewatch-stub' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'sagewatch-stub' }, (args) => ({
      contents: args.path === 'sagewatch-stub-shared' ? STUB_SHARED : `import { unavailable } from 'sagewatch-stub-shared';\n${STUBBED_CREDENTIAL_PROVIDERS[args.path]}`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/**
 * The SDK's event-stream serde (@smithy/core/event-streams, ~15 KB minified, 4% of a bundle):
 * HttpProtocol imports it dynamically, only for an operation with an event-stream member
 * (SubscribeToShard, StartLiveTail, response streaming). No function calls one, so the bundle
 * carries a module that says so instead; a function that starts to would fail on its first such
 * call with this message rather than silently. Static imports of it are left alone.
 */
export const stubEventStreams: Plugin = {
  name: 'sagewatch-stub-event-streams',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'sagewatch-stub-event-streams' } : undefined));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'sagewatch-stub-event-streams' }, () => ({
      contents: "throw new Error('sagewatch: event-stream operations are not included in this Lambda bundle (scripts/bundle.ts, stubEventStreams); remove the stub to call one');",
      loader: 'js',
    }));
  },
};

/**
 * mnemonist's LRU cache (with obliterator, ~7 KB minified) is in every bundle only because the
 * DynamoDB client builds the endpoint-discovery cache (@aws-sdk/endpoint-cache) whether or not
 * discovery is on, and it is off for DynamoDB unless AWS_ENABLE_ENDPOINT_DISCOVERY says so. This
 * Map keeps the same contract for the methods EndpointCache calls (a least-recently-used cache of
 * `capacity` entries), so discovery still works when someone turns it on.
 */
const LRU_CACHE = `
export default class LRUCache {
  constructor(capacity) { this.capacity = capacity; this.items = new Map(); }
  get size() { return this.items.size; }
  has(key) { return this.items.has(key); }
  peek(key) { return this.items.get(key); }
  get(key) {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key);
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }
  set(key, value) {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value);
    return this;
  }
  clear() { this.items.clear(); }
}`;

export const leanLruCache: Plugin = {
  name: 'sagewatch-lean-lru-cache',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^mnemonist\/lru-cache(\.js)?$/ }, (args) => ({ path: args.path, namespace: 'sagewatch-lean-lru-cache' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'sagewatch-lean-lru-cache' }, () => ({ contents: LRU_CACHE, loader: 'js' }));
  },
};

/** The esbuild options of a function bundle; the bench builds its harness with the same ones. */
export function bundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [stubUnusedCredentialProviders, stubEventStreams, leanLruCache],
    // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: { js: "import { createRequire as __sagewatchCreateRequire } from 'node:module'; const require = __sagewatchCreateRequire(import.meta.url);" },
  };
}

export async function bundleFunctions(keys: string[] = Object.keys(FUNCTION_SPECS), options: { outRoot?: string } = {}): Promise<Record<string, { bytes: number; file: string }>> {
  const sizes: Record<string, { bytes: number; file: string }> = {};
  for (const key of keys) {
    const spec = FUNCTION_SPECS[key as keyof typeof FUNCTION_SPECS];
    if (!spec) throw new Error(`unknown function ${key}; known: ${Object.keys(FUNCTION_SPECS).join(', ')}`);
    const outdir = resolve(options.outRoot ?? root, bundleDir(key));
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const outfile = resolve(outdir, 'index.mjs');
    await build(bundleOptions(resolve(root, spec.entry), outfile));
    sizes[key] = { bytes: statSync(outfile).size, file: outfile };
  }
  return sizes;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const sizes = await bundleFunctions(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
  for (const [key, { bytes }] of Object.entries(sizes)) console.log(`${key.padEnd(24)} ${(bytes / 1024).toFixed(1)} KiB`);
}
