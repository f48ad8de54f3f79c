import { functionRole, getAtt, ref, serviceRole, sub, type Cfn } from './cfn';
import { requestsTable, TTL_ATTRIBUTE } from '../lib/store/schema';
import { stackNames } from './names';
import { publishAlertsStatements } from './alerts';

/** Where the data path parks work that failed after its retries: each gets a depth alarm. */
export const DATA_PATH_DEAD_LETTER_QUEUES = [
  { logicalId: 'ProcessLogsFailuresQueue', label: 'process-logs-failures' },
  { logicalId: 'NotificationsDeadLetterQueue', label: 'notifications-dlq' },
];
/** Queues whose consumer must keep up. */
export const DATA_PATH_WORK_QUEUES = [{ logicalId: 'NotificationsQueue', label: 'notifications' }];
/** Function keys fed by the logs stream. */
export const DATA_PATH_STREAM_CONSUMERS = ['processLogs'];
export const LOGS_STREAM = 'LogsStream';

/**
 * The async request data path: the Kinesis stream that endpoint log groups are subscribed to,
 * the SQS queue the async SNS topics deliver to, the requests table, and the two processors'
 * event sources with partial batch responses, bisection and failure destinations.
 */
export function dataPathResources(names: { service: string; stage: string }): Cfn {
  const { prefix, tables } = stackNames(names.service, names.stage);
  const table = requestsTable(tables);
  const tags = [{ Key: 'sagewatch:managed', Value: 'true' }];
  return {
    LogsStream: {
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: `${prefix}-logs`,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 48,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        Tags: tags,
      },
    },
    // CloudWatch Logs assumes this role to deliver subscription data to the stream.
    LogsToKinesisRole: serviceRole({
      service: 'logs.amazonaws.com',
      condition: { StringLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*') } },
      policyName: 'put-records',
      statements: [{ Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: getAtt('LogsStream', 'Arn') }],
      tags,
    }),
    // Kinesis batches that still fail after retries and bisection land here (metadata: shard and sequence range).
    ProcessLogsFailuresQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${prefix}-process-logs-failures`, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, Tags: tags },
    },
    NotificationsDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${prefix}-notifications-dlq`, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, Tags: tags },
    },
    NotificationsQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${prefix}-notifications`,
        // Six times the function timeout, as Lambda recommends for SQS event sources.
        VisibilityTimeout: 360,
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: getAtt('NotificationsDeadLetterQueue', 'Arn'), maxReceiveCount: 5 },
        Tags: tags,
      },
    },
    // The async endpoints' success/error topics (any topic of this account) may deliver here.
    NotificationsQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref('NotificationsQueue')],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: getAtt('NotificationsQueue', 'Arn'),
              Condition: { ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*') } },
            },
          ],
        },
      },
    },
    RequestsTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ...table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        Tags: tags,
      },
    },
    ProcessLogsRole: functionRole(`${prefix}-processLogs`, [
      {
        Effect: 'Allow',
        Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        Resource: getAtt('LogsStream', 'Arn'),
      },
      { Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: getAtt('RequestsTable', 'Arn') },
      // Each batch's lists: the requests it opened, for the stuck sweeper, and each endpoint's requests by time.
      { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: getAtt('StateTable', 'Arn') },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: getAtt('ProcessLogsFailuresQueue', 'Arn') },
    ]),
    ProcessNotificationsRole: functionRole(`${prefix}-processNotifications`, [
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        Resource: getAtt('NotificationsQueue', 'Arn'),
      },
      { Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: getAtt('RequestsTable', 'Arn') },
      // The batch's endpoint listings, and the request-level detectors: windows and alert dedupe
      // in the state table, recent requests of an endpoint through its listing, alerts to the topic.
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: getAtt('StateTable', 'Arn'),
      },
      // The listing holds keys and times only: sample records are read back from the table.
      { Effect: 'Allow', Action: ['dynamodb:BatchGetItem'], Resource: getAtt('RequestsTable', 'Arn') },
      ...publishAlertsStatements(),
    ]),
  };
}
