/**
 * The deployable stack: `npx osls deploy --stage <stage> --region <region>`.
 * `npm run package` bundles every function (scripts/bundle.ts) and packages this template
 * offline; the tests in test/template check it against the CloudFormation resource
 * specification, IAM and encryption rules, and SageMaker's documented events.
 */
import { FUNCTION_SPECS, bundleDir, type FunctionKey } from './infra/functions';
import { LOGS_STREAM } from './infra/data-path';
import { ALERTS_TOPIC, slackSubscription } from './infra/alerts';
import { getAtt, ref } from './infra/cfn';
import { cliOption, cliParams } from './infra/cli';
import { stackNames } from './infra/names';
import { PARAM_DEFAULTS, param, resolveParams } from './infra/params';
import { deployedStackOptions, stackResources, sweepRequestsSchedule } from './infra/stack';
import { METRICS_BUCKET, METRICS_DELIVERY_STREAM, NOTIFY_SLACK_FAILURES_QUEUE, attachmentTargets, roleId } from './infra/control-plane';

const service = 'sagewatch';
// Resource names are fixed at packaging time; `--stage` and `--region` are read from the CLI.
const stage = cliOption(process.argv, ['--stage', '-s'], 'dev');
const names = stackNames(service, stage);
// osls resolves `${param:...}` itself; checking the values here turns a bad one into a clear
// error at package time instead of a failed CloudFormation update.
// The Slack secret's location also decides notify-slack's IAM statement, so it is read here.
const params = resolveParams(cliParams(process.argv));

function fn(key: FunctionKey, extra: Record<string, unknown>) {
  const spec = FUNCTION_SPECS[key];
  return {
    handler: `${bundleDir(key)}/index.handler`,
    description: spec.description,
    memorySize: spec.memorySize,
    timeout: spec.timeout,
    package: { patterns: ['!**', `${bundleDir(key)}/**`] },
    role: getAtt(roleId(key), 'Arn'),
    ...extra,
  };
}

const config = {
  service,
  provider: {
    name: 'aws',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    // Nothing invokes a version or an alias: every deploy would only leave another retained Lambda::Version.
    versionFunctions: false,
    stage,
    region: '${opt:region, "us-east-1"}',
    logRetentionInDays: param('logRetentionDays'),
    stackTags: { 'sagewatch:managed': 'true', 'sagewatch:stage': stage },
    // Names and references only: what a function may do is its own role's business.
    environment: {
      SAGEWATCH_STAGE: stage,
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_LOG_LEVEL: param('logLevel'),
      METRICS_NAMESPACE: param('metricsNamespace'),
      RETENTION_DAYS: param('retentionDays'),
      REQUESTS_TABLE: ref('RequestsTable'),
      INVENTORY_TABLE: ref('InventoryTable'),
      STATE_TABLE: ref('StateTable'),
      ALERTS_TOPIC_ARN: ref(ALERTS_TOPIC),
      // Start of every name the control plane and the detectors give (alarms, streams, alerts).
      NAME_PREFIX: names.prefix,
      FAILURE_BURST_THRESHOLD: param('failureBurstThreshold'),
      FAILURE_BURST_WINDOW_MINUTES: param('failureBurstWindowMinutes'),
      LATENCY_THRESHOLD_MS: param('latencyThresholdMs'),
      THRESHOLDS: param('alarmThresholds'),
      // Where the webhook URL is stored, never the URL.
      SLACK_WEBHOOK_SECRET: param('slackWebhookSecret'),
    },
  },
  params: { default: PARAM_DEFAULTS },
  package: { individually: true },
  functions: {
    processLogs: fn('processLogs', {
      events: [
        {
          stream: {
            type: 'kinesis',
            arn: getAtt(LOGS_STREAM, 'Arn'),
            batchSize: 500,
            batchWindow: 5,
            startingPosition: 'TRIM_HORIZON',
            parallelizationFactor: 2,
            maximumRetryAttempts: 10,
            maximumRecordAgeInSeconds: 86_400,
            bisectBatchOnFunctionError: true,
            functionResponseType: 'ReportBatchItemFailures',
            destinations: { onFailure: { arn: getAtt('ProcessLogsFailuresQueue', 'Arn'), type: 'sqs' } },
          },
        },
      ],
    }),
    processNotifications: fn('processNotifications', {
      events: [
        {
          sqs: {
            arn: getAtt('NotificationsQueue', 'Arn'),
            batchSize: 10,
            maximumBatchingWindow: 2,
            functionResponseType: 'ReportBatchItemFailures',
          },
        },
      ],
    }),
    notifySlack: fn('notifySlack', {
      // Subscribed only when a webhook secret is configured (infra/alerts.ts).
      events: slackSubscription(names, params.slackWebhookSecret),
      // SNS invokes asynchronously: two more tries, then the alert is parked in the queue.
      maximumRetryAttempts: 2,
      destinations: { onFailure: { arn: getAtt(NOTIFY_SLACK_FAILURES_QUEUE, 'Arn'), type: 'sqs' } },
    }),
    sweepRequests: fn('sweepRequests', {
      events: [{ schedule: { rate: ['rate(5 minutes)'], name: sweepRequestsSchedule(names), description: 'Stuck and expired async requests' } }],
    }),
    describeResource: fn('describeResource', {}),
    classifyResource: fn('classifyResource', {}),
    convergeResource: fn('convergeResource', { environment: attachmentTargets() }),
    reportProblems: fn('reportProblems', {}),
    listResources: fn('listResources', {}),
    checkResources: fn('checkResources', { environment: attachmentTargets() }),
    findOrphans: fn('findOrphans', {}),
    sweepMetricStreams: fn('sweepMetricStreams', { environment: attachmentTargets() }),
  },
  resources: {
    // Rules with their state machine targets, the control plane's roles and state machines,
    // the metric-stream delivery and the health alarms of all of it.
    Resources: stackResources(names, deployedStackOptions(names, params.slackWebhookSecret)),
    Outputs: {
      RequestsTableName: { Description: 'Correlated async inference records (sagewatch query --table)', Value: ref('RequestsTable') },
      InventoryTableName: { Description: 'What sagewatch attached to each SageMaker resource', Value: ref('InventoryTable') },
      LogsStreamArn: { Description: 'Destination of the endpoint log subscriptions', Value: getAtt(LOGS_STREAM, 'Arn') },
      NotificationsQueueArn: { Description: 'Subscribed to the async endpoints success/error topics', Value: getAtt('NotificationsQueue', 'Arn') },
      NotificationsDeadLetterQueueUrl: { Value: ref('NotificationsDeadLetterQueue') },
      ProcessLogsFailuresQueueUrl: { Value: ref('ProcessLogsFailuresQueue') },
      LogsToKinesisRoleArn: { Value: getAtt('LogsToKinesisRole', 'Arn') },
      AlertsTopicArn: { Description: 'Subscribe e-mail, chat or other tools here', Value: ref(ALERTS_TOPIC) },
      AttachStateMachineArn: { Value: ref('AttachStateMachine') },
      ReconcileStateMachineArn: { Description: 'Start it to backfill or clean up now (it also runs hourly and after every deploy)', Value: ref('ReconcileStateMachine') },
      MetricsBucketName: { Description: 'Metric streams land here, under metrics/yyyy/MM/dd/', Value: ref(METRICS_BUCKET) },
      MetricsDeliveryStreamArn: { Value: getAtt(METRICS_DELIVERY_STREAM, 'Arn') },
      NotifySlackFailuresQueueUrl: { Value: ref(NOTIFY_SLACK_FAILURES_QUEUE) },
      HealthDashboardName: { Description: "sagewatch's own health dashboard", Value: ref('HealthDashboard') },
    },
  },
};

export default config;
