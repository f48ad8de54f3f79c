import { afterAll, beforeAll } from 'vitest';
import { ensureTables, startDynamo, type EmbeddedDynamo } from '../../local/dynamo';
import { createDocumentClient } from '../../lib/aws/clients';
import { resetConfig } from '../../lib/config';
import type { TableNames } from '../../lib/store/schema';

export const TABLES: TableNames = {
  requests: 'test-requests',
  inventory: 'test-inventory',
  state: 'test-state',
};

/**
 * Starts dynalite for the calling test file and points the unchanged SDK clients at it
 * through AWS_ENDPOINT_URL_DYNAMODB, the way local runs do.
 */
export function useDynamo(): { endpoint: () => string; client: () => ReturnType<typeof createDocumentClient> } {
  let dynamo: EmbeddedDynamo | undefined;
  let client: ReturnType<typeof createDocumentClient> | undefined;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureTables(dynamo.endpoint, TABLES);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.REQUESTS_TABLE = TABLES.requests;
    process.env.INVENTORY_TABLE = TABLES.inventory;
    process.env.STATE_TABLE = TABLES.state;
    resetConfig();
    client = createDocumentClient({ region: 'us-east-1', maxAttempts: 2 });
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });
  return {
    endpoint: () => dynamo!.endpoint,
    client: () => client!,
  };
}
