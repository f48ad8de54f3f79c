/**
 * DynamoDB requests per async request on the real code path: the RequestStore with the
 * deployed client construction, against dynalite, fed by the log and notification pipelines.
 * Every HTTP request the client sends is counted by operation.
 */
import { parseConfig } from '../lib/config';
import { processLogRecords } from '../lib/correlate/process-logs';
import { processNotifications } from '../lib/correlate/process-notifications';
import { RequestMerges } from '../lib/correlate/request-merges';
import { createDocumentClient } from '../lib/aws/clients';
import { notificationInputsFromEvent } from '../lib/notifications/event';
import { requestStoreFromConfig } from '../lib/store';
import type { RequestStore } from '../lib/store/requests';
import { ensureTables, startDynamo } from '../local/dynamo';
import { countRequests, trackCapacity, writesAndReads } from './sinks';
import { trackWriteUnits, type WriteUnits } from './capacity';
import { requestsTable } from '../lib/store/schema';
import { logWorkload, notificationEvents, type BenchRequest } from './workload';

/** DynamoDB's item size: attribute names and values, in whole KB as write units count them. */
async function recordSizes(store: RequestStore, requests: readonly BenchRequest[]): Promise<{ median: number; max: number }> {
  const sizes: number[] = [];
  for (const request of requests.slice(0, 200)) {
    for (const record of await store.getByInferenceId(request.inferenceId)) {
      sizes.push(Math.ceil(Buffer.byteLength(JSON.stringify(record)) / 1024));
    }
  }
  sizes.sort((a, b) => a - b);
  return { median: sizes[sizes.length >> 1] ?? 0, max: sizes[sizes.length - 1] ?? 0 };
}

export interface StoreResult {
  requests: number;
  logLines: number;
  writesPerRequest: number;
  readsPerRequest: number;
  /** The same log batch delivered a second time (Kinesis retries do this). */
  redelivery: { writesPerRequest: number; readsPerRequest: number };
  operations: Record<string, number>;
  /** Table write capacity units per request as dynalite sizes items (no GSI writes). */
  tableWriteUnitsPerRequest: number;
  /** Write request units per request, table and each GSI, by DynamoDB's rules (bench/capacity.ts). */
  writeUnits: { table: number; indexes: Record<string, number>; total: number; largeItemShare: number };
  /** Size of the finished records, in DynamoDB's item-size units (KB, rounded up). */
  itemKb: { median: number; max: number };
}

/**
 * Half of the requests' notifications arrive before their log lines and half after, as they
 * race in production; every request's lines sit in the one Kinesis batch, some across records.
 */
export async function measureStore(options: { batchBytes: number; seed?: number }): Promise<StoreResult> {
  const dynamo = await startDynamo();
  const previousEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  try {
    const config = parseConfig({ AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' });
    const tableNames = {
      requests: config.requestsTable,
      requestsByEndpointIndex: config.requestsByEndpointIndex,
      inventory: config.inventoryTable,
      state: config.stateTable,
    };
    await ensureTables(dynamo.endpoint, tableNames, config.region);
    // The SDK reads the endpoint from the environment, as it does in local runs.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    const client = createDocumentClient({ region: config.region });
    const counts = countRequests(client);
    const capacity = trackCapacity(client);
    const indexes = Object.fromEntries(
      (requestsTable(tableNames).GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName!, index.KeySchema!.map((k) => k.AttributeName!)]),
    );
    const units: WriteUnits = trackWriteUnits(client, config.requestsTable, indexes);
    const store = requestStoreFromConfig(config, client);
    const merges = new RequestMerges(store);

    // Records of about 5 KB, as a busy log stream delivers them: requests span records.
    const maxRecords = Math.max(1, Math.min(500, Math.round(options.batchBytes / 5_000)));
    const workload = logWorkload({ targetBytes: options.batchBytes, maxRecords, seed: options.seed ?? 21, flushOpenRequests: true });
    const sqsEvents = notificationEvents(workload.requests);
    const early = sqsEvents.filter((_, i) => i % 2 === 0);
    const late = sqsEvents.filter((_, i) => i % 2 === 1);
    const notify = async (events: typeof sqsEvents) => {
      for (const event of events) {
        const outcome = await processNotifications(notificationInputsFromEvent(event).inputs, { store: merges });
        if (outcome.failedIds.size > 0) throw new Error('bench: a notification write failed against dynalite');
      }
    };

    await notify(early);
    const logs = await processLogRecords(workload.records, { store: merges });
    if (logs.failedIds.size > 0) throw new Error('bench: a log merge failed against dynalite');
    await notify(late);
    const first = writesAndReads(counts);
    const operations = Object.fromEntries(counts);
    const writeUnits = capacity.writeUnits;
    const estimated = {
      table: units.table / workload.requests.length,
      indexes: Object.fromEntries(Object.entries(units.indexes).map(([name, n]) => [name, n / workload.requests.length])),
      total: (units.table + Object.values(units.indexes).reduce((a, b) => a + b, 0)) / workload.requests.length,
      largeItemShare: units.largeItemWrites / Math.max(1, units.writes),
    };
    const itemKb = await recordSizes(store, workload.requests);

    counts.clear();
    await processLogRecords(workload.records, { store: merges });
    const again = writesAndReads(counts);

    client.destroy();
    const requests = workload.requests.length;
    return {
      requests,
      logLines: workload.dataLogLines,
      writesPerRequest: first.writes / requests,
      readsPerRequest: first.reads / requests,
      redelivery: { writesPerRequest: again.writes / requests, readsPerRequest: again.reads / requests },
      operations,
      tableWriteUnitsPerRequest: writeUnits / requests,
      writeUnits: estimated,
      itemKb,
    };
  } finally {
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = previousEndpoint;
    await dynamo.close();
  }
}
