import { getAtt, ref, type Cfn, type PolicyStatement } from './cfn';
import { MANAGED_TAGS, type StackNames } from './names';
import { param } from './params';

/**
 * Where the stack's managed services write their own errors, so a sick piece says why:
 * the state machines (ERROR level: failed states, caught errors, task failures) and the metric
 * delivery stream (records Firehose could not write to S3). Both log groups keep
 * `logRetentionDays`, like the functions' own.
 */

const allow = (Action: string[], Resource: unknown): PolicyStatement => ({ Effect: 'Allow', Action, Resource });

/** `/aws/vendedlogs/` is the prefix AWS recommends for vended logs: it keeps the account's log resource policy small. */
export const stateMachineLogGroupName = (names: StackNames, label: string): string => `/aws/vendedlogs/states/${names.prefix}-${label}`;
export const stateMachineLogGroupId = (logicalId: string): string => `${logicalId}LogGroup`;

export const METRICS_DELIVERY_LOG_GROUP = 'MetricsDeliveryLogGroup';
export const metricsDeliveryLogGroupName = (names: StackNames): string => `/aws/kinesisfirehose/${names.prefix}-metrics`;
export const METRICS_DELIVERY_LOG_STREAM = 'MetricsDeliveryLogStream';
/** The stream name Firehose documents for errors of the S3 destination. */
const DELIVERY_STREAM_NAME = 'DestinationDelivery';

export function stateMachineLogGroup(names: StackNames, label: string): Cfn {
  return {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: stateMachineLogGroupName(names, label), RetentionInDays: param('logRetentionDays'), Tags: MANAGED_TAGS },
  };
}

/** The state machine's `LoggingConfiguration`: errors only, without execution data (inputs may hold request payload names). */
export function stateMachineLogging(logicalId: string): Cfn {
  return {
    Level: 'ERROR',
    IncludeExecutionData: false,
    Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(stateMachineLogGroupId(logicalId), 'Arn') } }],
  };
}

/**
 * What a state machine's role needs to deliver its logs: the vended-logs delivery APIs, which
 * the Step Functions developer guide ("IAM policies for logging to CloudWatch Logs") grants on
 * "*" because they have no resource types.
 */
export function stateMachineLoggingStatement(): PolicyStatement {
  return allow(
    [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    '*',
  );
}

export function metricsDeliveryLogResources(names: StackNames): Cfn {
  return {
    [METRICS_DELIVERY_LOG_GROUP]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: metricsDeliveryLogGroupName(names), RetentionInDays: param('logRetentionDays'), Tags: MANAGED_TAGS },
    },
    [METRICS_DELIVERY_LOG_STREAM]: {
      Type: 'AWS::Logs::LogStream',
      Properties: { LogGroupName: ref(METRICS_DELIVERY_LOG_GROUP), LogStreamName: DELIVERY_STREAM_NAME },
    },
  };
}

/** The S3 destination's `CloudWatchLoggingOptions`. */
export function metricsDeliveryLogging(): Cfn {
  return { Enabled: true, LogGroupName: ref(METRICS_DELIVERY_LOG_GROUP), LogStreamName: ref(METRICS_DELIVERY_LOG_STREAM) };
}

/** Firehose writes its error log with the delivery role (the group's Arn ends in `:*`: its streams). */
export function metricsDeliveryLoggingStatement(): PolicyStatement {
  return allow(['logs:PutLogEvents'], getAtt(METRICS_DELIVERY_LOG_GROUP, 'Arn'));
}
