import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { slackSecretStatements } from '../../infra/alerts';
import { cliParams } from '../../infra/cli';
import { PARAMS, resolveParams } from '../../infra/params';
import { packageExpectingFailure, packageTemplate, packageTwice, type CfnTemplate } from '../support/template';

const root = resolve(import.meta.dirname, '..', '..');
const variables = (template: CfnTemplate) => (template.Resources.ProcessLogsLambdaFunction!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

let defaults: CfnTemplate;

beforeAll(async () => {
  ({ template: defaults } = await packageTemplate('ci'));
}, 180_000);

describe('parameters', () => {
  it('deploys with safe defaults', () => {
    expect(variables(defaults)).toMatchObject({
      METRICS_NAMESPACE: 'sagewatch',
      RETENTION_DAYS: '30',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      FAILURE_BURST_THRESHOLD: '5',
      FAILURE_BURST_WINDOW_MINUTES: '5',
      LATENCY_THRESHOLD_MS: '300000',
      THRESHOLDS: '{}',
      SLACK_WEBHOOK_SECRET: '',
    });
    expect(defaults.Resources.ProcessLogsLogGroup!.Properties!.RetentionInDays).toBe(30);
    expect(resolveParams({})).toEqual(Object.fromEntries(Object.entries(PARAMS).map(([name, def]) => [name, def.default])));
  });

  it('takes --param overrides, and grants read access to exactly the named Slack secret', async () => {
    const { template } = await packageTemplate('ci', {
      params: {
        metricsNamespace: 'acme/sagewatch',
        retentionDays: '7',
        logRetentionDays: '14',
        logLevel: 'DEBUG',
        failureBurstThreshold: '3',
        latencyThresholdMs: '60000',
        alarmThresholds: '{"modelLatencyMs":500}',
        slackWebhookSecret: 'ssm:/acme/slack-webhook',
      },
    });
    expect(variables(template)).toMatchObject({
      METRICS_NAMESPACE: 'acme/sagewatch',
      RETENTION_DAYS: '7',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      FAILURE_BURST_THRESHOLD: '3',
      LATENCY_THRESHOLD_MS: '60000',
      THRESHOLDS: '{"modelLatencyMs":500}',
      SLACK_WEBHOOK_SECRET: 'ssm:/acme/slack-webhook',
    });
    expect(template.Resources.ProcessLogsLogGroup!.Properties!.RetentionInDays).toBe(14);
    expect(JSON.stringify(template.Resources.HealthDashboard!.Properties!.DashboardBody)).toContain("SEARCH('{acme/sagewatch,EndpointName}");
    // notify-slack, and only it, may read exactly that parameter.
    const readers = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .flatMap(([id, resource]) =>
        (resource.Properties!.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[] | string; Resource: unknown }> } }>).flatMap((policy) =>
          policy.PolicyDocument.Statement.filter((statement) => [statement.Action].flat().includes('ssm:GetParameter')).map((statement) => [id, statement.Resource]),
        ),
      );
    expect(readers).toEqual([['NotifySlackRole', { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/acme/slack-webhook' }]]);
    // The control plane's PutMetricData follows the namespace parameter.
    expect(JSON.stringify(template.Resources.ConvergeResourceRole!.Properties!.Policies)).toContain('"cloudwatch:namespace":"acme/sagewatch"');
  }, 180_000);

  it('refuses bad values and unknown names before anything is deployed, saying why', async () => {
    const result = await packageExpectingFailure('ci', {
      logRetentionDays: '31',
      slackWebhookSecret: 'https://hooks.slack.com/services/T000/B000/XXXX',
      logLevel: 'LOUD',
      retentionDays: '0',
      alarmThresholds: '{"modelLatencyMs":-1}',
      retentionDay: '7',
    });
    expect(result.failed).toBe(true);
    expect(result.output).toContain('--param logRetentionDays: must be one of 1, 3, 5, 7, 14, 30');
    expect(result.output).toContain('--param slackWebhookSecret: looks like the webhook itself');
    expect(result.output).toContain('--param logLevel: must be one of');
    expect(result.output).toContain('--param retentionDays: must be a whole number');
    expect(result.output).toContain('--param alarmThresholds: modelLatencyMs must be a non-negative number');
    expect(result.output).toContain('unknown parameter "retentionDay"');
    // The refused value is not echoed back into logs.
    expect(result.output).not.toContain('hooks.slack.com/services/T000');
  }, 180_000);

  it('reads --param the way osls does', () => {
    expect(cliParams(['package', '--param=a=1', '--param', 'b=x=y', '--param', 'a=2 ', '--stage', 'ci'])).toEqual({ a: '2', b: 'x=y' });
    expect(cliParams(['--param', 'empty='])).toEqual({});
  });
});

describe('the Slack secret grant', () => {
  it('reads an SSM parameter, a Secrets Manager secret or an ARN, and nothing when Slack is off', () => {
    expect(slackSecretStatements('')).toEqual([]);
    expect(slackSecretStatements('ssm:/acme/slack-webhook')).toEqual([
      { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/acme/slack-webhook' } },
    ]);
    expect(slackSecretStatements('secretsmanager:acme/slack')).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:acme/slack-??????' },
      },
    ]);
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/slack-AbC123';
    expect(slackSecretStatements(arn)).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: arn }]);
  });
});

describe('deploying twice changes nothing', () => {
  it('packages the same template and the same bundles from the same sources', async () => {
    const [first, second] = (await packageTwice('ci')) as [{ template: CfnTemplate; dir: string }, { template: CfnTemplate; dir: string }];
    // Only the artifact folder carries a timestamp; osls compares templates and zip hashes
    // with the last deployment and skips an unchanged deploy.
    const normalise = (template: CfnTemplate) => JSON.parse(JSON.stringify(template).replace(/serverless\/sagewatch\/ci\/[^/"]+\//g, 'serverless/sagewatch/ci/ARTIFACTS/')) as unknown;
    expect(normalise(second.template)).toEqual(normalise(first.template));
    for (const zip of ['processLogs.zip', 'processNotifications.zip']) {
      expect(readFileSync(join(second.dir, zip)).equals(readFileSync(join(first.dir, zip))), zip).toBe(true);
    }
  }, 180_000);
});

describe('README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const deploy = readme.slice(readme.indexOf('## Deploy'));

  it('has a Deploy section with the one command and the removal', () => {
    expect(readme).toContain('## Deploy');
    expect(deploy).toContain('npm run deploy -- --stage prod --region eu-west-1');
    expect(deploy).toContain('npx osls remove');
  });

  it('documents every parameter with its default', () => {
    for (const [name, def] of Object.entries(PARAMS)) {
      const row = deploy.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).toBeDefined();
      expect(row, name).toContain(def.default === '' ? '(empty)' : `\`${def.default}\``);
    }
  });
});
