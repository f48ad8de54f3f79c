import type { EventPattern } from '../lib/eventbridge/pattern';
import { CLOUDTRAIL_DETAIL_TYPE, CLOUDTRAIL_EVENT_SOURCE, INFERENCE_COMPONENT_CALLS } from '../lib/sagemaker/events';
import { getAtt, ref, serviceRole, sub, type Cfn } from './cfn';
import { MANAGED_TAGS, type StackNames } from './names';

/**
 * The EventBridge rules, as data: the template is generated from these definitions and the
 * template tests match the same patterns against SageMaker's documented events.
 *
 * One rule per detail-type, and no filter on the status: the workflow is level-triggered (an
 * event only says "look at this resource"), so every state change, in whichever spelling
 * SageMaker sends it (`IN_SERVICE` here, `InService` in the API), must reach it. One rule per
 * kind gives a TriggeredRules metric per kind and lets an operator disable one kind.
 */
export interface SageMakerRule {
  logicalId: string;
  /** Appended to `sagewatch-<stage>-`; EventBridge rule names stop at 64 characters. */
  name: string;
  detailType: string;
  /** For a CloudTrail rule: the API calls it routes (the detail-type is shared by every call). */
  eventNames?: readonly string[];
  description: string;
  pattern: EventPattern;
}

const sagemakerRule = (logicalId: string, name: string, detailType: string, description: string): SageMakerRule => ({
  logicalId,
  name,
  detailType,
  description,
  pattern: { source: ['aws.sagemaker'], 'detail-type': [detailType] },
});

/**
 * Inference components send no state-change event: their Create/Update/DeleteInferenceComponent
 * calls, as CloudTrail records them, are what says one was added to, changed on or removed from
 * a running endpoint (delivered to EventBridge only where the account has a trail). A call that
 * failed (`errorCode` set) changed nothing and starts nothing.
 */
const inferenceComponentRule: SageMakerRule = {
  logicalId: 'InferenceComponentCallRule',
  name: 'inference-component',
  detailType: CLOUDTRAIL_DETAIL_TYPE,
  eventNames: INFERENCE_COMPONENT_CALLS,
  description: 'Inference component created, updated or deleted (CloudTrail): converge its endpoint',
  pattern: {
    source: ['aws.sagemaker'],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: [CLOUDTRAIL_EVENT_SOURCE], eventName: [...INFERENCE_COMPONENT_CALLS], errorCode: [{ exists: false }] },
  },
};

export const SAGEMAKER_RULES: readonly SageMakerRule[] = [
  sagemakerRule('EndpointStateRule', 'endpoint', 'SageMaker Endpoint State Change', 'Endpoint created, updated, failed or deleted: converge its attachments'),
  sagemakerRule(
    'EndpointDeploymentStateRule',
    'endpoint-deployment',
    'SageMaker Endpoint Deployment State Change',
    'Blue/green, canary and capacity deployments of an endpoint: converge its attachments',
  ),
  sagemakerRule('TrainingJobStateRule', 'training-job', 'SageMaker Training Job State Change', 'Training job state: instance alarms while running, summary at the end'),
  sagemakerRule('ProcessingJobStateRule', 'processing-job', 'SageMaker Processing Job State Change', 'Processing job state: instance alarms while running, summary at the end'),
  sagemakerRule('TransformJobStateRule', 'transform-job', 'SageMaker Transform Job State Change', 'Batch transform job state: instance alarms while running, summary at the end'),
  sagemakerRule('TuningJobStateRule', 'tuning-job', 'SageMaker HyperParameter Tuning Job State Change', 'Hyperparameter tuning job state: failure alerts and outcome metrics'),
  sagemakerRule('PipelineExecutionStateRule', 'pipeline-execution', 'SageMaker Model Building Pipeline Execution Status Change', 'Pipeline execution status: failure alerts and duration metrics'),
  sagemakerRule('LabelingJobStateRule', 'labeling-job', 'SageMaker Ground Truth Labeling Job State Change', 'Ground Truth labeling job state: failure alerts and outcome metrics'),
  inferenceComponentRule,
];

export interface ScheduleRule {
  logicalId: string;
  name: string;
  scheduleExpression: string;
  description: string;
}

/** Backfills resources that existed before the deploy and sweeps orphans that events missed. */
export const RECONCILE_SCHEDULE: ScheduleRule = {
  logicalId: 'ReconcileScheduleRule',
  name: 'reconcile',
  scheduleExpression: 'rate(1 hour)',
  description: 'Hourly reconcile: attach what events missed, remove what no longer has a resource',
};

/**
 * "Once after every deploy": CloudFormation's Stack Status Change event of this stack (the
 * stack osls deploys is named `<service>-<stage>`, i.e. the name prefix), when a create or
 * update completed. The event carries the stack ARN in `detail.stack-id` and in `resources`
 * (CloudFormation User Guide, "Stack Status Change event detail"); the trailing `/` of the
 * prefix keeps `sagewatch-prod-x` from matching `sagewatch-prod`.
 */
export const DEPLOY_RULE = {
  logicalId: 'DeployCompleteRule',
  name: 'deployed',
  detailType: 'CloudFormation Stack Status Change',
  description: 'After every deploy of this stack: reconcile, attaching what existed before',
} as const;

export const DEPLOY_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'];

/** `arn:<partition>:cloudformation:<region>:<account>:stack/<prefix>/`, with the pseudo parameters as given. */
export function stackArnPrefix(names: StackNames, pseudo: { partition: string; region: string; account: string }): string {
  return `arn:${pseudo.partition}:cloudformation:${pseudo.region}:${pseudo.account}:stack/${names.prefix}/`;
}

/**
 * The deploy rule's pattern. In the template the prefix is an `Fn::Sub` of the pseudo
 * parameters (CloudFormation resolves intrinsics inside EventPattern); tests pass the text.
 */
export function deployRulePattern(prefix: unknown): Cfn {
  return {
    source: ['aws.cloudformation'],
    'detail-type': [DEPLOY_RULE.detailType],
    detail: { 'stack-id': [{ prefix }], 'status-details': { status: DEPLOY_STATUSES } },
  };
}

/** Logical ids of the state machines the rules start, once they exist in the template. */
export interface RuleTargets {
  /** The attach/detach state machine, started by every SageMaker state-change rule. */
  attachStateMachine?: string;
  /** The reconcile state machine, started by the hourly schedule. */
  reconcileStateMachine?: string;
}

export const RULES_ROLE = 'EventRulesRole';
export const RULES_DEAD_LETTER_QUEUE = 'EventRulesDeadLetterQueue';

export interface RuleStack {
  resources: Cfn;
  /** Queues that hold what could not be delivered: each needs a depth alarm. */
  deadLetterQueues: Array<{ logicalId: string; label: string }>;
  /** Rules with a target: each needs a FailedInvocations alarm. */
  targetedRules: Array<{ logicalId: string; name: string; deadLetterQueue: string }>;
}

/**
 * The rules, enabled. Without targets a rule matches and does nothing (EventBridge allows rules
 * without targets); with them, every rule starts its state machine through one role that may
 * start only those state machines, retries for a day, and parks what still fails in a queue.
 */
export function ruleResources(names: StackNames, targets: RuleTargets = {}): RuleStack {
  const resources: Cfn = {};
  const targetedRules: RuleStack['targetedRules'] = [];
  const dlqName = `${names.prefix}-rules-dlq`;
  const target = (stateMachine: string | undefined, id: string) =>
    stateMachine === undefined
      ? {}
      : {
          Targets: [
            {
              Id: id,
              Arn: ref(stateMachine),
              RoleArn: getAtt(RULES_ROLE, 'Arn'),
              RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
              DeadLetterConfig: { Arn: getAtt(RULES_DEAD_LETTER_QUEUE, 'Arn') },
            },
          ],
        };

  for (const rule of SAGEMAKER_RULES) {
    const name = `${names.prefix}-${rule.name}`;
    resources[rule.logicalId] = {
      Type: 'AWS::Events::Rule',
      Properties: { Name: name, Description: rule.description, State: 'ENABLED', EventPattern: rule.pattern, ...target(targets.attachStateMachine, 'attach') },
    };
    if (targets.attachStateMachine) targetedRules.push({ logicalId: rule.logicalId, name, deadLetterQueue: dlqName });
  }
  const scheduleName = `${names.prefix}-${RECONCILE_SCHEDULE.name}`;
  resources[RECONCILE_SCHEDULE.logicalId] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: scheduleName,
      Description: RECONCILE_SCHEDULE.description,
      State: 'ENABLED',
      ScheduleExpression: RECONCILE_SCHEDULE.scheduleExpression,
      ...target(targets.reconcileStateMachine, 'reconcile'),
    },
  };
  if (targets.reconcileStateMachine) targetedRules.push({ logicalId: RECONCILE_SCHEDULE.logicalId, name: scheduleName, deadLetterQueue: dlqName });
  const deployName = `${names.prefix}-${DEPLOY_RULE.name}`;
  resources[DEPLOY_RULE.logicalId] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: deployName,
      Description: DEPLOY_RULE.description,
      State: 'ENABLED',
      EventPattern: deployRulePattern(sub(stackArnPrefix(names, { partition: '${AWS::Partition}', region: '${AWS::Region}', account: '${AWS::AccountId}' }))),
      ...target(targets.reconcileStateMachine, 'reconcile'),
    },
  };
  if (targets.reconcileStateMachine) targetedRules.push({ logicalId: DEPLOY_RULE.logicalId, name: deployName, deadLetterQueue: dlqName });

  const stateMachines = [targets.attachStateMachine, targets.reconcileStateMachine].filter((id): id is string => id !== undefined);
  if (stateMachines.length === 0) return { resources, deadLetterQueues: [], targetedRules };

  resources[RULES_ROLE] = serviceRole({
    service: 'events.amazonaws.com',
    condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    policyName: 'start-executions',
    statements: [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [...new Set(stateMachines)].map(ref) }],
    tags: MANAGED_TAGS,
  });
  resources[RULES_DEAD_LETTER_QUEUE] = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: dlqName, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, Tags: MANAGED_TAGS },
  };
  resources.EventRulesDeadLetterQueuePolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(RULES_DEAD_LETTER_QUEUE)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(RULES_DEAD_LETTER_QUEUE, 'Arn'),
            Condition: { ArnEquals: { 'aws:SourceArn': targetedRules.map((rule) => getAtt(rule.logicalId, 'Arn')) } },
          },
        ],
      },
    },
  };
  return { resources, deadLetterQueues: [{ logicalId: RULES_DEAD_LETTER_QUEUE, label: 'rules-dlq' }], targetedRules };
}
