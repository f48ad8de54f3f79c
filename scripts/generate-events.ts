/**
 * Writes the sample events in events/: our own values, in AWS's formats, built with the same
 * builders as the simulator. Run with `node bin/run-ts.js scripts/generate-events.ts`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncNotification, controlMessage, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, snsLambdaEvent, sqsEvent, subscriptionRecords, topicArn } from '../local/builders';

const ENDPOINT = 'fraud-detector-async';
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const ids = {
  ok: '3f1c9a52-7be4-4d61-9c3e-0f2a8b6d4e17',
  server: '8d2e4b71-1a9f-4c35-b6e0-57c3d9a2f804',
  header: 'c47a0e95-5d2b-4f18-8e6c-1b9f3a7d2c60',
  expired: 'e9b35c08-2f7d-4a46-91c2-6d0e8f4b1a73',
};
const html = [
  'Received server error (500) from primary with message "<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">',
  '<title>500 Internal Server Error</title>',
  '<h1>Internal Server Error</h1>',
  '<p>The server encountered an internal error and was unable to complete your request.</p>',
  '". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/fraud-detector-async in account 123456789012 for more information.',
].join('\n');

const logs = kinesisEvent(
  subscriptionRecords([
    controlMessage(),
    dataMessage({
      endpointName: ENDPOINT,
      logStream: 'AllTraffic/i-0f3c2a1b9d8e7f605/data-log',
      events: [
        logEvent(T0 + 1_200, dataLogMessage(T0 + 1_200, ids.server, html)),
        logEvent(T0 + 2_400, dataLogMessage(T0 + 2_400, ids.header, 'The response from container primary did not specify the required Content-Length header')),
      ],
    }),
    // The model container's own stream in the same log group: not request lines.
    dataMessage({
      endpointName: ENDPOINT,
      logStream: 'AllTraffic/i-0f3c2a1b9d8e7f605',
      events: [logEvent(T0 + 900, '2024-05-01 12:00:00,900 [INFO ] W-9000-model_1 - Backend worker process started')],
    }),
  ]),
);

const notifications = sqsEvent([
  {
    messageId: '6a0c3e51-9f2b-4d87-a1c4-3b5e7d9f0a21',
    body: JSON.stringify(
      snsEnvelope(
        asyncNotification({
          inferenceId: ids.ok,
          endpointName: ENDPOINT,
          status: 'Completed',
          receivedTime: '2024-05-01T12:00:00.250Z',
          eventTime: '2024-05-01T12:00:03.870Z',
        }),
        { topicArn: topicArn(ENDPOINT, 'Completed'), messageId: '0b4e7a91-2c3d-5e6f-8a9b-1c2d3e4f5a6b' },
      ),
    ),
  },
  {
    // Raw message delivery: the body is the notification itself.
    messageId: '7b1d4f62-0a3c-4e98-b2d5-4c6f8e0a1b32',
    body: JSON.stringify(
      asyncNotification({
        inferenceId: ids.server,
        endpointName: ENDPOINT,
        status: 'Failed',
        receivedTime: '2024-05-01T12:00:00.700Z',
        eventTime: '2024-05-01T12:00:01.400Z',
        failureReason: 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.',
        failureLocation: `s3://fraud-ml-async/failures/${ids.server}-error.out`,
      }),
    ),
  },
]);

const expired = snsLambdaEvent(
  asyncNotification({
    inferenceId: ids.expired,
    endpointName: ENDPOINT,
    status: 'Failed',
    receivedTime: '2024-05-01T06:00:00.000Z',
    eventTime: '2024-05-01T12:00:00.000Z',
    failureReason: `ClientError: Request ${ids.expired} has expired`,
  }),
  { topicArn: topicArn(ENDPOINT, 'Failed'), messageId: '9c2e5a73-1b4d-4f0a-8c3e-5d7f9a1b2c43' },
);

const dir = resolve(import.meta.dirname, '..', 'events');
const files: Record<string, unknown> = {
  'process-logs.kinesis.json': logs,
  'process-notifications.sqs.json': notifications,
  'process-notifications.sns.json': expired,
};
for (const [name, value] of Object.entries(files)) {
  writeFileSync(resolve(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote events/${name}`);
}
