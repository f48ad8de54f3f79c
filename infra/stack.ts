import type { Cfn } from './cfn';
import { alertsResources } from './alerts';
import { DATA_PATH_DEAD_LETTER_QUEUES, DATA_PATH_STREAM_CONSUMERS, DATA_PATH_WORK_QUEUES, LOGS_STREAM, dataPathResources } from './data-path';
import { FUNCTION_SPECS } from './functions';
import { healthResources } from './monitoring';
import type { StackNames } from './names';
import { param } from './params';
import { ruleResources, type RuleTargets } from './rules';
import { tableResources } from './tables';

export interface StackOptions {
  /** The state machines the EventBridge rules start (logical ids), once they exist. */
  ruleTargets?: RuleTargets;
  /** Every state machine of the stack, for its health alarms. */
  stateMachines?: Array<{ logicalId: string; label: string }>;
  /** Dead-letter queues beyond the data path's and the rules' (e.g. an alert consumer's). */
  deadLetterQueues?: Array<{ logicalId: string; label: string }>;
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
    ...healthResources({
      names,
      functions: Object.keys(FUNCTION_SPECS),
      streamConsumers: DATA_PATH_STREAM_CONSUMERS,
      stream: LOGS_STREAM,
      deadLetterQueues: [...DATA_PATH_DEAD_LETTER_QUEUES, ...rules.deadLetterQueues, ...(options.deadLetterQueues ?? [])],
      workQueues: DATA_PATH_WORK_QUEUES,
      stateMachines: options.stateMachines ?? [],
      targetedRules: rules.targetedRules,
      metricsNamespace: param('metricsNamespace'),
    }),
  };
}
