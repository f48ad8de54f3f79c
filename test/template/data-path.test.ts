import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { FUNCTION_SPECS } from '../../infra/functions';
import { FUNCTIONS } from '../../cli/functions';
import { requestsTable } from '../../lib/store/schema';
import { stackNames } from '../../infra/names';

let template: CfnTemplate;
let dir: string;

beforeAll(async () => {
  ({ template, dir } = await packageTemplate('ci'));
}, 120_000);

const resources = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('packaged template: the async request data path', () => {
  it('packages every function as its own bundle, named for the stage', () => {
    for (const key of Object.keys(FUNCTION_SPECS)) {
      const logicalId = `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`;
      const props = template.Resources[logicalId]?.Properties;
      expect(props, logicalId).toBeDefined();
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', FunctionName: `sagewatch-ci-${key}`, Handler: `dist/functions/${key}/index.handler` });
    }
    expect(dir).toBeTruthy();
  });

  it('lets `sagewatch invoke` run every function of the template', () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual(Object.keys(FUNCTION_SPECS).sort());
  });

  it('reports partial batch failures, bisects and keeps what still fails', () => {
    const [, kinesis] = resources('AWS::Lambda::EventSourceMapping').find(([id]) => id.startsWith('ProcessLogs'))!;
    expect(kinesis.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ProcessLogsFailuresQueue', 'Arn'] } } },
      EventSourceArn: { 'Fn::GetAtt': ['LogsStream', 'Arn'] },
    });
    const [, sqs] = resources('AWS::Lambda::EventSourceMapping').find(([id]) => id.startsWith('ProcessNotifications'))!;
    expect(sqs.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': ['NotificationsQueue', 'Arn'] },
    });
    expect(template.Resources.NotificationsQueue?.Properties).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['NotificationsDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
  });

  it('declares the requests table keyed by request, with TTL and no index: requests by endpoint are listed in the state table', () => {
    expect(template.Resources.RequestsTable?.Properties).toMatchObject({
      TableName: 'sagewatch-ci-requests',
      KeySchema: [
        { AttributeName: 'inferenceId', KeyType: 'HASH' },
        { AttributeName: 'endpointName', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    // An index entry bills a write unit per request written (lib/store/requests-by-endpoint.ts).
    for (const table of ['RequestsTable', 'StateTable', 'InventoryTable']) {
      expect(template.Resources[table]?.Type, table).toBe('AWS::DynamoDB::Table');
      expect(template.Resources[table]?.Properties?.GlobalSecondaryIndexes, table).toBeUndefined();
      expect(template.Resources[table]?.Properties?.LocalSecondaryIndexes, table).toBeUndefined();
    }
    expect(template.Resources.RequestsTable?.Properties?.AttributeDefinitions).toEqual(requestsTable(stackNames('sagewatch', 'ci').tables).AttributeDefinitions);
  });

  it('gives each processor its own role', () => {
    expect(template.Resources.ProcessLogsLambdaFunction?.Properties?.Role).toEqual({ 'Fn::GetAtt': ['ProcessLogsRole', 'Arn'] });
    expect(template.Resources.ProcessNotificationsLambdaFunction?.Properties?.Role).toEqual({ 'Fn::GetAtt': ['ProcessNotificationsRole', 'Arn'] });
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });
});
