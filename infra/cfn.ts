/** Small helpers for writing CloudFormation in TypeScript without a CDK. */
export type Cfn = Record<string, unknown>;

export const ref = (logicalId: string): Cfn => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): Cfn => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (template: string): Cfn => ({ 'Fn::Sub': template });

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: unknown[] | unknown;
  Condition?: Cfn;
}

/**
 * One execution role per function, with its own log group's write access and exactly the
 * statements given: no shared role, no wildcards beyond what each action requires.
 */
export function functionRole(functionName: string, statements: PolicyStatement[]): Cfn {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'sagewatch',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`),
              },
              ...statements,
            ],
          },
        },
      ],
      Tags: [{ Key: 'sagewatch:managed', Value: 'true' }],
    },
  };
}

/**
 * A role that an AWS service assumes on the stack's behalf (CloudWatch Logs, Firehose, metric
 * streams, EventBridge), with the condition that keeps other accounts' use of that service out.
 */
export function serviceRole(options: { service: string; condition: Cfn; policyName: string; statements: unknown[]; tags: unknown }): Cfn {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: options.service }, Action: 'sts:AssumeRole', Condition: options.condition }],
      },
      Policies: [{ PolicyName: options.policyName, PolicyDocument: { Version: '2012-10-17', Statement: options.statements } }],
      Tags: options.tags,
    },
  };
}
