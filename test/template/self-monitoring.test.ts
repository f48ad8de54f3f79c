import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/functions';
import { lambdaLogicalId } from '../../infra/names';
import { inventoryTable, stateTable } from '../../lib/store/schema';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { renderString } from './validate/intrinsics';
import { deadLetterQueues, healthProblems } from './validate/health';

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageTemplate('ci'));
}, 180_000);

const props = (id: string) => template.Resources[id]?.Properties ?? {};

describe('sagewatch watching itself', () => {
  it('alarms on every function, stream consumer, dead-letter queue, state machine and rule target of the template', () => {
    expect(healthProblems(template, 'AlertsTopic', 'sagewatch-ci-health-')).toEqual([]);
    expect([...deadLetterQueues(template)].sort()).toEqual(['EventRulesDeadLetterQueue', 'NotificationsDeadLetterQueue', 'NotifySlackFailuresQueue', 'ProcessLogsFailuresQueue']);
  });

  it('alarms on the iterator age of processLogs, the dead-letter queues, and errors and throttles of every function', () => {
    const alarms = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => resource.Properties!.AlarmName);
    expect(alarms).toEqual(
      expect.arrayContaining([
        'sagewatch-ci-health-processLogs-iterator-age',
        'sagewatch-ci-health-process-logs-failures-depth',
        'sagewatch-ci-health-notifications-dlq-depth',
        ...Object.keys(FUNCTION_SPECS).flatMap((key) => [`sagewatch-ci-health-${key}-errors`, `sagewatch-ci-health-${key}-throttles`]),
      ]),
    );
    expect(props('HealthNotificationsDlqDepthAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['NotificationsDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    });
    expect(props('HealthProcessLogsIteratorAgeAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ProcessLogsLambdaFunction' } }],
    });
  });

  it('draws the sagewatch-<stage>-health dashboard with every health alarm and every function', () => {
    expect(props('HealthDashboard').DashboardName).toBe('sagewatch-ci-health');
    const body = renderString(props('HealthDashboard').DashboardBody)!;
    const dashboard = JSON.parse(body) as { widgets: Array<{ type: string; properties: { alarms?: string[]; metrics?: unknown[][] } }> };
    const alarmIds = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => `\${${id}.Arn}`);
    expect(dashboard.widgets.find((widget) => widget.type === 'alarm')?.properties.alarms?.sort()).toEqual(alarmIds.sort());
    for (const key of Object.keys(FUNCTION_SPECS)) expect(body).toContain(`"FunctionName","\${${lambdaLogicalId(key)}}"`);
    for (const widget of dashboard.widgets.filter((w) => w.type === 'metric')) expect(widget.properties).toMatchObject({ region: '${AWS::Region}' });
  });

  it('notices a function, a dead-letter queue or a state machine without its alarm', () => {
    const copy = structuredClone(template);
    delete copy.Resources.HealthProcessNotificationsThrottlesAlarm;
    delete copy.Resources.HealthNotificationsDlqDepthAlarm;
    copy.Resources.Machine = { Type: 'AWS::StepFunctions::StateMachine', Properties: {} };
    copy.Resources.Stray = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'other-alarm', AlarmActions: [] } };
    expect(healthProblems(copy, 'AlertsTopic', 'sagewatch-ci-health-').sort()).toEqual(
      [
        'ProcessNotificationsLambdaFunction: no Throttles alarm',
        'NotificationsDeadLetterQueue: dead-letter queue without a depth alarm',
        'Machine: no ExecutionsFailed alarm',
        'Stray: alarm name other-alarm outside sagewatch-ci-health-*',
        'Stray: does not notify AlertsTopic',
      ].sort(),
    );
  });
});

describe('control-plane resources', () => {
  it('creates the alerts topic, encrypted with its own key', () => {
    expect(props('AlertsTopic')).toMatchObject({ TopicName: 'sagewatch-ci-alerts', KmsMasterKeyId: { Ref: 'AlertsTopicKey' } });
    expect(props('AlertsTopicKey')).toMatchObject({ EnableKeyRotation: true });
  });

  it('creates the inventory and state tables with the layouts of lib/store/schema, the state table expiring', () => {
    const names = { requests: 'sagewatch-ci-requests', inventory: 'sagewatch-ci-inventory', state: 'sagewatch-ci-state' };
    expect(props('InventoryTable')).toMatchObject({ ...inventoryTable(names), SSESpecification: { SSEEnabled: true } });
    expect(props('StateTable')).toMatchObject({ ...stateTable(names), TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    // The control plane's tombstones of detached resources expire too.
    expect(props('InventoryTable')).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('tells every function where the tables and the topic are', () => {
    for (const key of Object.keys(FUNCTION_SPECS)) {
      expect((props(lambdaLogicalId(key)).Environment as { Variables: unknown }).Variables).toMatchObject({
        REQUESTS_TABLE: { Ref: 'RequestsTable' },
        INVENTORY_TABLE: { Ref: 'InventoryTable' },
        STATE_TABLE: { Ref: 'StateTable' },
        ALERTS_TOPIC_ARN: { Ref: 'AlertsTopic' },
      });
    }
  });
});
