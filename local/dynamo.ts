import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
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
 * lives in memory.
 */
export async function startDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
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
