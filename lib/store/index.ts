import type { Config } from '../config';
import { createStoreClient } from '../aws/clients';
import { NotificationRequests } from './notification-requests';
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

/** The requests table as processNotifications uses it (no log merge, no open lists). */
export function notificationRequestsFromConfig(config: Config, client?: DocumentSender): NotificationRequests {
  return new NotificationRequests(client ?? createStoreClient({ region: config.region }), {
    tableName: config.requestsTable,
    stateTable: config.stateTable,
    retentionDays: config.retentionDays,
  });
}
