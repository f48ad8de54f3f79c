import { beforeAll, describe, expect, it } from 'vitest';
import { publishAlertsStatements } from '../../infra/alerts';
import { functionRole, getAtt, ref, sub } from '../../infra/cfn';
import { protectHealthStatement } from '../../infra/monitoring';
import { stackNames } from '../../infra/names';
import { PARAM_DEFAULTS, type ParamName } from '../../infra/params';
import { stackResources } from '../../infra/stack';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { templateDefinitions } from './validate/asl';
import { checkTemplate, specDatabase, type SpecDatabase } from './validate/cfn-spec';
import { healthProblems } from './validate/health';
import { identityPolicyProblems, resourcePolicyProblems, roleProblems } from './validate/iam';

/**
 * The stack as it will be once the attach and reconcile state machines join: wired through
 * `stackResources(names, { ruleTargets, stateMachines })`, it must pass every check the
 * packaged template passes. Proves the wiring before the state machines exist.
 */
let wired: CfnTemplate;
let db: SpecDatabase;

const stateMachine = (id: string, roleId: string) => ({
  [roleId]: {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'sagewatch',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [getAtt('ProcessNotificationsLambdaFunction', 'Arn')] }, ...publishAlertsStatements()],
          },
        },
      ],
    },
  },
  [id]: {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineName: `sagewatch-ci-${id}`,
      RoleArn: getAtt(roleId, 'Arn'),
      Definition: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: '${Work}', End: true } } },
      DefinitionSubstitutions: { Work: getAtt('ProcessNotificationsLambdaFunction', 'Arn') },
    },
  },
});

const withDefaultParams = (resources: object): Record<string, never> =>
  JSON.parse(JSON.stringify(resources).replace(/\$\{param:(\w+)\}/g, (_, name: string) => PARAM_DEFAULTS[name as ParamName])) as Record<string, never>;

beforeAll(async () => {
  const [{ template }, database] = await Promise.all([packageTemplate('ci'), specDatabase()]);
  db = database;
  const names = stackNames('sagewatch', 'ci');
  wired = structuredClone(template);
  Object.assign(
    wired.Resources,
    // osls resolves `${param:...}` when it packages; here the defaults stand in.
    withDefaultParams(
      stackResources(names, {
        ruleTargets: { attachStateMachine: 'AttachStateMachine', reconcileStateMachine: 'ReconcileStateMachine' },
        stateMachines: [
          { logicalId: 'AttachStateMachine', label: 'attach' },
          { logicalId: 'ReconcileStateMachine', label: 'reconcile' },
        ],
      }),
    ),
    stateMachine('AttachStateMachine', 'AttachStateMachineRole'),
    stateMachine('ReconcileStateMachine', 'ReconcileStateMachineRole'),
    {
      // A control-plane role as lib/attach needs one: alarms named sagewatch-*, minus the health ones.
      ConvergeRole: functionRole('sagewatch-ci-converge', [
        {
          Effect: 'Allow',
          Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource'],
          Resource: sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:sagewatch-ci-*'),
        },
        protectHealthStatement(names),
      ]),
    },
  );
}, 180_000);

describe('the stack with its state machines wired', () => {
  it('passes the specification check', () => {
    expect(checkTemplate(wired, db)).toEqual([]);
  });

  it('starts the attach state machine from every SageMaker rule and reconcile hourly, through one role, parking failures', () => {
    const rules = Object.entries(wired.Resources).filter(([, resource]) => resource.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(9);
    for (const [id, rule] of rules) {
      expect(rule.Properties!.Targets, id).toEqual([
        {
          Id: id === 'ReconcileScheduleRule' ? 'reconcile' : 'attach',
          Arn: ref(id === 'ReconcileScheduleRule' ? 'ReconcileStateMachine' : 'AttachStateMachine'),
          RoleArn: getAtt('EventRulesRole', 'Arn'),
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: getAtt('EventRulesDeadLetterQueue', 'Arn') },
        },
      ]);
    }
    expect(wired.Resources.EventRulesRole!.Properties!.Policies).toEqual([
      {
        PolicyName: 'start-executions',
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [ref('AttachStateMachine'), ref('ReconcileStateMachine')] }] },
      },
    ]);
  });

  it('passes the IAM checks: own roles, scoped grants, the dead-letter queue open to these rules only', () => {
    expect(roleProblems(wired)).toEqual([]);
    expect(identityPolicyProblems(wired, { resourceStarActions: new Set(), requiredConditions: new Map() })).toEqual([]);
    const unconditioned = [{ resourceType: 'AWS::KMS::Key', service: 'cloudwatch.amazonaws.com', reason: 'see iam.test.ts' }];
    expect(resourcePolicyProblems(wired, { unconditionedServices: unconditioned })).toEqual([]);
  });

  it('watches the new pieces: executions, rule deliveries and the rules dead-letter queue', () => {
    expect(healthProblems(wired, 'AlertsTopic', 'sagewatch-ci-health-')).toEqual([]);
    const names = Object.values(wired.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => resource.Properties!.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'sagewatch-ci-health-attach-executions-failed',
        'sagewatch-ci-health-reconcile-executions-failed',
        'sagewatch-ci-health-rules-dlq-depth',
        'sagewatch-ci-health-endpoint-failed-invocations',
        'sagewatch-ci-health-reconcile-failed-invocations',
      ]),
    );
  });

  it('validates the wired state machine definitions', () => {
    expect(templateDefinitions(wired).map((machine) => [machine.id, machine.problems])).toEqual([
      ['AttachStateMachine', []],
      ['ReconcileStateMachine', []],
    ]);
  });

  it("keeps the control plane's hands off sagewatch's own health alarms and dashboard", () => {
    const statement = protectHealthStatement(stackNames('sagewatch', 'ci'));
    expect(statement).toMatchObject({ Effect: 'Deny', Action: expect.arrayContaining(['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteDashboards']) });
    expect(statement.Resource).toEqual([
      sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:sagewatch-ci-health-*'),
      sub('arn:${AWS::Partition}:cloudwatch::${AWS::AccountId}:dashboard/sagewatch-ci-health'),
    ]);
    const health = Object.values(wired.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    for (const alarm of health) expect(String(alarm.Properties!.AlarmName)).toMatch(/^sagewatch-ci-health-/);
  });

  it('would catch a state machine sharing a function role', () => {
    const copy = structuredClone(wired);
    copy.Resources.AttachStateMachine!.Properties!.RoleArn = getAtt('ProcessLogsRole', 'Arn');
    expect(roleProblems(copy)).toContainEqual(expect.stringContaining('ProcessLogsRole: shared by'));
    expect(roleProblems(copy)).toContainEqual(expect.stringContaining('used by a AWS::StepFunctions::StateMachine but trusted by lambda.amazonaws.com'));
  });
});
