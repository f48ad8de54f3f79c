import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { checkTemplate, findResourceType, specDatabase, type SpecDatabase } from './validate/cfn-spec';

let template: CfnTemplate;
let db: SpecDatabase;

beforeAll(async () => {
  [{ template }, db] = await Promise.all([packageTemplate('ci'), specDatabase()]);
}, 180_000);

describe('packaged template against the CloudFormation resource specification', () => {
  it('uses only existing resource types, properties and attributes, with every required property and reference', () => {
    expect(checkTemplate(template, db)).toEqual([]);
  });

  it('checked every resource of the template, whatever it holds', () => {
    // The check walks the template, not a list: every type in it is known to the spec.
    const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
    for (const type of types) expect(findResourceType(db, type), type).toBeDefined();
    expect(types.size).toBeGreaterThanOrEqual(10);
  });
});

describe('the specification check itself', () => {
  const mutated = (change: (copy: CfnTemplate) => void) => {
    const copy = structuredClone(template);
    change(copy);
    return checkTemplate(copy, db);
  };

  it('rejects an unknown resource type', () => {
    expect(mutated((t) => (t.Resources.LogsStream!.Type = 'AWS::Kinesis::Streams'))).toContainEqual(expect.stringContaining('AWS::Kinesis::Streams is not a CloudFormation resource type'));
  });

  it('rejects an unknown property, at the top and inside a property type', () => {
    const problems = mutated((t) => {
      t.Resources.NotificationsQueue!.Properties!.VisibiltyTimeout = 360;
      const mapping = Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties?.DestinationConfig)!;
      (mapping.Properties!.DestinationConfig as { OnFailure: Record<string, unknown> }).OnFailure.Destinaton = 'arn:aws:sqs:eu-west-1:123456789012:x';
    });
    expect(problems).toContainEqual(expect.stringContaining('NotificationsQueue.Properties.VisibiltyTimeout: no such property'));
    expect(problems).toContainEqual(expect.stringContaining('DestinationConfig.OnFailure.Destinaton: no such property'));
  });

  it('rejects a missing required property', () => {
    expect(mutated((t) => delete t.Resources.RequestsTable!.Properties!.KeySchema)).toContainEqual('Resources.RequestsTable.Properties.KeySchema: required property missing');
    expect(mutated((t) => delete t.Resources.HealthDashboard!.Properties!.DashboardBody)).toContainEqual('Resources.HealthDashboard.Properties.DashboardBody: required property missing');
  });

  it('rejects values of the wrong shape or outside the allowed values', () => {
    const problems = mutated((t) => {
      t.Resources.ProcessLogsLogGroup!.Properties!.RetentionInDays = 31;
      t.Resources.StateTable!.Properties!.AttributeDefinitions = { AttributeName: 'pk', AttributeType: 'S' };
      t.Resources.NotificationsQueue!.Properties!.VisibilityTimeout = 'six minutes';
      t.Resources.AlertsTopic!.Properties!.Tags = [{ Key: 'sagewatch:managed' }];
    });
    expect(problems).toContainEqual(expect.stringContaining('ProcessLogsLogGroup.Properties.RetentionInDays: 31 is not one of'));
    expect(problems).toContainEqual(expect.stringContaining('StateTable.Properties.AttributeDefinitions: expected a list'));
    expect(problems).toContainEqual(expect.stringContaining('NotificationsQueue.Properties.VisibilityTimeout: expected an integer'));
    expect(problems).toContainEqual('Resources.AlertsTopic.Properties.Tags[0].Value: required property missing');
  });

  it('rejects a Ref, a Fn::GetAtt or a Fn::Sub variable that resolves to nothing', () => {
    const problems = mutated((t) => {
      t.Resources.AlertsTopicPolicy!.Properties!.Topics = [{ Ref: 'AlertTopic' }];
      t.Resources.ProcessLogsLambdaFunction!.Properties!.Role = { 'Fn::GetAtt': ['ProcessLogsRole', 'RoleArn'] };
      (t.Resources.HealthDashboard!.Properties!.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'] += '${NoSuchAlarm.Arn}${AWS::Regio}';
    });
    expect(problems).toContainEqual(expect.stringContaining('Ref AlertTopic names no resource'));
    expect(problems).toContainEqual(expect.stringContaining('Fn::GetAtt ProcessLogsRole.RoleArn: AWS::IAM::Role has no attribute RoleArn'));
    expect(problems).toContainEqual(expect.stringContaining('Fn::GetAtt NoSuchAlarm names no resource'));
    expect(problems).toContainEqual(expect.stringContaining('Ref AWS::Regio names no resource, parameter or pseudo parameter'));
  });

  it('rejects DependsOn on a missing resource and unknown resource attributes', () => {
    const problems = mutated((t) => {
      t.Resources.InventoryTable!.DependsOn = ['Ghost'];
      t.Resources.InventoryTable!.DeletionPolicy = 'Keep';
    });
    expect(problems).toContainEqual('Resources.InventoryTable.DependsOn: "Ghost" names no resource');
    expect(problems).toContainEqual('Resources.InventoryTable.DeletionPolicy: "Keep" is not a policy');
  });

  it('accepts Fn::Sub variables defined in its own variable map', () => {
    const problems = mutated((t) => {
      t.Resources.HealthDashboard!.Properties!.DashboardBody = { 'Fn::Sub': ['{"widgets":[],"x":"${Local}"}', { Local: { Ref: 'AWS::Region' } }] };
    });
    expect(problems).toEqual([]);
  });
});
