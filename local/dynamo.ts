import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Config } from '../lib/config';
import { allTables, type TableNames } from '../lib/store/schema';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB-compatible server (dynalite) on a random loopback port. With `path` the data
 * persists there (so `sagewatch query` reads what an earlier `invoke` stored); without, it
 * lives in memory. With `thread` it runs in a worker thread of this process (see below).
 */
export async function startDynamo(options: { path?: string; thread?: boolean } = {}): Promise<EmbeddedDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  if (options.thread) return startDynamoThread(options.path);
  const server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Small answers on a kept-alive loopback connection otherwise wait for the peer's delayed
  // ACK (Nagle): ~30 ms per call instead of ~1.
  server.on('connection', (socket: { setNoDelay: (noDelay: boolean) => void }) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * dynalite in a worker thread, for the local run. dynalite validates every call by parsing its
 * expressions with a PEG parser: about half of what a local run allocates, all of it garbage at
 * once. On the main thread that garbage lands in the heap that also holds the SDK, the handlers
 * and the simulation (50 MB live), which V8 lets grow to a multiple of its live size before a
 * full collection, so the run's peak followed its length. In its own isolate the same garbage
 * is collected against dynalite's own ~10 MB. The thread runs plain CommonJS (eval) so it needs
 * no TypeScript loader; its young generation is held to 8 MB because each call's garbage dies
 * young and V8 would otherwise commit a main-thread-sized one for it. Old space is not capped.
 */
const DYNALITE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const server = dynalite({ ...(workerData.path ? { path: workerData.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('connection', (socket) => socket.setNoDelay(true));
server.once('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'close') server.close(() => parentPort.postMessage({ closed: true }));
});
`;

async function startDynamoThread(path: string | undefined): Promise<EmbeddedDynamo> {
  const worker = new Worker(DYNALITE_THREAD, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
    workerData: { dynalite: createRequire(import.meta.url).resolve('dynalite'), path },
  });
  // The thread must not keep a run alive on its own: close() ends it; a crashed run just exits.
  worker.unref();
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { port?: number; error?: string }) => (message.port ? resolve(message.port) : reject(new Error(`dynalite did not start: ${message.error}`))));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      // Closing the server closes its LevelDB, so `sagewatch query` can open the store afterwards.
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

type TableConfig = Pick<Config, 'requestsTable' | 'inventoryTable' | 'stateTable' | 'region'>;

/** The tables a configuration names, created where missing (the local run, the emulators and the bench share it). */
export async function ensureConfiguredTables(endpoint: string, config: TableConfig): Promise<void> {
  await ensureTables(
    endpoint,
    {
      requests: config.requestsTable,
      inventory: config.inventoryTable,
      state: config.stateTable,
    },
    config.region,
  );
}

/** Creates the tables that do not exist yet (idempotent). */
export async function ensureTables(endpoint: string, names: TableNames, region = 'us-east-1'): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const table of allTables(names)) {
      if (!existing.has(table.TableName!)) await client.send(new CreateTableCommand(table));
    }
  } finally {
    client.destroy();
  }
}
