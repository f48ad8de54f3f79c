import { describe, expect, it } from 'vitest';
import { planSettings, settingsFromConfig } from '../../lib/attach/settings';
import { SettingsError } from '../../lib/attach/errors';

const complete = {
  region: 'eu-west-1',
  metricsNamespace: 'sagewatch',
  alertsTopicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
  logDestinationArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/logs',
  logRoleArn: 'arn:aws:iam::111122223333:role/cwl',
  metricStreamFirehoseArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/metrics',
  metricStreamRoleArn: 'arn:aws:iam::111122223333:role/streams',
  notificationsQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:notifications',
};

describe('settingsFromConfig', () => {
  it('takes the config keys, with thresholds as JSON text', () => {
    expect(settingsFromConfig({ ...complete, thresholds: '{"modelLatencyMs":500}' })).toEqual({
      ...complete,
      namePrefix: 'sagewatch',
      logFilterPattern: '',
      metricStreamOutputFormat: 'json',
      thresholds: { modelLatencyMs: 500 },
    });
  });

  it('names every missing or invalid key', () => {
    expect(() => settingsFromConfig({ region: 'eu-west-1', metricsNamespace: 'sagewatch', alertsTopicArn: 'not-an-arn' })).toThrow(SettingsError);
    expect(() => settingsFromConfig({ region: 'eu-west-1', metricsNamespace: 'sagewatch' })).toThrow(/logDestinationArn.*metricStreamFirehoseArn/s);
    expect(() => settingsFromConfig({ ...complete, thresholds: '{"latencyP99":5}' })).toThrow(/thresholds/);
    expect(() => settingsFromConfig({ ...complete, thresholds: '{not json' })).toThrow('thresholds: not valid JSON');
    expect(() => settingsFromConfig({ ...complete, namePrefix: 'acme' })).toThrow(/namePrefix/);
    expect(settingsFromConfig({ ...complete, namePrefix: 'sagewatch-prod' }).namePrefix).toBe('sagewatch-prod');
  });
});

describe('planSettings', () => {
  it("names the stack's resources in the account and region, in the region's partition", () => {
    const settings = planSettings({ region: 'cn-north-1', account: '111122223333' });
    expect(settings.alertsTopicArn).toBe('arn:aws-cn:sns:cn-north-1:111122223333:sagewatch-alerts');
    expect(planSettings({ region: 'eu-west-1', account: '111122223333', overrides: { metricsNamespace: 'x' } }).metricsNamespace).toBe('x');
  });
});
