import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * Table layouts, shared by the deployed template (serverless.ts) and the embedded store of
 * local runs, so both always agree on keys and indexes.
 */
export interface TableNames {
  requests: string;
  inventory: string;
  state: string;
}

export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * No secondary index: each endpoint's requests by time are listed in the state table, a few
 * bytes per request per batch (lib/store/requests-by-endpoint.ts), where an index entry would
 * bill a write unit per request.
 */
export function requestsTable(names: TableNames): CreateTableCommandInput {
  return stringKeyTable(names.requests, 'inferenceId', 'endpointName');
}

/** Inventory of what sagewatch attached to each resource: pk = resource key, sk = attachment. */
export function inventoryTable(names: TableNames): CreateTableCommandInput {
  return pkSkTable(names.inventory);
}

/** Alert dedupe, detector windows, open-request lists, endpoint listings and other small state with a TTL: pk/sk, generic. */
export function stateTable(names: TableNames): CreateTableCommandInput {
  return pkSkTable(names.state);
}

/** A table of string pk/sk keys whose items say what they are in the keys themselves. */
function pkSkTable(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, 'pk', 'sk');
}

/** On demand, keyed by two string attributes and nothing else (no index: see requestsTable). */
function stringKeyTable(tableName: string, hash: string, range: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: hash, AttributeType: 'S' },
      { AttributeName: range, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ],
  };
}

export function allTables(names: TableNames): CreateTableCommandInput[] {
  return [requestsTable(names), inventoryTable(names), stateTable(names)];
}
