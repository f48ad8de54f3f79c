/**
 * The deployable stack: `npx osls deploy --stage <stage> --region <region>`.
 * `npm run package` bundles every function (scripts/bundle.ts) and packages this template
 * offline; tests check it against the CloudFormation resource specification.
 */
import { FUNCTION_SPECS, bundleDir, type FunctionKey } from './infra/functions';
import { dataPathResources } from './infra/data-path';
import { getAtt, ref } from './infra/cfn';

const service = 'sagewatch';
// Resource names are fixed at packaging time; `--stage` and `--region` are read from the CLI.
const option = (names: string[], fallback: string): string => {
  for (const [i, arg] of process.argv.entries()) {
    for (const name of names) {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      const next = process.argv[i + 1];
      if (arg === name && next && !next.startsWith('-')) return next;
    }
  }
  return fallback;
};
const stage = option(['--stage', '-s'], 'dev');

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
    logRetentionInDays: '${param:logRetentionDays}',
    stackTags: { 'sagewatch:managed': 'true', 'sagewatch:stage': stage },
    environment: {
      SAGEWATCH_STAGE: stage,
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_LOG_LEVEL: '${param:logLevel}',
      METRICS_NAMESPACE: '${param:metricsNamespace}',
      RETENTION_DAYS: '${param:retentionDays}',
      REQUESTS_TABLE: ref('RequestsTable'),
      REQUESTS_BY_ENDPOINT_INDEX: 'byEndpoint',
    },
  },
  params: {
    default: {
      metricsNamespace: 'sagewatch',
      retentionDays: '30',
      logLevel: 'INFO',
      logRetentionDays: '30',
    },
  },
  package: { individually: true },
  functions: {
    processLogs: fn('processLogs', {
      role: getAtt('ProcessLogsRole', 'Arn'),
      events: [
        {
          stream: {
            type: 'kinesis',
            arn: getAtt('LogsStream', 'Arn'),
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
    Resources: {
      ...dataPathResources({ service, stage }),
    },
    Outputs: {
      RequestsTableName: { Description: 'Correlated async inference records (sagewatch query --table)', Value: ref('RequestsTable') },
      LogsStreamArn: { Description: 'Destination of the endpoint log subscriptions', Value: getAtt('LogsStream', 'Arn') },
      NotificationsQueueArn: { Description: 'Subscribed to the async endpoints success/error topics', Value: getAtt('NotificationsQueue', 'Arn') },
      NotificationsDeadLetterQueueUrl: { Value: ref('NotificationsDeadLetterQueue') },
      ProcessLogsFailuresQueueUrl: { Value: ref('ProcessLogsFailuresQueue') },
      LogsToKinesisRoleArn: { Value: getAtt('LogsToKinesisRole', 'Arn') },
    },
  },
};

export default config;
