import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestRecord, RequestStatus } from '../requests/record';
import { toRecord, type DocumentSender } from './requests-item';

export interface EndpointQuery {
  endpointName: string;
  /** Inclusive ISO-8601 bounds on requestTime. */
  from?: string;
  to?: string;
  status?: RequestStatus;
  limit?: number;
}

/** Reads of request records: by inference id (the table) and by endpoint and time (the byEndpoint index). */
export class RequestQueries {
  constructor(
    private readonly client: DocumentSender,
    private readonly tableName: string,
    private readonly byEndpointIndex: string,
  ) {}

  /** Every record with this inference id (one per endpoint that saw it; usually one). */
  async byInferenceId(inferenceId: string): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'inferenceId = :id',
          ExpressionAttributeValues: { ':id': inferenceId },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) records.push(toRecord(item));
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** Records of one endpoint, newest first, optionally within a time range and of one status. */
  async byEndpoint(query: EndpointQuery): Promise<RequestRecord[]> {
    const limit = query.limit ?? 50;
    const values: Record<string, unknown> = { ':ep': query.endpointName };
    let keyCondition = 'endpointName = :ep';
    if (query.from !== undefined || query.to !== undefined) {
      values[':from'] = query.from ?? '0000';
      values[':to'] = query.to ?? '9999';
      keyCondition += ' AND requestTime BETWEEN :from AND :to';
    }
    const names: Record<string, string> = {};
    let filter: string | undefined;
    if (query.status) {
      names['#status'] = 'status';
      values[':status'] = query.status;
      filter = '#status = :status';
    }
    const records: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = (await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: this.byEndpointIndex,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeValues: values,
          ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
          ScanIndexForward: false,
          // Filtered pages can come back short; read generously and stop at the limit.
          Limit: filter ? Math.max(limit * 4, 100) : limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      for (const item of output.Items ?? []) {
        records.push(toRecord(item));
        if (records.length >= limit) return records;
      }
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }
}
