import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { policyDocuments } from './validate/iam';

/**
 * Every function's role holds only permissions its code can use: each API action it is
 * granted is an operation whose SDK command is in the function's own bundle (what the packaging
 * just built, tree-shaken by esbuild). The actions Lambda or AWS exercise with the role rather
 * than the code are listed with the reason. And each SageMaker describe is granted on the one
 * resource type it takes.
 */
const root = resolve(import.meta.dirname, '..', '..');

/** Granted for the service to use on the function's behalf, not called by its code. */
const NOT_CALLED_BY_CODE: Record<string, string> = {
  'logs:CreateLogStream': "Lambda writes the function's own log group",
  'logs:PutLogEvents': "Lambda writes the function's own log group",
  'kinesis:DescribeStream': 'the Kinesis event source mapping reads the stream with the function role',
  'kinesis:DescribeStreamSummary': 'the Kinesis event source mapping',
  'kinesis:GetRecords': 'the Kinesis event source mapping',
  'kinesis:GetShardIterator': 'the Kinesis event source mapping',
  'kinesis:ListShards': 'the Kinesis event source mapping',
  'sqs:ReceiveMessage': 'the SQS event source mapping',
  'sqs:DeleteMessage': 'the SQS event source mapping',
  'sqs:GetQueueAttributes': 'the SQS event source mapping',
  'sqs:ChangeMessageVisibility': 'the SQS event source mapping',
  'sqs:SendMessage': "the function's on-failure destination, sent by Lambda with the function role",
  'kms:Decrypt': 'SNS publishes to the KMS-encrypted alerts topic with the caller’s permissions',
  'kms:GenerateDataKey': 'SNS publishes to the KMS-encrypted alerts topic with the caller’s permissions',
  'iam:PassRole': 'PutSubscriptionFilter and PutMetricStream pass their delivery roles',
  'cloudwatch:TagResource': 'PutMetricAlarm, PutDashboard and PutMetricStream with Tags',
};

/** The SDK command classes in a bundle: `class extends <factory>(<a>,<b>,"<Operation>",...)`. */
function bundleOperations(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([...text.matchAll(/class extends [\w$]+\([\w$]+,[\w$]+,"([A-Za-z0-9]+)"/g)].map((match) => match[1]!));
}

interface FunctionRole {
  key: string;
  role: string;
  actions: Set<string>;
}

function functionRoles(template: CfnTemplate): FunctionRole[] {
  const documents = policyDocuments(template).filter((doc) => doc.kind === 'identity');
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => {
      const role = (resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const key = String(resource.Properties!.FunctionName).replace(/^sagewatch-ci-/, '');
      const actions = new Set(
        documents
          .filter((doc) => doc.owner === role || doc.roles.includes(role))
          .flatMap((doc) => doc.statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action].flat().map(String))),
      );
      return { key, role, actions };
    });
}

let template: CfnTemplate;
beforeAll(async () => {
  ({ template } = await packageTemplate('ci'));
}, 180_000);

describe('every function holds only the permissions it uses', () => {
  it('each granted API action is an SDK command of its own bundle, or a permission AWS uses for it', () => {
    const roles = functionRoles(template);
    expect(roles.length).toBeGreaterThanOrEqual(12);
    const unused: string[] = [];
    for (const { key, role, actions } of roles) {
      const operations = bundleOperations(resolve(root, 'dist', 'functions', key, 'index.mjs'));
      expect(operations.size + actions.size).toBeGreaterThan(0);
      for (const action of actions) {
        if (action in NOT_CALLED_BY_CODE) continue;
        const operation = action.slice(action.indexOf(':') + 1);
        if (!operations.has(operation)) unused.push(`${role} ${action}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('the check notices a granted action no code of the function calls', () => {
    const copy = structuredClone(template);
    const policies = copy.Resources.FindOrphansRole!.Properties!.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    policies[0]!.PolicyDocument.Statement.push({ Effect: 'Allow', Action: ['dynamodb:PutItem', 'sagemaker:DescribeModel'], Resource: 'arn:aws:dynamodb:eu-west-1:1:table/x' });
    const findOrphans = functionRoles(copy).find((role) => role.key === 'findOrphans')!;
    const operations = bundleOperations(resolve(root, 'dist', 'functions', 'findOrphans', 'index.mjs'));
    // The inventory class carries PutItem into the bundle; DescribeModel is nowhere in it.
    expect(operations.has('Scan')).toBe(true);
    expect(operations.has('DescribeModel')).toBe(false);
    expect([...findOrphans.actions].filter((a) => !(a in NOT_CALLED_BY_CODE) && !operations.has(a.split(':')[1]!))).toEqual(['sagemaker:DescribeModel']);
  });

  it('grants each SageMaker describe on its own resource type only', () => {
    const types: Record<string, string> = {
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
    };
    const found: string[] = [];
    for (const doc of policyDocuments(template).filter((d) => d.kind === 'identity')) {
      for (const statement of doc.statements) {
        const actions = [statement.Action]
          .flat()
          .map(String)
          .filter((a) => a in types);
        if (actions.length === 0) continue;
        expect(actions).toHaveLength(1);
        const resources = [statement.Resource].flat().map((r) => JSON.stringify(r));
        expect(resources).toEqual([JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:${types[actions[0]!]}` })]);
        found.push(`${doc.owner} ${actions[0]}`);
      }
    }
    expect(found.filter((f) => f.startsWith('FindOrphansRole')).sort()).toEqual(
      ['DescribeEndpoint', 'DescribeHyperParameterTuningJob', 'DescribeLabelingJob', 'DescribePipelineExecution', 'DescribeProcessingJob', 'DescribeTrainingJob', 'DescribeTransformJob'].map(
        (op) => `FindOrphansRole sagemaker:${op}`,
      ),
    );
  });

  it("lets reconcile list pipelines, and each pipeline's executions on the pipeline resource type only", () => {
    const grants = policyDocuments(template)
      .filter((d) => d.kind === 'identity')
      .flatMap((doc) =>
        doc.statements.flatMap((statement) =>
          [statement.Action]
            .flat()
            .map(String)
            .filter((a) => a === 'sagemaker:ListPipelines' || a === 'sagemaker:ListPipelineExecutions')
            .map((a) => `${doc.owner} ${a} ${JSON.stringify(statement.Resource)}`),
        ),
      );
    expect(grants.sort()).toEqual([
      `ListResourcesRole sagemaker:ListPipelineExecutions ${JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:pipeline/*' })}`,
      'ListResourcesRole sagemaker:ListPipelines "*"',
    ]);
  });
});
