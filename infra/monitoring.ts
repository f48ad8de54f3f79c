import { getAtt, ref, sub, type Cfn, type PolicyStatement } from './cfn';
import { ALERTS_TOPIC } from './alerts';
import { lambdaLogicalId, type StackNames } from './names';

/**
 * sagewatch watching itself: alarms on what would make it silently stop seeing requests or
 * events (a stream consumer falling behind, anything parked in a dead-letter queue, function
 * errors and throttles, failed workflow executions and rule deliveries), all notifying the
 * alerts topic, and one dashboard, `sagewatch-<stage>-health`.
 */
export interface HealthInputs {
  names: StackNames;
  /** Every function key of the stack (infra/functions.ts). */
  functions: readonly string[];
  /** Functions fed by a Kinesis stream: their IteratorAge says how far behind they are. */
  streamConsumers: readonly string[];
  /** The stream the consumers read, for the dashboard. */
  stream: string;
  /** Queues where undeliverable work ends up. */
  deadLetterQueues: ReadonlyArray<{ logicalId: string; label: string }>;
  /** Queues whose consumers must keep up: the age of their oldest message is watched. */
  workQueues: ReadonlyArray<{ logicalId: string; label: string }>;
  /** Logical ids of the stack's `AWS::StepFunctions::StateMachine`s. */
  stateMachines: ReadonlyArray<{ logicalId: string; label: string }>;
  /** Rules with targets, and the queue each parks undeliverable events in (schedules osls creates have none). */
  targetedRules: ReadonlyArray<{ logicalId: string; name: string; deadLetterQueue?: string }>;
  /** Firehose delivery streams to S3: failed deliveries are alarmed on. */
  deliveryStreams?: ReadonlyArray<{ logicalId: string; label: string; logGroup: string }>;
  /** `${param:metricsNamespace}`: sagewatch's derived metrics, for the dashboard. */
  metricsNamespace: string;
}

// A consumer five minutes behind for five minutes is losing the "near real time" promise.
const ITERATOR_AGE_MS = 300_000;
// Async notifications are small and cheap: a quarter of an hour in the queue means a stuck consumer.
const WORK_QUEUE_AGE_SECONDS = 900;

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => `${part[0]!.toUpperCase()}${part.slice(1)}`)
    .join('');

interface AlarmSpec {
  name: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Array<{ Name: string; Value: unknown }>;
  statistic: 'Sum' | 'Maximum' | 'Minimum';
  /** Default: above the threshold. */
  comparison?: 'GreaterThanThreshold' | 'LessThanThreshold';
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
}

function alarm(spec: AlarmSpec): Cfn {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: spec.name,
      AlarmDescription: spec.description,
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: spec.dimensions,
      Statistic: spec.statistic,
      Period: spec.period,
      EvaluationPeriods: spec.evaluationPeriods,
      ...(spec.datapointsToAlarm !== undefined ? { DatapointsToAlarm: spec.datapointsToAlarm } : {}),
      Threshold: spec.threshold,
      ComparisonOperator: spec.comparison ?? 'GreaterThanThreshold',
      // No traffic is healthy: idle queues and functions publish no datapoints.
      TreatMissingData: 'notBreaching',
      ActionsEnabled: true,
      AlarmActions: [ref(ALERTS_TOPIC)],
      OKActions: [ref(ALERTS_TOPIC)],
    },
  };
}

export function healthResources(input: HealthInputs): Cfn {
  const { names } = input;
  const alarms: Cfn = {};
  const h = names.healthPrefix;

  for (const key of input.streamConsumers) {
    alarms[`Health${pascal(key)}IteratorAgeAlarm`] = alarm({
      name: `${h}-${key}-iterator-age`,
      description: `${key} is more than ${ITERATOR_AGE_MS / 60_000} minutes behind its stream: records are waiting or being retried`,
      namespace: 'AWS/Lambda',
      metric: 'IteratorAge',
      dimensions: [{ Name: 'FunctionName', Value: ref(lambdaLogicalId(key)) }],
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: ITERATOR_AGE_MS,
    });
  }
  for (const queue of input.deadLetterQueues) {
    alarms[`Health${pascal(queue.label)}DepthAlarm`] = alarm({
      name: `${h}-${queue.label}-depth`,
      description: `Messages are waiting in ${queue.label}: work that failed after its retries. Inspect and redrive them.`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimensions: [{ Name: 'QueueName', Value: getAtt(queue.logicalId, 'QueueName') }],
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
  }
  for (const queue of input.workQueues) {
    alarms[`Health${pascal(queue.label)}AgeAlarm`] = alarm({
      name: `${h}-${queue.label}-age`,
      description: `The oldest message of ${queue.label} is older than ${WORK_QUEUE_AGE_SECONDS / 60} minutes: its consumer is not keeping up`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateAgeOfOldestMessage',
      dimensions: [{ Name: 'QueueName', Value: getAtt(queue.logicalId, 'QueueName') }],
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 2,
      threshold: WORK_QUEUE_AGE_SECONDS,
    });
  }
  for (const key of input.functions) {
    const dimensions = [{ Name: 'FunctionName', Value: ref(lambdaLogicalId(key)) }];
    alarms[`Health${pascal(key)}ErrorsAlarm`] = alarm({
      name: `${h}-${key}-errors`,
      description: `${key} invocations failed (uncaught errors, timeouts, out of memory); item-level failures are reported, not counted here`,
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
    alarms[`Health${pascal(key)}ThrottlesAlarm`] = alarm({
      name: `${h}-${key}-throttles`,
      description: `${key} is being throttled in two of the last three 5-minute periods: raise its concurrency or the account limit`,
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: 0,
    });
  }
  for (const machine of input.stateMachines) {
    const dimensions = [{ Name: 'StateMachineArn', Value: ref(machine.logicalId) }];
    alarms[`Health${pascal(machine.label)}ExecutionsFailedAlarm`] = alarm({
      name: `${h}-${machine.label}-executions-failed`,
      description: `${machine.label} executions failed: some resources may be left unconverged until the next reconcile`,
      namespace: 'AWS/States',
      metric: 'ExecutionsFailed',
      dimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
    alarms[`Health${pascal(machine.label)}ExecutionsTimedOutAlarm`] = alarm({
      name: `${h}-${machine.label}-executions-timed-out`,
      description: `${machine.label} executions timed out`,
      namespace: 'AWS/States',
      metric: 'ExecutionsTimedOut',
      dimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
  }
  for (const rule of input.targetedRules) {
    const parked = rule.deadLetterQueue ? `undelivered events go to ${rule.deadLetterQueue}` : 'a schedule keeps no undelivered event: its next run tries again';
    alarms[`Health${rule.logicalId}FailedInvocationsAlarm`] = alarm({
      name: `${h}-${rule.name.slice(names.prefix.length + 1)}-failed-invocations`,
      description: `EventBridge could not start the target of ${rule.name}; ${parked}`,
      namespace: 'AWS/Events',
      metric: 'FailedInvocations',
      dimensions: [{ Name: 'RuleName', Value: rule.name }],
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
  }

  for (const stream of input.deliveryStreams ?? []) {
    alarms[`Health${pascal(stream.label)}DeliveryAlarm`] = alarm({
      name: `${h}-${stream.label}-delivery`,
      description: `${stream.label} could not write some records to S3: they are under errors/ in its bucket, the reason in ${stream.logGroup}`,
      namespace: 'AWS/Firehose',
      // The share of S3 puts that succeeded; below 1 in a period means some failed.
      metric: 'DeliveryToS3.Success',
      dimensions: [{ Name: 'DeliveryStreamName', Value: ref(stream.logicalId) }],
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
    });
  }

  return {
    ...alarms,
    HealthDashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardName: h, DashboardBody: dashboardBody(input, Object.keys(alarms)) },
    },
  };
}

/**
 * The body is JSON in a string; `Fn::Sub` fills in the region, function names and alarm ARNs,
 * so the dashboard always shows this stack's resources.
 */
function dashboardBody(input: HealthInputs, alarmIds: string[]): Cfn {
  const region = '${AWS::Region}';
  const widgets: unknown[] = [];
  let y = 0;
  const row = (height: number, ...items: Array<{ width: number; type: string; properties: Record<string, unknown> }>) => {
    let x = 0;
    for (const item of items) {
      widgets.push({ type: item.type, x, y, width: item.width, height, properties: item.properties });
      x += item.width;
    }
    y += height;
  };
  const metricWidget = (title: string, metrics: unknown[][], stat: string, width = 12) => ({
    width,
    type: 'metric',
    properties: { title, region, view: 'timeSeries', stat, period: 300, metrics },
  });

  row(2, {
    width: 24,
    type: 'text',
    properties: {
      markdown: `## ${input.names.prefix}: sagewatch's own health\nAlarms notify the alerts topic. Dead-letter queues hold work that failed after its retries: inspect, fix, redrive.`,
    },
  });
  row(6, { width: 24, type: 'alarm', properties: { title: 'Health alarms', alarms: alarmIds.map((id) => `\${${id}.Arn}`) } });
  const functionMetric = (metric: string) => input.functions.map((key) => ['AWS/Lambda', metric, 'FunctionName', `\${${lambdaLogicalId(key)}}`]);
  row(
    6,
    metricWidget('Invocations', functionMetric('Invocations'), 'Sum', 8),
    metricWidget('Errors', functionMetric('Errors'), 'Sum', 8),
    metricWidget('Throttles', functionMetric('Throttles'), 'Sum', 8),
  );
  row(
    6,
    metricWidget('Duration p99 (ms)', functionMetric('Duration'), 'p99', 8),
    metricWidget(
      'Iterator age, max (ms)',
      input.streamConsumers.map((key) => ['AWS/Lambda', 'IteratorAge', 'FunctionName', `\${${lambdaLogicalId(key)}}`]),
      'Maximum',
      8,
    ),
    metricWidget('Log stream: incoming records', [['AWS/Kinesis', 'IncomingRecords', 'StreamName', `\${${input.stream}}`]], 'Sum', 8),
  );
  const queueMetric = (metric: string, queues: ReadonlyArray<{ logicalId: string }>) => queues.map((queue) => ['AWS/SQS', metric, 'QueueName', `\${${queue.logicalId}.QueueName}`]);
  row(
    6,
    metricWidget('Dead-letter queues: messages', queueMetric('ApproximateNumberOfMessagesVisible', input.deadLetterQueues), 'Maximum'),
    metricWidget('Work queues: age of oldest message (s)', queueMetric('ApproximateAgeOfOldestMessage', input.workQueues), 'Maximum'),
  );
  const requestMetric = (metric: string, id: string) => [{ expression: `SEARCH('{${input.metricsNamespace},EndpointName} MetricName="${metric}"', 'Sum', 300)`, id, label: metric }];
  row(
    6,
    metricWidget('Async requests completed, by endpoint', [requestMetric('RequestsCompleted', 'completed')], 'Sum'),
    metricWidget('Async requests failed, by endpoint', [requestMetric('RequestsFailed', 'failed')], 'Sum'),
  );
  if (input.stateMachines.length > 0) {
    const machineMetric = (metric: string) => input.stateMachines.map((machine) => ['AWS/States', metric, 'StateMachineArn', `\${${machine.logicalId}}`]);
    row(6, metricWidget('Workflow executions started', machineMetric('ExecutionsStarted'), 'Sum'), metricWidget('Workflow executions failed', machineMetric('ExecutionsFailed'), 'Sum'));
  }
  return sub(JSON.stringify({ widgets }));
}

/**
 * For the control plane's roles, which may manage alarms and dashboards named `sagewatch-*`:
 * its orphan sweep must never take sagewatch's own health alarms and dashboard for orphans.
 */
export function protectHealthStatement(names: StackNames): PolicyStatement {
  return {
    Effect: 'Deny',
    Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:PutCompositeAlarm', 'cloudwatch:DisableAlarmActions', 'cloudwatch:DeleteDashboards', 'cloudwatch:PutDashboard'],
    Resource: [
      sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${names.healthPrefix}-*`),
      sub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${names.healthPrefix}`),
    ],
  };
}
