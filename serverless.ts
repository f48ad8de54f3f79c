/**
 * The deployable stack: `npx osls deploy --stage <stage> --region <region>`.
 * `npm run package` bundles every function (scripts/bundle.ts) and packages this template
 * offline; the tests in test/template check it against the CloudFormation resource
 * specification, IAM and encryption rules, and SageMaker's documented events.
 */
import { FUNCTION_SPECS, bundleDir, type FunctionKey } from './infra/functions';
import { LOGS_STREAM } from './infra/data-path';
import { ALERTS_TOPIC } from './infra/alerts';
import { getAtt, ref } from './infra/cfn';
import { cliOption, cliParams } from './infra/cli';
import { stackNames } from './infra/names';
import { PARAM_DEFAULTS, param, resolveParams } from './infra/params';
import { stackResources } from './infra/stack';

const service = 'sagewatch';
// Resource names are fixed at packaging time; `--stage` and `--region` are read from the CLI.
const stage = cliOption(process.argv, ['--stage', '-s'], 'dev');
const names = stackNames(service, stage);
// osls resolves `${param:...}` itself; checking the values here turns a bad one into a clear
// error at package time instead of a failed CloudFormation update.
resolveParams(cliParams(process.argv));

function fn(key: FunctionKey, extra: Record<string, unknown>) {
  const spec = FUNCTION_SPECS[key];
  return {
    handler: `${bundleDir(key)}/index.handler`,
    description: spec.description,
    memorySize: spec.memorySize,
    timeout: spec.timeout,
    package: { patterns: ['!**', `${bundleDir(key)}/**`] },
    ...extra,
  };
}

const config = {
  service,
  provider: {
    name: 'aws',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
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
      REQUESTS_BY_ENDPOINT_INDEX: names.tables.requestsByEndpointIndex,
      INVENTORY_TABLE: ref('InventoryTable'),
      STATE_TABLE: ref('StateTable'),
      ALERTS_TOPIC_ARN: ref(ALERTS_TOPIC),
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
      role: getAtt('ProcessLogsRole', 'Arn'),
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
      role: getAtt('ProcessNotificationsRole', 'Arn'),
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
  },
  resources: {
    // State machines join through `stackResources(names, { ruleTargets, stateMachines })`:
    // that adds the rules' targets, the EventBridge role, the rules' dead-letter queue and
    // their health alarms.
    Resources: stackResources(names),
    Outputs: {
      RequestsTableName: { Description: 'Correlated async inference records (sagewatch query --table)', Value: ref('RequestsTable') },
      InventoryTableName: { Description: 'What sagewatch attached to each SageMaker resource', Value: ref('InventoryTable') },
      LogsStreamArn: { Description: 'Destination of the endpoint log subscriptions', Value: getAtt(LOGS_STREAM, 'Arn') },
      NotificationsQueueArn: { Description: 'Subscribed to the async endpoints success/error topics', Value: getAtt('NotificationsQueue', 'Arn') },
      NotificationsDeadLetterQueueUrl: { Value: ref('NotificationsDeadLetterQueue') },
      ProcessLogsFailuresQueueUrl: { Value: ref('ProcessLogsFailuresQueue') },
      LogsToKinesisRoleArn: { Value: getAtt('LogsToKinesisRole', 'Arn') },
      AlertsTopicArn: { Description: 'Subscribe e-mail, chat or other tools here', Value: ref(ALERTS_TOPIC) },
      HealthDashboardName: { Description: "sagewatch's own health dashboard", Value: ref('HealthDashboard') },
    },
  },
};

export default config;
