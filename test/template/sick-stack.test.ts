import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';

/**
 * A sick stack tells you: every managed delivery path logs its errors where a health alarm
 * looks, every alarm's text points at what really exists, and nothing is deployed that nothing
 * calls. Read from the packaged template, as CloudFormation gets it.
 */
let template: CfnTemplate;
/** With Slack configured: without it, notifySlack is deployed unsubscribed on purpose (README, Alerts). */
let withSlack: CfnTemplate;

beforeAll(async () => {
  [{ template }, { template: withSlack }] = await Promise.all([packageTemplate('ci'), packageTemplate('ci', { params: { slackWebhookSecret: 'ssm:/sagewatch/slack-webhook' } })]);
}, 180_000);

type Props = Record<string, unknown>;
const resources = (type: string, from: CfnTemplate = template) => Object.entries(from.Resources).filter(([, r]) => r.Type === type) as Array<[string, { Properties: Props }]>;
const props = (id: string) => (template.Resources[id]?.Properties ?? {}) as Props;
const refOf = (value: unknown) => (value as { Ref?: string })?.Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
const alarms = () => resources('AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties }) as Props & { id: string });
const statementsOf = (roleArn: unknown) =>
  ((props(refOf(roleArn)!).Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }>).flatMap((p) => p.PolicyDocument.Statement);

describe('a stack that tells you when it is sick', () => {
  it("logs the metric delivery stream's errors to a log group of the stack and alarms on its failed deliveries", () => {
    const [[streamId, stream]] = resources('AWS::KinesisFirehose::DeliveryStream') as [[string, { Properties: Props }]];
    const destination = stream.Properties.ExtendedS3DestinationConfiguration as Props;
    const logging = destination.CloudWatchLoggingOptions as Props;
    expect(logging.Enabled).toBe(true);
    const group = props(refOf(logging.LogGroupName)!);
    expect(group.LogGroupName).toBe('/aws/kinesisfirehose/sagewatch-ci-metrics');
    expect(props(refOf(logging.LogStreamName)!)).toMatchObject({ LogGroupName: logging.LogGroupName, LogStreamName: 'DestinationDelivery' });
    expect(statementsOf(destination.RoleARN)).toContainEqual({ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [refOf(logging.LogGroupName), 'Arn'] } });

    const alarm = alarms().find((a) => a.Namespace === 'AWS/Firehose' && (a.Dimensions as Props[]).some((d) => refOf(d.Value) === streamId));
    expect(alarm).toMatchObject({
      MetricName: 'DeliveryToS3.Success',
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    });
    expect(alarm!.AlarmDescription).toContain('/aws/kinesisfirehose/sagewatch-ci-metrics');
  });

  it("logs every state machine's errors to its own log group, and alarms on its failed and timed-out executions", () => {
    const machines = resources('AWS::StepFunctions::StateMachine');
    expect(machines.map(([id]) => id).sort()).toEqual(['AttachStateMachine', 'ReconcileStateMachine']);
    const groups = new Set<string>();
    for (const [id, machine] of machines) {
      const logging = machine.Properties.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean; Destinations: Array<{ CloudWatchLogsLogGroup: { LogGroupArn: unknown } }> };
      expect(logging).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
      const group = refOf(logging.Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn)!;
      expect(template.Resources[group]?.Type).toBe('AWS::Logs::LogGroup');
      expect(props(group).LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\/sagewatch-ci-/);
      groups.add(group);
      expect(statementsOf(machine.Properties.RoleArn).flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeLogGroups']));
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        expect(
          alarms().some((a) => a.MetricName === metric && (a.Dimensions as Props[]).some((d) => refOf(d.Value) === id)),
          `${id} ${metric}`,
        ).toBe(true);
      }
    }
    expect(groups.size).toBe(2);
  });

  it("names a dead-letter queue in a rule's alarm only when the rule has that queue", () => {
    const failed = alarms().filter((a) => a.MetricName === 'FailedInvocations');
    expect(failed.length).toBeGreaterThan(0);
    for (const alarm of failed) {
      const ruleName = (alarm.Dimensions as Props[])[0]!.Value;
      const [, rule] = resources('AWS::Events::Rule').find(([, r]) => r.Properties.Name === ruleName)!;
      const queues = ((rule.Properties.Targets ?? []) as Array<{ DeadLetterConfig?: { Arn: unknown } }>).flatMap((t) =>
        t.DeadLetterConfig ? [props(refOf(t.DeadLetterConfig.Arn)!).QueueName as string] : [],
      );
      const text = String(alarm.AlarmDescription);
      if (queues.length > 0) for (const queue of queues) expect(text).toContain(queue);
      else expect(text, alarm.id).not.toMatch(/dead-letter|dlq/i);
    }
    expect(failed.find((a) => String((a.Dimensions as Props[])[0]!.Value).endsWith('-sweep-requests'))?.AlarmDescription).toMatch(/next run tries again/);
  });

  it('deploys no function that nothing invokes, and no Lambda version nobody uses', () => {
    const callerTypes = ['AWS::Lambda::EventSourceMapping', 'AWS::Events::Rule', 'AWS::SNS::Subscription', 'AWS::StepFunctions::StateMachine', 'AWS::Lambda::Permission'];
    const callers = callerTypes.flatMap((type) => resources(type, withSlack)).map(([, r]) => JSON.stringify(r));
    const uncalled = resources('AWS::Lambda::Function', withSlack)
      .map(([id]) => id)
      .filter((id) => !callers.some((text) => text.includes(`"${id}"`)));
    expect(uncalled).toEqual([]);
    expect(resources('AWS::Lambda::Function').some(([id]) => id.startsWith('PublishAlert'))).toBe(false);
    expect(resources('AWS::Lambda::Version')).toEqual([]);
    expect(resources('AWS::Lambda::Version', withSlack)).toEqual([]);
  });
});
