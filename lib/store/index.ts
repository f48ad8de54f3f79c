import type { Config } from '../config';
import { createStoreClient } from '../aws/clients';
import { RequestStore, type DocumentSender } from './requests';

export function requestStoreFromConfig(config: Config, client?: DocumentSender): RequestStore {
  return new RequestStore(client ?? createStoreClient({ region: config.region }), {
    tableName: config.requestsTable,
    stateTable: config.stateTable,
    retentionDays: config.retentionDays,
    maxLogLines: config.maxLogLinesPerRequest,
    maxLogLineChars: config.maxLogLineChars,
  });
}
