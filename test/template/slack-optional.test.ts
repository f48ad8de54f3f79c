import { beforeAll, describe, expect, it } from 'vitest';
import { isSlackDeliveryAlarm } from '../../lib/alerts/self-alarms';
import { packageTemplate, type CfnTemplate } from '../support/template';

/** The same parameters as params.test.ts, so the packaged template is shared. */
const WITH_SLACK = {
  metricsNamespace: 'acme/sagewatch',
  retentionDays: '7',
  logRetentionDays: '14',
  logLevel: 'DEBUG',
  failureBurstThreshold: '3',
  latencyThresholdMs: '60000',
  alarmThresholds: '{"modelLatencyMs":500}',
  slackWebhookSecret: 'ssm:/acme/slack-webhook',
};

let withoutSlack: CfnTemplate;
let withSlack: CfnTemplate;
beforeAll(async () => {
  [{ template: withoutSlack }, { template: withSlack }] = await Promise.all([packageTemplate('ci'), packageTemplate('ci', { params: WITH_SLACK })]);
}, 300_000);

/** What delivers the alerts topic to the notify-slack function: subscriptions and invoke permissions. */
function slackDeliveries(template: CfnTemplate) {
  const refersToSlack = (value: unknown) => JSON.stringify(value).includes('NotifySlackLambdaFunction');
  return Object.entries(template.Resources)
    .filter(
      ([, r]) =>
        (r.Type === 'AWS::SNS::Subscription' && refersToSlack(r.Properties?.Endpoint)) ||
        (r.Type === 'AWS::Lambda::Permission' && refersToSlack(r.Properties?.FunctionName) && r.Properties?.Principal === 'sns.amazonaws.com'),
    )
    .map(([, r]) => r.Type)
    .sort();
}

describe('Slack is optional', () => {
  it('without a webhook secret, nothing delivers alerts to notify-slack: alerts stay on the SNS topic, nothing fails', () => {
    expect(slackDeliveries(withoutSlack)).toEqual([]);
  });

  it('with a webhook secret, the topic delivers to notify-slack, once', () => {
    expect(slackDeliveries(withSlack)).toEqual(['AWS::Lambda::Permission', 'AWS::SNS::Subscription']);
  });
});

describe('the health alarms about Slack delivery', () => {
  /** Alarms whose metric is notify-slack's own (its function, its failure queue). */
  const watchesSlack = (template: CfnTemplate) =>
    Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && /NotifySlackLambdaFunction|NotifySlackFailuresQueue/.test(JSON.stringify(r.Properties?.Dimensions)));

  it('are exactly the alarms notify-slack never fails on (so a broken webhook cannot loop through them)', () => {
    const all = Object.values(withSlack.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const own = watchesSlack(withSlack)
      .map((r) => String(r.Properties!.AlarmName))
      .sort();
    expect(own).toEqual(['sagewatch-ci-health-notify-slack-failures-depth', 'sagewatch-ci-health-notifySlack-errors', 'sagewatch-ci-health-notifySlack-throttles']);
    const recognised = all
      .map((r) => String(r.Properties!.AlarmName))
      .filter((name) => isSlackDeliveryAlarm(JSON.stringify({ AlarmName: name, NewStateValue: 'ALARM' }), 'sagewatch-ci'))
      .sort();
    expect(recognised).toEqual(own);
  });

  it('notify the alerts topic, which reaches the other subscribers (the loop the notifier breaks is real)', () => {
    for (const alarm of watchesSlack(withSlack)) {
      expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: 'AlertsTopic' }]);
      expect(alarm.Properties!.OKActions).toEqual([{ Ref: 'AlertsTopic' }]);
    }
  });
});
