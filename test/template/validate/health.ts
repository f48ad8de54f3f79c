import type { CfnResource, CfnTemplate } from '../../support/template';
import { getAttParts, intrinsicName, isPlainObject, renderString } from './intrinsics';

/**
 * sagewatch watching itself, discovered from the template: whatever functions, stream
 * consumers, dead-letter queues, state machines and rule targets it holds, each must have its
 * alarm, notifying the alerts topic.
 */
interface Alarm {
  id: string;
  props: Record<string, unknown>;
}

const alarmsOf = (template: CfnTemplate): Alarm[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, resource]) => ({ id, props: resource.Properties ?? {} }));

/** What the resource's dimension value can be: `Ref` to it, `GetAtt` of it, or its literal name. */
function dimensionRefersTo(value: unknown, id: string, resource: CfnResource, attribute?: string): boolean {
  const text = renderString(value);
  if (text === `\${${id}}` || (attribute && text === `\${${id}.${attribute}}`)) return true;
  const names = [resource.Properties?.FunctionName, resource.Properties?.QueueName, resource.Properties?.Name, resource.Properties?.StateMachineName];
  return typeof text === 'string' && names.includes(text);
}

function hasAlarm(template: CfnTemplate, namespace: string, metric: string, dimension: string, matches: (value: unknown) => boolean): Alarm | undefined {
  return alarmsOf(template).find(
    ({ props }) =>
      props.Namespace === namespace && props.MetricName === metric && Array.isArray(props.Dimensions) && props.Dimensions.some((d) => isPlainObject(d) && d.Name === dimension && matches(d.Value)),
  );
}

/** Logical id a `Ref`/`GetAtt` value points at. */
const target = (value: unknown): string | undefined => {
  const name = intrinsicName(value);
  if (name === 'Ref') return (value as { Ref: string }).Ref;
  if (name === 'Fn::GetAtt') return getAttParts((value as Record<string, unknown>)['Fn::GetAtt'])?.id;
  return undefined;
};

/** Queues where work ends up after its retries, wherever the template wires one. */
export function deadLetterQueues(template: CfnTemplate): Set<string> {
  const queues = new Set<string>();
  const add = (value: unknown) => {
    const id = target(value);
    if (id && template.Resources[id]?.Type === 'AWS::SQS::Queue') queues.add(id);
  };
  for (const resource of Object.values(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::SQS::Queue' && isPlainObject(props.RedrivePolicy)) add(props.RedrivePolicy.deadLetterTargetArn);
    if (resource.Type === 'AWS::SNS::Subscription' && isPlainObject(props.RedrivePolicy)) add(props.RedrivePolicy.deadLetterTargetArn);
    if ((resource.Type === 'AWS::Lambda::EventSourceMapping' || resource.Type === 'AWS::Lambda::EventInvokeConfig') && isPlainObject(props.DestinationConfig)) {
      const onFailure = props.DestinationConfig.OnFailure;
      if (isPlainObject(onFailure)) add(onFailure.Destination);
    }
    if (resource.Type === 'AWS::Lambda::Function' && isPlainObject(props.DeadLetterConfig)) add(props.DeadLetterConfig.TargetArn);
    if (resource.Type === 'AWS::Events::Rule' && Array.isArray(props.Targets)) {
      for (const ruleTarget of props.Targets) if (isPlainObject(ruleTarget) && isPlainObject(ruleTarget.DeadLetterConfig)) add(ruleTarget.DeadLetterConfig.Arn);
    }
  }
  return queues;
}

export function healthProblems(template: CfnTemplate, alertsTopic: string, namePrefix: string): string[] {
  const problems: string[] = [];
  const resources = Object.entries(template.Resources);

  for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    for (const metric of ['Errors', 'Throttles']) {
      if (!hasAlarm(template, 'AWS/Lambda', metric, 'FunctionName', (value) => dimensionRefersTo(value, id, resource))) problems.push(`${id}: no ${metric} alarm`);
    }
  }
  for (const [id, mapping] of resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')) {
    const source = target(mapping.Properties?.EventSourceArn);
    const sourceType = source ? template.Resources[source]?.Type : undefined;
    const isStream = sourceType === 'AWS::Kinesis::Stream' || (sourceType === 'AWS::DynamoDB::Table' && renderString(mapping.Properties?.EventSourceArn)?.endsWith('.StreamArn}'));
    if (!isStream) continue;
    const fn = target(mapping.Properties?.FunctionName);
    if (!fn || !template.Resources[fn]) {
      problems.push(`${id}: cannot tell which function reads the stream`);
      continue;
    }
    if (!hasAlarm(template, 'AWS/Lambda', 'IteratorAge', 'FunctionName', (value) => dimensionRefersTo(value, fn, template.Resources[fn]!))) {
      problems.push(`${fn}: reads ${source} but has no IteratorAge alarm`);
    }
  }
  for (const queue of deadLetterQueues(template)) {
    const resource = template.Resources[queue]!;
    if (!hasAlarm(template, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', (value) => dimensionRefersTo(value, queue, resource, 'QueueName'))) {
      problems.push(`${queue}: dead-letter queue without a depth alarm`);
    }
  }
  for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')) {
    if (!hasAlarm(template, 'AWS/States', 'ExecutionsFailed', 'StateMachineArn', (value) => dimensionRefersTo(value, id, resource, 'Arn'))) {
      problems.push(`${id}: no ExecutionsFailed alarm`);
    }
  }
  for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::Events::Rule' && Array.isArray(r.Properties?.Targets) && r.Properties.Targets.length > 0)) {
    if (!hasAlarm(template, 'AWS/Events', 'FailedInvocations', 'RuleName', (value) => dimensionRefersTo(value, id, resource))) problems.push(`${id}: rule with targets but no FailedInvocations alarm`);
  }
  for (const { id, props } of alarmsOf(template)) {
    if (typeof props.AlarmName !== 'string' || !props.AlarmName.startsWith(namePrefix)) problems.push(`${id}: alarm name ${String(props.AlarmName)} outside ${namePrefix}*`);
    const actions = Array.isArray(props.AlarmActions) ? props.AlarmActions.map(target) : [];
    if (!actions.includes(alertsTopic)) problems.push(`${id}: does not notify ${alertsTopic}`);
    if (props.ActionsEnabled === false) problems.push(`${id}: actions disabled`);
  }
  return problems;
}
