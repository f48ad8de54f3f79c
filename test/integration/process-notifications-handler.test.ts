import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/process-notifications';
import { createHandler as createLogsHandler } from '../../functions/process-logs';
import { loadConfig, resetConfig } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import { asyncNotification, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, snsLambdaEvent, sqsEvent, subscriptionRecords, topicArn } from '../../local/builders';
import { captureEmf, dimensionSetsOf, metricSum } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

useDynamo();
let run = 0;
const store = () => requestStoreFromConfig(loadConfig());

beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  resetConfig();
});

function completed(id: string, endpointName: string, latencyMs = 2300) {
  return asyncNotification({
    inferenceId: id,
    endpointName,
    status: 'Completed',
    receivedTime: '2024-05-01T12:00:00.000Z',
    eventTime: new Date(Date.UTC(2024, 4, 1, 12) + latencyMs).toISOString(),
  });
}

function failed(id: string, endpointName: string, failureReason: string) {
  return asyncNotification({
    inferenceId: id,
    endpointName,
    status: 'Failed',
    receivedTime: '2024-05-01T12:00:00.000Z',
    eventTime: '2024-05-01T12:00:09.000Z',
    failureReason,
  });
}

describe('processNotifications handler', () => {
  it('correlates notifications from SNS envelopes and raw deliveries and emits derived metrics once', async () => {
    const endpoint = `churn-${run}`;
    const ok = completed(`ok-${run}`, endpoint);
    const bad = failed(`bad-${run}`, endpoint, 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs.');
    const event = sqsEvent([
      { body: JSON.stringify(snsEnvelope(ok, { topicArn: topicArn(endpoint, 'Completed') })), messageId: 'm1' },
      { body: JSON.stringify(bad), messageId: 'm2' },
    ]);
    const handler = createHandler();
    const first = await captureEmf(() => handler(event));
    expect(first.result).toEqual({ batchItemFailures: [] });
    expect(metricSum(first.emf, 'RequestsCompleted', { EndpointName: endpoint })).toBe(1);
    expect(metricSum(first.emf, 'EndToEndLatency', { EndpointName: endpoint })).toBe(2300);
    expect(metricSum(first.emf, 'RequestsFailed', { EndpointName: endpoint, FailureCategory: 'ServerError' })).toBe(1);
    expect(dimensionSetsOf(first.emf, 'RequestsFailed').sort()).toEqual([['EndpointName'], ['EndpointName', 'FailureCategory']]);

    // SQS redelivers the same batch: nothing is counted twice.
    const second = await captureEmf(() => handler(event));
    expect(metricSum(second.emf, 'RequestsCompleted')).toBe(0);
    expect(metricSum(second.emf, 'RequestsFailed')).toBe(0);
    expect(metricSum(second.emf, 'NotificationsDuplicate')).toBe(2);

    const [okRecord] = await store().getByInferenceId(`ok-${run}`);
    expect(okRecord).toMatchObject({ status: 'Completed', endToEndLatencyMs: 2300, outputLocation: `s3://ml-outputs/${endpoint}/ok-${run}.out` });
    const [badRecord] = await store().getByInferenceId(`bad-${run}`);
    expect(badRecord).toMatchObject({ status: 'Failed', failureCategory: 'ServerError', failureStatusCode: 500 });
  });

  it('completes a record that the logs opened, in either order', async () => {
    const endpoint = `both-${run}`;
    const id = `both-${run}`;
    const T0 = Date.UTC(2024, 4, 1, 12, 0, 1);
    const logs = kinesisEvent(subscriptionRecords([dataMessage({ endpointName: endpoint, events: [logEvent(T0, dataLogMessage(T0, id, 'Received server error (503) from primary'))] })]));
    await captureEmf(() => createLogsHandler()(logs));
    await captureEmf(() => createHandler()(snsLambdaEvent(failed(id, endpoint, 'ClientError: Received server error (503) from model.'))));
    const [record] = await store().getByInferenceId(id);
    expect(record).toMatchObject({
      status: 'Failed',
      sources: ['logs', 'notification'],
      logStatusCode: 503,
      failureStatusCode: 503,
      requestTime: '2024-05-01T12:00:00.000Z',
    });
  });

  it('sets malformed messages aside and reports only retryable failures', async () => {
    const event = sqsEvent([
      { body: '{oops', messageId: 'junk-1' },
      { body: JSON.stringify(snsEnvelope({ invocationStatus: 'Completed', requestParameters: { endpointName: 'x' } })), messageId: 'junk-2' },
      { body: JSON.stringify({ Type: 'SubscriptionConfirmation', TopicArn: 't', Message: 'confirm' }), messageId: 'hello' },
    ]);
    const { result, emf } = await captureEmf(() => createHandler()(event));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(metricSum(emf, 'NotificationsMalformed', { Reason: 'bad_json' })).toBe(1);
    expect(metricSum(emf, 'NotificationsMalformed', { Reason: 'missing_inference_id' })).toBe(1);
    expect(metricSum(emf, 'NotificationsIgnored')).toBe(1);

    process.env.REQUESTS_TABLE = 'missing-table';
    resetConfig();
    const retry = await captureEmf(() =>
      createHandler()(
        sqsEvent([
          { body: JSON.stringify(completed(`r-${run}`, 'e')), messageId: 'keep-me' },
          { body: 'junk', messageId: 'drop-me' },
        ]),
      ),
    );
    expect(retry.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'keep-me' }] });
  });

  it('throws for an SNS event whose write failed, so Lambda retries it', async () => {
    process.env.REQUESTS_TABLE = 'missing-table';
    resetConfig();
    await expect(captureEmf(() => createHandler()(snsLambdaEvent(completed(`s-${run}`, 'e'))))).rejects.toThrow(/retried/);
  });
});
