import type { Cfn } from './cfn';
import { alertsResources } from './alerts';
import { DATA_PATH_DEAD_LETTER_QUEUES, DATA_PATH_STREAM_CONSUMERS, DATA_PATH_WORK_QUEUES, LOGS_STREAM, dataPathResources } from './data-path';
import { FUNCTION_SPECS } from './functions';
import { METRICS_DELIVERY_STREAM, NOTIFY_SLACK_FAILURES_QUEUE, STATE_MACHINES, controlPlaneRoles, metricDeliveryResources, notifySlackFailureResources, stateMachineResources } from './control-plane';
import { healthResources } from './monitoring';
import type { StackNames } from './names';
import { param } from './params';
import { ruleResources, type RuleTargets } from './rules';
import { metricsDeliveryLogGroupName } from './service-logs';
import { tableResources } from './tables';

export interface StackOptions {
  /** The state machines the EventBridge rules start (logical ids), once they exist. */
  ruleTargets?: RuleTargets;
  /** Every state machine of the stack, for its health alarms. */
  stateMachines?: Array<{ logicalId: string; label: string }>;
  /** Dead-letter queues beyond the data path's and the rules' (e.g. an alert consumer's). */
  deadLetterQueues?: Array<{ logicalId: string; label: string }>;
  /**
   * The control plane, the alert consumers and the metric-stream delivery: their functions'
   * roles, the state machines, the Firehose stream and its bucket, notify-slack's failure queue.
   */
  controlPlane?: { slackWebhookSecret: string };
  /** Rules osls creates for `schedule` events (name as osls gives it): each needs a FailedInvocations alarm. */
  scheduleRules?: Array<{ logicalId: string; name: string }>;
}

/** The schedule rule of sweepRequests (osls names its logical id `SweepRequestsEventsRuleSchedule1`). */
export const sweepRequestsSchedule = (names: StackNames): string => `${names.prefix}-sweep-requests`;

/** The stack as deployed: every rule targets its state machine, every piece is watched. */
export function deployedStackOptions(names: StackNames, slackWebhookSecret: string): StackOptions {
  return {
    ruleTargets: { attachStateMachine: 'AttachStateMachine', reconcileStateMachine: 'ReconcileStateMachine' },
    stateMachines: STATE_MACHINES.map(({ logicalId, label }) => ({ logicalId, label })),
    deadLetterQueues: [{ logicalId: NOTIFY_SLACK_FAILURES_QUEUE, label: 'notify-slack-failures' }],
    controlPlane: { slackWebhookSecret },
    scheduleRules: [{ logicalId: 'SweepRequestsEventsRuleSchedule1', name: sweepRequestsSchedule(names) }],
  };
}

/**
 * Every CloudFormation resource serverless.ts declares itself (osls adds the functions, their
 * log groups and event sources): the data path, the control plane's tables, the alerts topic,
 * the EventBridge rules and sagewatch's own health alarms and dashboard.
 */
export function stackResources(names: StackNames, options: StackOptions = {}): Cfn {
  const rules = ruleResources(names, options.ruleTargets);
  return {
    ...dataPathResources({ service: names.service, stage: names.stage }),
    ...tableResources(names),
    ...alertsResources(names),
    ...rules.resources,
    ...(options.controlPlane
      ? {
          ...controlPlaneRoles(names, options.controlPlane.slackWebhookSecret),
          ...metricDeliveryResources(names),
          ...notifySlackFailureResources(names),
          ...stateMachineResources(names),
        }
      : {}),
    ...healthResources({
      names,
      functions: Object.keys(FUNCTION_SPECS),
      streamConsumers: DATA_PATH_STREAM_CONSUMERS,
      stream: LOGS_STREAM,
      deadLetterQueues: [...DATA_PATH_DEAD_LETTER_QUEUES, ...rules.deadLetterQueues, ...(options.deadLetterQueues ?? [])],
      workQueues: DATA_PATH_WORK_QUEUES,
      stateMachines: options.stateMachines ?? [],
      targetedRules: [...rules.targetedRules, ...(options.scheduleRules ?? [])],
      deliveryStreams: options.controlPlane ? [{ logicalId: METRICS_DELIVERY_STREAM, label: 'metrics-delivery', logGroup: metricsDeliveryLogGroupName(names) }] : [],
      metricsNamespace: param('metricsNamespace'),
    }),
  };
}
