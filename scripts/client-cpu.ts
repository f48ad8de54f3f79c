/**
 * Client CPU per DynamoDB write, for each way of calling DynamoDB the store could use: the
 * request store's log merges (the UpdateItem processLogs sends for nearly every request) go
 * through the client to a loopback server in another process that answers each at once with
 * the item DynamoDB would return. Each option runs in a fresh process of its own, as a bundle
 * built like the deployed ones (scripts/bundle.ts), after a warm-up; the figure is that
 * process's CPU time (user + system) over the writes, so the server's work is not in it.
 * `sink` answers without HTTP: the store's own cost, which every option includes; `http-floor`
 * posts the input unsigned with fixed headers over node:http: what HTTP alone costs here.
 *
 * Options of the SDK itself: `document` (lib-dynamodb over DynamoDBClient, as deployed before),
 * `low-level` (DynamoDBClient, marshalling by hand), `-cached` (cacheMiddleware: the command's
 * middleware stack built once; lib-dynamodb refuses it, so the document client cannot have it),
 * `-agent` (a keep-alive agent of 64 sockets instead of the handler's default). The SDK's logger
 * middleware already skips its sensitive-data filters when no logger is set (NoOpLogger), so
 * that option is in every figure. `signed` is lib/aws/signed-dynamodb.ts.
 *
 * Usage: node bin/run-ts.js scripts/client-cpu.ts [--writes N] [--runs N] [--options a,b]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from './bundle';

const OPTIONS = ['sink', 'document', 'low-level', 'low-level-cached', 'low-level-cached-agent', 'signed', 'http-floor'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** What an UpdateItem with ReturnValues ALL_NEW answers for a request's first log merge (≈ 700 bytes). */
const ITEM = {
  inferenceId: { S: 'bench-1a2b-0d6f1c2e-4b1a-4f7e-9c55-0000000a1b2c' },
  endpointName: { S: 'bench-async-endpoint-3' },
  status: { S: 'InProgress' },
  sources: { SS: ['logs'] },
  variantName: { S: 'AllTraffic' },
  requestTime: { S: '2026-01-01T10:00:00.123Z' },
  firstLogAt: { S: '2026-01-01T10:00:00.123Z' },
  logLineCount: { N: '1' },
  'm#i-0123456789abcdef0': { S: '0mjqk1x5f:30000000000000000000000000000000000000000000000000001234' },
  logLines: {
    L: [
      {
        M: {
          at: { S: '2026-01-01T10:00:00.123Z' },
          message: { S: 'Inference request succeeded. ModelLatency: 231 us, RequestDownloadLatency: 12 us, ResponseUploadLatency: 19 us' },
          category: { S: 'Info' },
          instanceId: { S: 'i-0123456789abcdef0' },
        },
      },
    ],
  },
  expiresAt: { N: '1769592000' },
  updatedAt: { S: '2026-01-01T10:00:01.000Z' },
};

async function startServer(): Promise<{ url: string; close: () => void }> {
  // In a child process: its CPU is not the client's.
  const source = `
    const http = require('node:http');
    const body = ${JSON.stringify(JSON.stringify({ Attributes: ITEM }))};
    const server = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'R' + Date.now(), 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolvePort) => child.once('message', (m) => resolvePort(Number(m))));
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

async function main(): Promise<void> {
  const writes = arg('writes', '6000');
  const runs = Number(arg('runs', '3'));
  const options = arg('options', OPTIONS.join(',')).split(',');
  const dir = mkdtempSync(join(tmpdir(), 'sagewatch-client-cpu-'));
  const outfile = join(dir, 'child.mjs');
  await build(bundleOptions(resolve(import.meta.dirname, 'client-cpu/child.ts'), outfile));
  const server = await startServer();
  const results = new Map<string, number[]>();
  try {
    // Options interleaved run by run, so a noisy moment of the machine spreads over all of them.
    for (let run = 0; run < runs; run++) {
      for (const option of options) {
        const child = spawnSync(process.execPath, [outfile, option, server.url, writes, JSON.stringify(ITEM)], {
          env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: server.url, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' },
          encoding: 'utf8',
        });
        if (child.status !== 0)
          throw new Error(
            `${option}: ${child.stderr
              .trim()
              .split('\n')
              .filter((l) => l.length < 400)
              .slice(-8)
              .join('\n')}`,
          );
        const line = JSON.parse(child.stdout.trim().split('\n').pop()!) as { cpuMsPerWrite: number };
        results.set(option, [...(results.get(option) ?? []), line.cpuMsPerWrite]);
      }
    }
  } finally {
    server.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sink = results.has('sink') ? median(results.get('sink')!) : 0;
  const out: Record<string, { cpuMsPerWrite: number; clientCpuMsPerWrite: number; runs: number[] }> = {};
  for (const [option, values] of results) {
    out[option] = { cpuMsPerWrite: round(median(values)), clientCpuMsPerWrite: round(median(values) - sink), runs: values.map(round) };
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(out));
  else {
    console.log(`CPU per UpdateItem of a log merge, ${writes} writes after a warm-up, 32 in flight, median of ${runs} processes each`);
    for (const [option, r] of Object.entries(out)) {
      console.log(`  ${option.padEnd(24)} ${r.cpuMsPerWrite.toFixed(3)} ms  (client ${r.clientCpuMsPerWrite.toFixed(3)} ms; runs ${r.runs.join(' / ')})`);
    }
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

await main();
