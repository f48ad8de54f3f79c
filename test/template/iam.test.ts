import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { IDENTITY_RULES, RESOURCE_POLICY_RULES } from './validate/iam-rules';
import { functionLogProblems, identityPolicyProblems, policyDocuments, resourcePolicyProblems, roleProblems } from './validate/iam';

/**
 * Every `Resource: "*"` grant of the template, by role and action. Each is reviewed here:
 * adding one means adding it to this list (and the action to RESOURCE_STAR_ALLOWED).
 */
const RESOURCE_STAR_GRANTS: string[] = [
  'AttachStateMachineRole logs:CreateLogDelivery',
  'AttachStateMachineRole logs:DeleteLogDelivery',
  'AttachStateMachineRole logs:DescribeLogGroups',
  'AttachStateMachineRole logs:DescribeResourcePolicies',
  'AttachStateMachineRole logs:GetLogDelivery',
  'AttachStateMachineRole logs:ListLogDeliveries',
  'AttachStateMachineRole logs:PutResourcePolicy',
  'AttachStateMachineRole logs:UpdateLogDelivery',
  'CheckResourcesRole sagemaker:ListInferenceComponents',
  'ConvergeResourceRole cloudwatch:PutMetricData',
  'DescribeResourceRole sagemaker:ListInferenceComponents',
  'ListResourcesRole sagemaker:ListEndpoints',
  'ListResourcesRole sagemaker:ListHyperParameterTuningJobs',
  'ListResourcesRole sagemaker:ListLabelingJobs',
  'ListResourcesRole sagemaker:ListPipelines',
  'ListResourcesRole sagemaker:ListProcessingJobs',
  'ListResourcesRole sagemaker:ListTrainingJobs',
  'ListResourcesRole sagemaker:ListTransformJobs',
  'ReconcileStateMachineRole logs:CreateLogDelivery',
  'ReconcileStateMachineRole logs:DeleteLogDelivery',
  'ReconcileStateMachineRole logs:DescribeLogGroups',
  'ReconcileStateMachineRole logs:DescribeResourcePolicies',
  'ReconcileStateMachineRole logs:GetLogDelivery',
  'ReconcileStateMachineRole logs:ListLogDeliveries',
  'ReconcileStateMachineRole logs:PutResourcePolicy',
  'ReconcileStateMachineRole logs:UpdateLogDelivery',
  'SweepMetricStreamsRole cloudwatch:ListMetricStreams',
];

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageTemplate('ci'));
}, 180_000);

const starGrants = (t: CfnTemplate) =>
  policyDocuments(t)
    .filter((doc) => doc.kind === 'identity')
    .flatMap((doc) =>
      doc.statements
        .filter((statement) => statement.Effect === 'Allow' && [statement.Resource].flat().includes('*'))
        .flatMap((statement) => [statement.Action].flat().map((action) => `${doc.owner} ${String(action)}`)),
    )
    .sort();

describe('IAM of the packaged template', () => {
  it('gives every function and state machine its own role, trusted by its service only, without managed policies', () => {
    expect(roleProblems(template)).toEqual([]);
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(2);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('lets every function write its own log group and no other', () => {
    expect(functionLogProblems(template)).toEqual([]);
  });

  it('grants explicit actions on resources scoped by ARN, Resource "*" only for actions without resource types', () => {
    expect(identityPolicyProblems(template, IDENTITY_RULES)).toEqual([]);
  });

  it('lists every Resource "*" grant', () => {
    expect(starGrants(template)).toEqual(RESOURCE_STAR_GRANTS);
  });

  it('keeps resource policies to this account: no service-wide actions, no anonymous or cross-account principals', () => {
    expect(resourcePolicyProblems(template, RESOURCE_POLICY_RULES)).toEqual([]);
    const owners = new Set(
      policyDocuments(template)
        .filter((doc) => doc.kind === 'resource')
        .map((doc) => doc.owner),
    );
    expect(owners).toEqual(new Set(['ServerlessDeploymentBucketPolicy', 'NotificationsQueuePolicy', 'AlertsTopicKey', 'AlertsTopicPolicy', 'EventRulesDeadLetterQueuePolicy', 'MetricsBucketPolicy']));
  });

  it('lets CloudWatch alarms of this account, and only them, publish to the encrypted alerts topic', () => {
    const topicPolicy = policyDocuments(template).find((doc) => doc.owner === 'AlertsTopicPolicy')!;
    expect(topicPolicy.statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*' } },
        },
      }),
    );
    const keyPolicy = policyDocuments(template).find((doc) => doc.owner === 'AlertsTopicKey')!;
    expect(keyPolicy.statements).toContainEqual(expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }));
  });
});

describe('the IAM checks themselves', () => {
  const addStatement = (t: CfnTemplate, statement: Record<string, unknown>) => {
    const policies = t.Resources.ProcessLogsRole!.Properties!.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    policies[0]!.PolicyDocument.Statement.push({ Effect: 'Allow', ...statement });
  };
  const identity = (statement: Record<string, unknown>) => {
    const copy = structuredClone(template);
    addStatement(copy, statement);
    return identityPolicyProblems(copy, IDENTITY_RULES);
  };
  const arn = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${rest}` });

  it('rejects "*" and service-wide actions, and wildcards in action names', () => {
    expect(identity({ Action: '*', Resource: { 'Fn::GetAtt': ['LogsStream', 'Arn'] } })).toContainEqual(expect.stringContaining('* grants a whole service'));
    expect(identity({ Action: ['sqs:*'], Resource: { 'Fn::GetAtt': ['NotificationsQueue', 'Arn'] } })).toContainEqual(expect.stringContaining('sqs:* grants a whole service'));
    expect(identity({ Action: ['dynamodb:Get*'], Resource: { 'Fn::GetAtt': ['RequestsTable', 'Arn'] } })).toContainEqual(expect.stringContaining('dynamodb:Get*: list the actions'));
    expect(identity({ NotAction: ['iam:*'], Resource: { 'Fn::GetAtt': ['RequestsTable', 'Arn'] } })).toContainEqual(expect.stringContaining('NotAction'));
  });

  it('rejects Resource "*" for actions that can be scoped, and unconditioned PutMetricData', () => {
    expect(identity({ Action: ['dynamodb:GetItem'], Resource: '*' })).toContainEqual(expect.stringContaining('Resource "*" for dynamodb:GetItem'));
    expect(identity({ Action: ['cloudwatch:PutMetricData'], Resource: '*' })).toContainEqual(expect.stringContaining('cloudwatch:namespace'));
    expect(identity({ Action: ['cloudwatch:PutMetricData'], Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'sagewatch' } } })).toEqual([]);
    expect(identity({ Action: ['sagemaker:ListEndpoints'], Resource: '*' })).toEqual([]);
  });

  it('holds alarms, dashboards and log groups to the names sagewatch owns', () => {
    expect(identity({ Action: ['cloudwatch:PutMetricAlarm'], Resource: arn('cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*') })).toContainEqual(
      expect.stringContaining('only alarms named sagewatch-*'),
    );
    expect(identity({ Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'], Resource: arn('cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:sagewatch-*') })).toEqual([]);
    expect(identity({ Action: ['cloudwatch:PutDashboard'], Resource: arn('cloudwatch::${AWS::AccountId}:dashboard/*') })).toContainEqual(expect.stringContaining('only dashboards named sagewatch-*'));
    expect(identity({ Action: ['cloudwatch:PutDashboard'], Resource: arn('cloudwatch::${AWS::AccountId}:dashboard/sagewatch-*') })).toEqual([]);
    expect(identity({ Action: ['logs:PutSubscriptionFilter'], Resource: arn('logs:${AWS::Region}:${AWS::AccountId}:log-group:*') })).toContainEqual(
      expect.stringContaining('only log groups /aws/sagemaker/*'),
    );
    expect(identity({ Action: ['logs:PutSubscriptionFilter'], Resource: arn('logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/*') })).toEqual([]);
  });

  it('rejects ARNs of another partition, region or account, and account-wide ARNs', () => {
    expect(identity({ Action: ['sns:Publish'], Resource: 'arn:aws:sns:eu-west-1:123456789012:topic' })).toEqual(
      expect.arrayContaining([expect.stringContaining('use ${AWS::Partition}'), expect.stringContaining('scope to ${AWS::Region}'), expect.stringContaining('scope to ${AWS::AccountId}')]),
    );
    expect(identity({ Action: ['sns:Subscribe'], Resource: arn('sns:${AWS::Region}:${AWS::AccountId}:*') })).toContainEqual(expect.stringContaining('every sns resource of the account'));
    // Account-wide only for the listed actions, and Subscribe only narrowed to an endpoint.
    const topics = arn('sns:${AWS::Region}:${AWS::AccountId}:*');
    const toQueue = { StringEquals: { 'sns:Endpoint': { 'Fn::GetAtt': ['NotificationsQueue', 'Arn'] } } };
    expect(identity({ Action: ['sns:Subscribe'], Resource: topics, Condition: toQueue })).toEqual([]);
    expect(identity({ Action: ['sns:Unsubscribe'], Resource: topics })).toEqual([]);
    expect(identity({ Action: ['sns:Publish'], Resource: topics, Condition: toQueue })).toContainEqual(expect.stringContaining('every sns resource of the account'));
    expect(identity({ Action: ['sns:Subscribe', 'sns:DeleteTopic'], Resource: topics, Condition: toQueue })).toContainEqual(expect.stringContaining('every sns resource of the account'));
    expect(identity({ Action: ['sagemaker:DescribeEndpoint'], Resource: arn('sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/*') })).toEqual([]);
  });

  it('rejects shared roles, the default osls role, managed policies and roles anyone may assume', () => {
    const shared = structuredClone(template);
    shared.Resources.ProcessNotificationsLambdaFunction!.Properties!.Role = { 'Fn::GetAtt': ['ProcessLogsRole', 'Arn'] };
    expect(roleProblems(shared)).toContainEqual(expect.stringContaining('Resources.ProcessLogsRole: shared by ProcessLogsLambdaFunction, ProcessNotificationsLambdaFunction'));

    const defaults = structuredClone(template);
    defaults.Resources.IamRoleLambdaExecution = structuredClone(template.Resources.ProcessLogsRole!);
    expect(roleProblems(defaults)).toContainEqual(expect.stringContaining('IamRoleLambdaExecution'));

    const managed = structuredClone(template);
    managed.Resources.ProcessLogsRole!.Properties!.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    expect(roleProblems(managed)).toContainEqual(expect.stringContaining('ProcessLogsRole.Properties.ManagedPolicyArns'));

    const open = structuredClone(template);
    (open.Resources.ProcessLogsRole!.Properties!.AssumeRolePolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement[0]!.Principal = { AWS: '*' };
    expect(roleProblems(open)).toContainEqual(expect.stringContaining('roles of this stack are assumed by AWS services only'));

    const wrongService = structuredClone(template);
    (wrongService.Resources.ProcessLogsRole!.Properties!.AssumeRolePolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement[0]!.Principal = {
      Service: 'states.amazonaws.com',
    };
    expect(roleProblems(wrongService)).toContainEqual(expect.stringContaining('trusted by states.amazonaws.com instead of lambda.amazonaws.com'));
  });

  it("rejects a function role that writes another function's logs", () => {
    const copy = structuredClone(template);
    const policies = copy.Resources.ProcessLogsRole!.Properties!.Policies as Array<{ PolicyDocument: { Statement: Array<{ Resource: unknown }> } }>;
    policies[0]!.PolicyDocument.Statement[0]!.Resource = arn('logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/sagewatch-ci-*:*');
    expect(functionLogProblems(copy)).toContainEqual(expect.stringContaining('not only to its function'));
  });

  it('rejects resource policies open to everyone or to a service acting for any account', () => {
    const copy = structuredClone(template);
    const statements = (copy.Resources.AlertsTopicPolicy!.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    statements.push({ Effect: 'Allow', Principal: '*', Action: 'sns:Subscribe', Resource: { Ref: 'AlertsTopic' } });
    statements.push({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: 'AlertsTopic' } });
    statements.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sns:Publish', Resource: { Ref: 'AlertsTopic' } });
    copy.Resources.OpenPermission = {
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'ProcessLogsLambdaFunction' }, Principal: 'sns.amazonaws.com' },
    };
    const problems = resourcePolicyProblems(copy, RESOURCE_POLICY_RULES);
    expect(problems).toContainEqual(expect.stringContaining('allows everyone'));
    expect(problems).toContainEqual(expect.stringContaining('events.amazonaws.com may act for any account'));
    expect(problems).toContainEqual(expect.stringContaining('which is not this account'));
    expect(problems).toContainEqual(expect.stringContaining('OpenPermission.Properties: sns.amazonaws.com may invoke for any account'));
  });

  it('notices a new Resource "*" grant', () => {
    const copy = structuredClone(template);
    addStatement(copy, { Action: ['sagemaker:ListEndpoints'], Resource: '*' });
    expect(starGrants(copy)).toEqual([...RESOURCE_STAR_GRANTS, 'ProcessLogsRole sagemaker:ListEndpoints'].sort());
    expect(starGrants(copy)).not.toEqual(RESOURCE_STAR_GRANTS);
  });
});
