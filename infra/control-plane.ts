// Over 300 lines on purpose: what the control-plane workflows need (their roles, the metric
// delivery stream, the Slack failures queue, the state machines), declared together so IAM and targets match.
import { readFileSync } from 'node:fs';
import { publishAlertsStatements, slackSecretStatements } from './alerts';
import { functionRole, getAtt, ref, serviceRole, sub, type Cfn, type PolicyStatement } from './cfn';
import { LOGS_STREAM } from './data-path';
import { protectHealthStatement } from './monitoring';
import { MANAGED_TAGS, lambdaFunctionName, lambdaLogicalId, type StackNames } from './names';
import { param } from './params';
import {
  metricsDeliveryLogResources,
  metricsDeliveryLogging,
  metricsDeliveryLoggingStatement,
  stateMachineLogGroup,
  stateMachineLogGroupId,
  stateMachineLogging,
  stateMachineLoggingStatement,
} from './service-logs';

/**
 * The control plane (attach / reconcile state machines and their task functions), the alert
 * consumers, the request sweeper and the metric-stream delivery: every role holds exactly the
 * calls its handler makes (functions/*.ts headers, lib/attach/aws-gateway.ts,
 * lib/sagemaker/describe.ts, lib/store/*.ts), on ARNs of this account and region.
 */

export const METRICS_BUCKET = 'MetricsBucket';
export const METRICS_DELIVERY_STREAM = 'MetricsDeliveryStream';
export const METRICS_DELIVERY_ROLE = 'MetricsDeliveryRole';
export const METRIC_STREAM_ROLE = 'MetricStreamRole';
export const NOTIFY_SLACK_FAILURES_QUEUE = 'NotifySlackFailuresQueue';

/** Logical id of the role of a function key: `convergeResource` → `ConvergeResourceRole`. */
export const roleId = (functionKey: string): string => `${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}Role`;

const arn = (rest: string) => sub(`arn:\${AWS::Partition}:${rest}`);
const regional = (service: string, rest: string) => arn(`${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`);
const allow = (Action: string[], Resource: unknown, Condition?: Cfn): PolicyStatement => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });

/**
 * Each SageMaker describe on the one resource type it takes (Service Authorization Reference):
 * `sagemaker:DescribeTrainingJob` on `training-job/*`, never on endpoints or models.
 * Pipeline executions are `pipeline/<name>/execution/<id>`.
 */
const DESCRIBES = {
  'sagemaker:DescribeEndpoint': 'endpoint/*',
  'sagemaker:DescribeEndpointConfig': 'endpoint-config/*',
  'sagemaker:DescribeModel': 'model/*',
  'sagemaker:DescribeInferenceComponent': 'inference-component/*',
  'sagemaker:DescribeTrainingJob': 'training-job/*',
  'sagemaker:DescribeProcessingJob': 'processing-job/*',
  'sagemaker:DescribeTransformJob': 'transform-job/*',
  'sagemaker:DescribeHyperParameterTuningJob': 'hyper-parameter-tuning-job/*',
  'sagemaker:DescribeLabelingJob': 'labeling-job/*',
  'sagemaker:DescribePipelineExecution': 'pipeline/*/execution/*',
} as const;
type Describe = keyof typeof DESCRIBES;

const describeGrants = (actions: Describe[]): PolicyStatement[] => actions.map((action) => allow([action], regional('sagemaker', DESCRIBES[action])));

/** The one-call probes of find-orphans (`probeResource`): endpoints and jobs only. */
const PROBE_ACTIONS: Describe[] = [
  'sagemaker:DescribeEndpoint',
  'sagemaker:DescribeTrainingJob',
  'sagemaker:DescribeProcessingJob',
  'sagemaker:DescribeTransformJob',
  'sagemaker:DescribeHyperParameterTuningJob',
  'sagemaker:DescribeLabelingJob',
  'sagemaker:DescribePipelineExecution',
];

/** ListTags of what describe tags: endpoints and jobs (pipeline executions take no tags). */
const TAGGED = ['endpoint/*', 'training-job/*', 'processing-job/*', 'transform-job/*', 'hyper-parameter-tuning-job/*', 'labeling-job/*'];

/** The log groups sagewatch subscribes: endpoints' and inference components' (lib/logs/source.ts). */
const SUBSCRIBED_LOG_GROUPS = ['log-group:/aws/sagemaker/Endpoints/*', 'log-group:/aws/sagemaker/InferenceComponents/*'].map((rest) => regional('logs', rest));

const table = (id: string) => getAtt(id, 'Arn');
const STATE_TABLE_ITEMS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

/** Every describe of lib/sagemaker/describe.ts (describeResource, and checkResources before it compares). */
function describeStatements(): PolicyStatement[] {
  return [
    ...describeGrants(Object.keys(DESCRIBES) as Describe[]),
    allow(
      ['sagemaker:ListTags'],
      TAGGED.map((rest) => regional('sagemaker', rest)),
    ),
    // No resource types in the Service Authorization Reference: "*" is all IAM accepts.
    allow(['sagemaker:ListInferenceComponents'], '*'),
  ];
}

/** The roles of the functions this module adds (processLogs/processNotifications live in data-path.ts). */
export function controlPlaneRoles(names: StackNames, slackWebhookSecret: string): Cfn {
  const alarms = regional('cloudwatch', `alarm:${names.ownedPrefix}*`);
  const streams = regional('cloudwatch', `metric-stream/${names.ownedPrefix}*`);
  const dashboards = arn(`cloudwatch::\${AWS::AccountId}:dashboard/${names.ownedPrefix}*`);
  const passRole = (role: string, service: string) => allow(['iam:PassRole'], getAtt(role, 'Arn'), { StringEquals: { 'iam:PassedToService': service } });
  // The account-wide API budget's token buckets (lib/store/api-budget.ts): read, then a conditional update.
  const apiBudgetStatement = allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], table('StateTable'));
  const role = (key: string, statements: PolicyStatement[]) => ({ [roleId(key)]: functionRole(lambdaFunctionName(names, key), statements) });

  return {
    ...role('notifySlack', [
      ...slackSecretStatements(slackWebhookSecret),
      // Lambda's on-failure destination is sent with the function's own role.
      allow(['sqs:SendMessage'], getAtt(NOTIFY_SLACK_FAILURES_QUEUE, 'Arn')),
    ]),
    ...role('sweepRequests', [
      // Open requests are found on processLogs' lists in the state table, read back, then marked.
      allow(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], table('RequestsTable')),
      allow(STATE_TABLE_ITEMS, table('StateTable')),
      ...publishAlertsStatements(),
    ]),
    ...role('describeResource', describeStatements()),
    // Describes like describeResource, then reads the resource's inventory record: reads only.
    // Describes like describeResource, then reads the resource's inventory record and, for an
    // open gap, the log group's filters or the topic: reads only.
    ...role('checkResources', [
      ...describeStatements(),
      allow(['dynamodb:Query'], table('InventoryTable')),
      allow(['logs:DescribeSubscriptionFilters'], SUBSCRIBED_LOG_GROUPS),
      allow(['sns:GetTopicAttributes'], regional('sns', '*')),
    ]),
    ...role('classifyResource', []),
    ...role('convergeResource', [
      allow(['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource'], alarms),
      allow(['cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'], dashboards),
      allow(['cloudwatch:PutMetricStream', 'cloudwatch:DeleteMetricStream', 'cloudwatch:TagResource'], streams),
      // Job outcome and duration metrics, in sagewatch's namespace only.
      allow(['cloudwatch:PutMetricData'], '*', { StringEquals: { 'cloudwatch:namespace': param('metricsNamespace') } }),
      allow(['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter'], SUBSCRIBED_LOG_GROUPS),
      passRole('LogsToKinesisRole', 'logs.amazonaws.com'),
      passRole(METRIC_STREAM_ROLE, 'streams.metrics.cloudwatch.amazonaws.com'),
      // The async endpoints' success/error topics are the users' and may have any name; what
      // may be subscribed is held to sagewatch's notifications queue over SQS.
      allow(['sns:Subscribe'], regional('sns', '*'), {
        StringEquals: { 'sns:Protocol': 'sqs', 'sns:Endpoint': getAtt('NotificationsQueue', 'Arn') },
      }),
      // SNS defines no condition key for Unsubscribe (nor a resource narrower than the topic's
      // subscriptions, which have any name): held to this account and Region here, and the code
      // unsubscribes only what the inventory recorded, after GetSubscriptionAttributes shows it
      // delivers to this stack's notifications queue. GetTopicAttributes: is a missing topic back?
      allow(['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:GetTopicAttributes'], regional('sns', '*')),
      ...publishAlertsStatements(),
      allow(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], table('InventoryTable')),
      apiBudgetStatement,
      protectHealthStatement(names),
    ]),
    ...role('reportProblems', publishAlertsStatements()),
    // The List* calls of the backfill have no resource types, except ListPipelineExecutions,
    // which lists one pipeline's executions and takes the `pipeline` resource type.
    ...role('listResources', [
      allow(
        [
          'sagemaker:ListEndpoints',
          'sagemaker:ListTrainingJobs',
          'sagemaker:ListProcessingJobs',
          'sagemaker:ListTransformJobs',
          'sagemaker:ListHyperParameterTuningJobs',
          'sagemaker:ListLabelingJobs',
          'sagemaker:ListPipelines',
        ],
        '*',
      ),
      allow(['sagemaker:ListPipelineExecutions'], regional('sagemaker', 'pipeline/*')),
    ]),
    ...role('findOrphans', [allow(['dynamodb:Scan'], table('InventoryTable')), ...describeGrants(PROBE_ACTIONS)]),
    ...role('sweepMetricStreams', [
      // No resource types in the Service Authorization Reference.
      allow(['cloudwatch:ListMetricStreams'], '*'),
      allow(['cloudwatch:PutMetricStream', 'cloudwatch:DeleteMetricStream', 'cloudwatch:TagResource'], streams),
      passRole(METRIC_STREAM_ROLE, 'streams.metrics.cloudwatch.amazonaws.com'),
      allow(['dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], table('InventoryTable')),
      apiBudgetStatement,
      protectHealthStatement(names),
    ]),
  };
}

/** Where converging points attachments: the env of convergeResource and sweepMetricStreams. */
export function attachmentTargets(): Record<string, unknown> {
  return {
    LOG_DESTINATION_ARN: getAtt(LOGS_STREAM, 'Arn'),
    LOG_SUBSCRIPTION_ROLE_ARN: getAtt('LogsToKinesisRole', 'Arn'),
    METRIC_STREAM_FIREHOSE_ARN: getAtt(METRICS_DELIVERY_STREAM, 'Arn'),
    METRIC_STREAM_ROLE_ARN: getAtt(METRIC_STREAM_ROLE, 'Arn'),
    NOTIFICATIONS_QUEUE_ARN: getAtt('NotificationsQueue', 'Arn'),
  };
}

/**
 * Metric streams → one Firehose delivery stream → an S3 bucket of the stack, partitioned by
 * date, so the metrics outlive CloudWatch's retention.
 */
export function metricDeliveryResources(names: StackNames): Cfn {
  return {
    ...metricsDeliveryLogResources(names),
    [METRICS_BUCKET]: {
      Type: 'AWS::S3::Bucket',
      // Metric history is data a user may still want after `osls remove`, as the requests table.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'age-out-metrics',
              Status: 'Enabled',
              // Two years: beyond CloudWatch's 15 months, then gone.
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
              ExpirationInDays: 730,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        Tags: MANAGED_TAGS,
      },
    },
    MetricsBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(METRICS_BUCKET),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [getAtt(METRICS_BUCKET, 'Arn'), sub(`\${${METRICS_BUCKET}.Arn}/*`)],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
    // Firehose assumes it to write the bucket (AWS's documented S3 destination permissions).
    [METRICS_DELIVERY_ROLE]: serviceRole({
      service: 'firehose.amazonaws.com',
      condition: { StringEquals: { 'sts:ExternalId': ref('AWS::AccountId') } },
      policyName: 'write-bucket',
      statements: [
        allow(
          ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
          [getAtt(METRICS_BUCKET, 'Arn'), sub(`\${${METRICS_BUCKET}.Arn}/*`)],
        ),
        metricsDeliveryLoggingStatement(),
      ],
      tags: MANAGED_TAGS,
    }),
    [METRICS_DELIVERY_STREAM]: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: `${names.prefix}-metrics`,
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: {
          BucketARN: getAtt(METRICS_BUCKET, 'Arn'),
          RoleARN: getAtt(METRICS_DELIVERY_ROLE, 'Arn'),
          Prefix: 'metrics/!{timestamp:yyyy/MM/dd}/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
          BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
          CompressionFormat: 'GZIP',
          // Records it could not write land under errors/; why is in this log, and a health alarm watches the failures.
          CloudWatchLoggingOptions: metricsDeliveryLogging(),
        },
        Tags: MANAGED_TAGS,
      },
    },
    // CloudWatch metric streams assume it to put records into the delivery stream.
    [METRIC_STREAM_ROLE]: serviceRole({
      service: 'streams.metrics.cloudwatch.amazonaws.com',
      condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
      policyName: 'put-records',
      statements: [allow(['firehose:PutRecord', 'firehose:PutRecordBatch'], getAtt(METRICS_DELIVERY_STREAM, 'Arn'))],
      tags: MANAGED_TAGS,
    }),
  };
}

/** Alerts that notify-slack could not deliver after Lambda's async retries. */
export function notifySlackFailureResources(names: StackNames): Cfn {
  return {
    [NOTIFY_SLACK_FAILURES_QUEUE]: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${names.prefix}-notify-slack-failures`, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, Tags: MANAGED_TAGS },
    },
  };
}

/** Placeholders of statemachines/*.asl.json → the function keys whose ARNs fill them. */
export const STATE_MACHINE_TASKS: Record<string, string> = {
  DescribeFunctionArn: 'describeResource',
  ClassifyFunctionArn: 'classifyResource',
  ConvergeFunctionArn: 'convergeResource',
  ReportFunctionArn: 'reportProblems',
  ListResourcesFunctionArn: 'listResources',
  CheckResourcesFunctionArn: 'checkResources',
  FindOrphansFunctionArn: 'findOrphans',
  SweepStreamsFunctionArn: 'sweepMetricStreams',
};

/** Placeholders that name another state machine of the stack: reconcile runs attach as a child. */
export const STATE_MACHINE_REFS: Record<string, string> = { AttachStateMachineArn: 'AttachStateMachine' };

export const STATE_MACHINES = [
  { logicalId: 'AttachStateMachine', label: 'attach', file: 'attach.asl.json' },
  { logicalId: 'ReconcileStateMachine', label: 'reconcile', file: 'reconcile.asl.json' },
] as const;

const labelOf = (logicalId: string) => STATE_MACHINES.find((machine) => machine.logicalId === logicalId)!.label;

/** `arn:<partition>:states:<region>:<account>:<type>:<name>`, built from names (a role cannot Ref its own machine). */
const statesArn = (type: 'stateMachine' | 'execution', rest: string) => regional('states', `${type}:${rest}`);

/**
 * What a machine that starts child executions needs beyond invoking its functions: start,
 * describe and stop the attach machine's executions (`.sync:2`), the managed rule Step Functions
 * uses to learn when they end, and, for its own Distributed Map, starting and watching its own
 * child executions (AWS's documented policies for both).
 */
function childExecutionStatements(names: StackNames, machineLabel: string, children: string[]): PolicyStatement[] {
  if (children.length === 0) return [];
  const self = `${names.prefix}-${machineLabel}`;
  return [
    allow(['states:StartExecution'], [...children.map(ref), statesArn('stateMachine', self)]),
    allow(['states:DescribeExecution', 'states:StopExecution'], [...children.map((id) => statesArn('execution', `${names.prefix}-${labelOf(id)}:*`)), statesArn('execution', `${self}/*`)]),
    allow(['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], regional('events', 'rule/StepFunctionsGetEventsForStepFunctionsExecutionRule')),
  ];
}

/**
 * The state machines, inline (validated offline, never an S3 location), each with its own role
 * that may invoke exactly the functions its definition names and start exactly the machines it names.
 */
export function stateMachineResources(names: StackNames): Cfn {
  const resources: Cfn = {};
  for (const machine of STATE_MACHINES) {
    const text = readFileSync(new URL(`../statemachines/${machine.file}`, import.meta.url), 'utf8');
    const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]!))].sort();
    const unknown = placeholders.filter((name) => !(name in STATE_MACHINE_TASKS) && !(name in STATE_MACHINE_REFS));
    if (unknown.length > 0) throw new Error(`statemachines/${machine.file}: no function or state machine for \${${unknown.join('}, ${')}}`);
    const functions = placeholders.filter((name) => name in STATE_MACHINE_TASKS).map((name) => lambdaLogicalId(STATE_MACHINE_TASKS[name]!));
    const children = placeholders.filter((name) => name in STATE_MACHINE_REFS).map((name) => STATE_MACHINE_REFS[name]!);
    const machineRole = `${machine.logicalId}Role`;
    resources[machineRole] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'states.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'invoke-tasks',
            PolicyDocument: {
              Version: '2012-10-17',
              // The unqualified ARN the definition names, and its versions and aliases.
              Statement: [
                allow(
                  ['lambda:InvokeFunction'],
                  functions.flatMap((id) => [getAtt(id, 'Arn'), sub(`\${${id}.Arn}:*`)]),
                ),
              ],
            },
          },
          { PolicyName: 'error-logs', PolicyDocument: { Version: '2012-10-17', Statement: [stateMachineLoggingStatement()] } },
          ...(children.length > 0 ? [{ PolicyName: 'child-executions', PolicyDocument: { Version: '2012-10-17', Statement: childExecutionStatements(names, machine.label, children) } }] : []),
        ],
        Tags: MANAGED_TAGS,
      },
    };
    resources[stateMachineLogGroupId(machine.logicalId)] = stateMachineLogGroup(names, machine.label);
    resources[machine.logicalId] = {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: `${names.prefix}-${machine.label}`,
        StateMachineType: 'STANDARD',
        RoleArn: getAtt(machineRole, 'Arn'),
        // Failed states and caught errors, so a failed-executions alarm can be explained.
        LoggingConfiguration: stateMachineLogging(machine.logicalId),
        // As text, not an inline `Definition` object: osls drops null values from the config,
        // and `"ResultPath": null` (discard a task's result) would silently become "replace
        // the state with it". The text reaches CloudFormation untouched.
        DefinitionString: JSON.stringify(JSON.parse(text)),
        DefinitionSubstitutions: Object.fromEntries(
          placeholders.map((name) => [name, name in STATE_MACHINE_REFS ? ref(STATE_MACHINE_REFS[name]!) : getAtt(lambdaLogicalId(STATE_MACHINE_TASKS[name]!), 'Arn')]),
        ),
        Tags: [{ Key: 'sagewatch:managed', Value: 'true' }],
      },
    };
  }
  return resources;
}
