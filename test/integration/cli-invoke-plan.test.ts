import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ListEndpointsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { FUNCTION_SPECS } from '../../infra/functions';
import { cli } from '../support/cli';

/**
 * `sagewatch invoke` with real-looking credentials in the environment never reaches an AWS
 * account unless asked with --live and an explicit --region/--profile: every service without an
 * emulator is mocked here, and not one request may reach a mock in a planned invoke.
 */
const home = mkdtempSync(join(tmpdir(), 'sagewatch-invoke-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'token' };
const env = {
  ...process.env,
  ...CREDENTIALS,
  AWS_REGION: 'eu-west-1',
  SAGEWATCH_HOME: join(home, 'store'),
  // As a deployed function's environment would have them: a planned invoke must still not use them.
  ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:sagewatch-prod-alerts',
  SLACK_WEBHOOK_SECRET: 'ssm:/sagewatch/slack-webhook',
  AWS_ENDPOINT_URL_DYNAMODB: undefined,
};

let mocks: Array<[string, ReturnType<typeof mockClient>]>;
beforeEach(() => {
  for (const [key, value] of Object.entries(CREDENTIALS)) vi.stubEnv(key, value);
  mocks = [
    ['CloudWatch', mockClient(CloudWatchClient)],
    ['CloudWatch Logs', mockClient(CloudWatchLogsClient)],
    ['SNS', mockClient(SNSClient)],
    ['SageMaker', mockClient(SageMakerClient)],
    ['Step Functions', mockClient(SFNClient)],
    ['SSM', mockClient(SSMClient)],
    ['Secrets Manager', mockClient(SecretsManagerClient)],
  ];
});
afterEach(() => {
  for (const [, mock] of mocks) mock.restore();
  vi.unstubAllEnvs();
});

function file(name: string, value: unknown): string {
  const path = join(home, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

function requestsSent(): Record<string, number> {
  return Object.fromEntries(mocks.map(([name, mock]) => [name, mock.calls().length]));
}

const none = Object.fromEntries(['CloudWatch', 'CloudWatch Logs', 'SNS', 'SageMaker', 'Step Functions', 'SSM', 'Secrets Manager'].map((n) => [n, 0]));

async function planned(name: string, event: string) {
  const result = await cli(['invoke', name, event], env);
  expect(result.stderr, `${name} stderr`).toContain('planned, nothing changed');
  expect(result.code, `${name}: ${result.stderr}`).toBe(0);
  return { ...result, output: JSON.parse(result.stdout) as Record<string, unknown> };
}

describe('sagewatch invoke, planned by default', () => {
  it('runs every control-plane and alerting function with no request to any AWS service, and prints what it would do', async () => {
    const endpointEvent = JSON.parse(readFileSync('events/sagemaker/endpoint-state-change.async-in-service.json', 'utf8'));
    const described = await planned('describeResource', file('describe-in.json', { event: endpointEvent }));
    expect(described.stderr).toMatch(/sagemaker\s+DescribeEndpoint doc-ocr-async/);
    const classified = await planned('classifyResource', file('classify-in.json', described.stdout));
    const converged = await planned('convergeResource', file('converge-in.json', classified.stdout));
    expect(converged.output.status).toBe('converged');
    expect(converged.stderr).toMatch(/cloudwatch PutMetricAlarm sagewatch_endpoint\.doc-ocr-async\.backlog-age/);
    expect(converged.stderr).toMatch(/logs\s+PutSubscriptionFilter/);
    expect(converged.stderr).toMatch(/sns\s+Subscribe arn:aws:sns:eu-west-1:111122223333:doc-ocr-success/);

    const listed = await planned('listResources', file('list-in.json', {}));
    expect(JSON.stringify(listed.output)).toContain('doc-ocr-async');
    await planned('checkResources', file('check-in.json', { resources: [(classified.output as { resource: unknown }).resource] }));
    await planned('findOrphans', file('orphans-in.json', {}));
    await planned('sweepMetricStreams', file('sweep-in.json', {}));
    const reported = await planned(
      'reportProblems',
      file('report-in.json', { resource: { kind: 'endpoint', name: 'doc-ocr-async' }, problems: [{ code: 'X', key: 'endpoint/doc-ocr-async', message: 'could not attach' }] }),
    );
    expect(reported.stderr).toMatch(/sns\s+Publish/);
    await planned('processNotifications', 'events/process-notifications.sqs.json');
    await planned('sweepRequests', file('sweep-requests-in.json', {}));
    const slack = await planned('notifySlack', 'events/alerts/sns-sagewatch-alert.json');
    expect(slack.output).toMatchObject({ delivered: 0, printed: 1 });
    await planned('processLogs', 'events/process-logs.kinesis.json');

    expect(requestsSent()).toEqual(none);
  });

  it('keeps each invoke in the SAGEWATCH_HOME it was given, one process after another', async () => {
    const first = join(home, 'first');
    const second = join(home, 'second');
    expect((await cli(['invoke', 'processLogs', 'events/process-logs.kinesis.json'], { ...env, SAGEWATCH_HOME: first })).code).toBe(0);
    // A second invoke in the same process: a fresh handler, its own store, not the first one's closed endpoint.
    const result = await cli(['invoke', 'processNotifications', 'events/process-notifications.sqs.json'], { ...env, SAGEWATCH_HOME: second });
    expect(result.stderr).not.toMatch(/ECONNREFUSED|failed/);
    expect(result.code).toBe(0);
    expect(existsSync(join(first, 'dynamodb'))).toBe(true);
    expect(existsSync(join(second, 'dynamodb'))).toBe(true);
    const inSecond = await cli(['query', '--endpoint', 'fraud-detector-async', '--json'], { ...env, SAGEWATCH_HOME: second });
    const records = JSON.parse(inSecond.stdout) as Array<{ sources: string[] }>;
    expect(records.length).toBeGreaterThan(0);
    // Only the notifications went to the second home; the log lines are in the first.
    expect(records.every((r) => !r.sources.includes('logs'))).toBe(true);
    expect(requestsSent()).toEqual(none);
  });

  it('lists every function of the stack as planned or emulator-only', async () => {
    const { FUNCTIONS } = await import('../../cli/functions');
    expect(Object.keys(FUNCTIONS).sort()).toEqual(Object.keys(FUNCTION_SPECS).sort());
  });
});

describe('sagewatch invoke --live', () => {
  it('refuses an account named without --live, and --live without naming one, with exit 2', async () => {
    const event = file('empty.json', {});
    const regionOnly = await cli(['invoke', 'listResources', event, '--region', 'eu-west-1'], env);
    expect(regionOnly).toMatchObject({ code: 2, stdout: '' });
    expect(regionOnly.stderr).toBe('sagewatch: --region eu-west-1 names an AWS account, but invoke only plans unless --live is given too\n');
    const liveOnly = await cli(['invoke', 'listResources', event, '--live'], env);
    expect(liveOnly).toMatchObject({ code: 2, stdout: '' });
    expect(liveOnly.stderr).toBe('sagewatch: --live acts on an AWS account: name it with --region R or --profile P\n');
    expect(requestsSent()).toEqual(none);
  });

  it('calls the account in the Region it was given, and says so', async () => {
    const sagemaker = mocks.find(([name]) => name === 'SageMaker')![1];
    sagemaker.onAnyCommand().resolves({});
    sagemaker.on(ListEndpointsCommand).resolves({
      Endpoints: [
        { EndpointName: 'live-one', EndpointArn: 'arn:aws:sagemaker:ap-south-1:111122223333:endpoint/live-one', EndpointStatus: 'InService', CreationTime: new Date(), LastModifiedTime: new Date() },
      ],
    });
    const result = await cli(['invoke', 'listResources', file('live.json', {}), '--live', '--region', 'ap-south-1'], env);
    expect(result.stderr).toContain('live against account in ap-south-1');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('planned');
    expect(result.stdout).toContain('live-one');
    const calls = sagemaker.commandCalls(ListEndpointsCommand);
    expect(calls.length).toBeGreaterThan(0);
    const client = calls[0]!.thisValue as SageMakerClient;
    expect(await client.config.region()).toBe('ap-south-1');
  });
});
