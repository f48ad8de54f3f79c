import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAtt, ref, sub } from '../../infra/cfn';
import { STATE_MACHINE_REFS, STATE_MACHINE_TASKS } from '../../infra/control-plane';
import { protectHealthStatement } from '../../infra/monitoring';
import { lambdaLogicalId, stackNames } from '../../infra/names';
import { PARAM_DEFAULTS, type ParamName } from '../../infra/params';
import { ruleResources } from '../../infra/rules';
import { deployedStackOptions, stackResources } from '../../infra/stack';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { templateDefinitions } from './validate/asl';
import { checkTemplate, specDatabase, type SpecDatabase } from './validate/cfn-spec';
import { healthProblems } from './validate/health';
import { identityPolicyProblems, policyDocuments, resourcePolicyProblems, roleProblems } from './validate/iam';
import { IDENTITY_RULES, RESOURCE_POLICY_RULES } from './validate/iam-rules';

/**
 * The packaged stack with its state machines wired (`stackResources(names,
 * deployedStackOptions(...))`): rule targets, the EventBridge role, the rules' dead-letter
 * queue, the state machines and their roles, and the health alarms of all of it.
 */
let template: CfnTemplate;
let db: SpecDatabase;
const names = stackNames('sagewatch', 'ci');
const statemachinesDir = resolve(import.meta.dirname, '..', '..', 'statemachines');

// osls resolves `${param:...}` when it packages; the defaults stand in for the expected values.
const withDefaultParams = (resources: object): Record<string, unknown> =>
  JSON.parse(JSON.stringify(resources).replace(/\$\{param:(\w+)\}/g, (_, name: string) => PARAM_DEFAULTS[name as ParamName])) as Record<string, unknown>;

beforeAll(async () => {
  [{ template }, db] = await Promise.all([packageTemplate('ci'), specDatabase()]);
}, 180_000);

describe('the stack with its state machines wired', () => {
  it('is exactly the wired stack of infra/stack.ts', () => {
    const expected = withDefaultParams(stackResources(names, deployedStackOptions(names, PARAM_DEFAULTS.slackWebhookSecret)));
    for (const [id, resource] of Object.entries(expected)) expect(template.Resources[id], id).toEqual(resource);
  });

  it('passes the specification check', () => {
    expect(checkTemplate(template, db)).toEqual([]);
  });

  it('starts attach from every SageMaker rule and reconcile hourly and after deploys, through one role, parking failures', () => {
    const { resources } = ruleResources(names, deployedStackOptions(names, '').ruleTargets);
    const rules = Object.keys(resources).filter((id) => template.Resources[id]?.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(11);
    const reconcile = new Set(['ReconcileScheduleRule', 'DeployCompleteRule']);
    for (const id of rules) {
      expect(template.Resources[id]!.Properties!.Targets, id).toEqual([
        {
          Id: reconcile.has(id) ? 'reconcile' : 'attach',
          Arn: ref(reconcile.has(id) ? 'ReconcileStateMachine' : 'AttachStateMachine'),
          RoleArn: getAtt('EventRulesRole', 'Arn'),
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: getAtt('EventRulesDeadLetterQueue', 'Arn') },
        },
      ]);
    }
    expect(template.Resources.EventRulesRole!.Properties!.Policies).toEqual([
      {
        PolicyName: 'start-executions',
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [ref('AttachStateMachine'), ref('ReconcileStateMachine')] }] },
      },
    ]);
  });

  it('passes the IAM checks: own roles, scoped grants, the dead-letter queue open to these rules only', () => {
    expect(roleProblems(template)).toEqual([]);
    expect(identityPolicyProblems(template, IDENTITY_RULES)).toEqual([]);
    expect(resourcePolicyProblems(template, RESOURCE_POLICY_RULES)).toEqual([]);
  });

  it('watches the new pieces: executions, rule deliveries, the schedule and the dead-letter queues', () => {
    expect(healthProblems(template, 'AlertsTopic', 'sagewatch-ci-health-')).toEqual([]);
    const alarms = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => resource.Properties!.AlarmName);
    expect(alarms).toEqual(
      expect.arrayContaining([
        'sagewatch-ci-health-attach-executions-failed',
        'sagewatch-ci-health-reconcile-executions-failed',
        'sagewatch-ci-health-rules-dlq-depth',
        'sagewatch-ci-health-notify-slack-failures-depth',
        'sagewatch-ci-health-endpoint-failed-invocations',
        'sagewatch-ci-health-reconcile-failed-invocations',
        'sagewatch-ci-health-deployed-failed-invocations',
        'sagewatch-ci-health-sweep-requests-failed-invocations',
      ]),
    );
  });

  it('validates the state machine definitions, inline from statemachines/ and unaltered, every placeholder substituted', () => {
    expect(templateDefinitions(template).map((machine) => [machine.id, machine.problems])).toEqual([
      ['AttachStateMachine', []],
      ['ReconcileStateMachine', []],
    ]);
    for (const [id, file] of [
      ['AttachStateMachine', 'attach.asl.json'],
      ['ReconcileStateMachine', 'reconcile.asl.json'],
    ] as const) {
      const text = readFileSync(resolve(statemachinesDir, file), 'utf8');
      const props = template.Resources[id]!.Properties!;
      // Byte for byte what the file says: `"ResultPath": null` must survive packaging.
      expect(JSON.parse(props.DefinitionString as string), id).toEqual(JSON.parse(text));
      expect(props.DefinitionS3Location).toBeUndefined();
      expect(props.RoleArn).toEqual(getAtt(`${id}Role`, 'Arn'));
      const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]!))].sort();
      expect(Object.keys(props.DefinitionSubstitutions as object).sort(), id).toEqual(placeholders);
      for (const name of placeholders) {
        const expected = name in STATE_MACHINE_REFS ? ref(STATE_MACHINE_REFS[name]!) : getAtt(lambdaLogicalId(STATE_MACHINE_TASKS[name]!), 'Arn');
        expect((props.DefinitionSubstitutions as Record<string, unknown>)[name]).toEqual(expected);
      }
    }
  });

  it('lets each state machine invoke exactly the functions its definition names, and reconcile start exactly the attach machine', () => {
    const regional = (rest: string) => sub(`arn:\${AWS::Partition}:${rest.split(':')[0]}:\${AWS::Region}:\${AWS::AccountId}:${rest.split(':').slice(1).join(':')}`);
    for (const id of ['AttachStateMachine', 'ReconcileStateMachine']) {
      const substitutions = template.Resources[id]!.Properties!.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt'?: [string, string] }>;
      const functions = Object.values(substitutions).flatMap((value) => (value['Fn::GetAtt'] ? [value['Fn::GetAtt'][0]] : []));
      const statements = policyDocuments(template)
        .filter((doc) => doc.kind === 'identity' && doc.owner === `${id}Role`)
        .flatMap((doc) => doc.statements);
      const invoke = { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: functions.flatMap((fn) => [getAtt(fn, 'Arn'), sub(`\${${fn}.Arn}:*`)]) };
      // Its error log (LoggingConfiguration): the vended-logs delivery APIs, on "*" as Step Functions documents.
      const logging = {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        Resource: '*',
      };
      if (id === 'AttachStateMachine') {
        expect(statements).toEqual([invoke, logging]);
        continue;
      }
      expect(statements).toEqual([
        invoke,
        logging,
        { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [ref('AttachStateMachine'), regional('states:stateMachine:sagewatch-ci-reconcile')] },
        {
          Effect: 'Allow',
          Action: ['states:DescribeExecution', 'states:StopExecution'],
          Resource: [regional('states:execution:sagewatch-ci-attach:*'), regional('states:execution:sagewatch-ci-reconcile/*')],
        },
        { Effect: 'Allow', Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Resource: regional('events:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule') },
      ]);
    }
  });

  it("keeps the control plane's hands off sagewatch's own health alarms and dashboard", () => {
    const statement = protectHealthStatement(names);
    expect(statement).toMatchObject({ Effect: 'Deny', Action: expect.arrayContaining(['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteDashboards']) });
    expect(statement.Resource).toEqual([
      sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:sagewatch-ci-health-*'),
      sub('arn:${AWS::Partition}:cloudwatch::${AWS::AccountId}:dashboard/sagewatch-ci-health'),
    ]);
    // Every role that may write alarms, dashboards or metric streams carries the Deny.
    const writers = policyDocuments(template).filter(
      (doc) =>
        doc.kind === 'identity' &&
        doc.statements.some(
          (s) => s.Effect === 'Allow' && [s.Action].flat().some((action) => /^cloudwatch:(PutMetricAlarm|DeleteAlarms|PutDashboard|DeleteDashboards|DeleteMetricStream)$/.test(String(action))),
        ),
    );
    expect(writers.map((doc) => doc.owner).sort()).toEqual(['ConvergeResourceRole', 'SweepMetricStreamsRole']);
    for (const doc of writers) expect(doc.statements, doc.owner).toContainEqual(statement);
    const health = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    for (const alarm of health) expect(String(alarm.Properties!.AlarmName)).toMatch(/^sagewatch-ci-health-/);
  });

  it('would catch a state machine sharing a function role', () => {
    const copy = structuredClone(template);
    copy.Resources.AttachStateMachine!.Properties!.RoleArn = getAtt('ProcessLogsRole', 'Arn');
    expect(roleProblems(copy)).toContainEqual(expect.stringContaining('ProcessLogsRole: shared by'));
    expect(roleProblems(copy)).toContainEqual(expect.stringContaining('used by a AWS::StepFunctions::StateMachine but trusted by lambda.amazonaws.com'));
  });

  it('would catch a state machine without a placeholder substitution or with an S3 definition', () => {
    const copy = structuredClone(template);
    delete (copy.Resources.AttachStateMachine!.Properties!.DefinitionSubstitutions as Record<string, unknown>).ConvergeFunctionArn;
    copy.Resources.ReconcileStateMachine!.Properties!.DefinitionS3Location = { Bucket: 'b', Key: 'k' };
    delete copy.Resources.ReconcileStateMachine!.Properties!.DefinitionString;
    const problems = Object.fromEntries(templateDefinitions(copy).map((machine) => [machine.id, machine.problems]));
    expect(problems.AttachStateMachine).toContainEqual('${ConvergeFunctionArn}: neither a substitution nor a resource of the stack');
    expect(problems.ReconcileStateMachine).toContainEqual(expect.stringContaining('DefinitionS3Location'));
  });
});
