import { describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { reportAlerts } from '../../lib/attach/report';
import { createHandler } from '../../functions/report-problems';
import { fixture, NOW } from './attach-fixtures';

const resource = { kind: 'endpoint' as const, name: 'fraud-scorer', region: 'eu-west-1', account: '111122223333', tags: {} };

describe('reportAlerts', () => {
  it('one alert per problem, of the kind the alerts model knows', () => {
    const alerts = reportAlerts(
      {
        resource,
        problems: [
          { code: 'LogSubscriptionSlotsFull', key: 'LogSubscriptionSlotsFull:/aws/sagemaker/Endpoints/fraud-scorer', message: 'log group full' },
          { code: 'AsyncNotificationTopicsMissing', key: 'AsyncNotificationTopicsMissing:ErrorTopic', message: 'no error topic' },
          { code: 'AttachmentFailed', key: 'alarm:x', message: 'PutMetricAlarm failed', action: 'cloudwatch:PutMetricAlarm', error: 'Throttling' },
        ],
      },
      NOW,
    );
    expect(alerts.map((a) => [a.kind, a.severity, a.key])).toEqual([
      ['subscription-slots-full', 'warning', 'LogSubscriptionSlotsFull:/aws/sagemaker/Endpoints/fraud-scorer'],
      ['missing-notification-topics', 'warning', 'AsyncNotificationTopicsMissing:ErrorTopic'],
      ['attachment-failed', 'warning', 'alarm:x'],
    ]);
    expect(alerts[0]!.resource).toEqual({ type: 'endpoint', name: 'fraud-scorer', region: 'eu-west-1', account: '111122223333' });
    expect(alerts[2]!.evidence.facts).toEqual([
      { name: 'Problem', value: 'AttachmentFailed' },
      { name: 'Action', value: 'cloudwatch:PutMetricAlarm' },
      { name: 'Error', value: 'Throttling' },
    ]);
    expect(alerts[0]!.detectedAt).toBe(new Date(NOW).toISOString());
  });

  it('a workflow failure is a critical alert naming the step and the error', () => {
    const [alert] = reportAlerts({ resource: { ...resource, kind: 'hyper-parameter-tuning-job', name: 'hpo-1' }, error: { Error: 'States.Timeout', Cause: 'task timed out' }, step: 'Converge' }, NOW);
    expect(alert).toMatchObject({
      kind: 'attachment-failed',
      severity: 'critical',
      key: 'workflow:Converge:States.Timeout',
      title: 'sagewatch could not converge hyper-parameter-tuning-job hpo-1',
      description: 'Step Converge failed after its retries: States.Timeout: task timed out',
      resource: { type: 'tuning-job', name: 'hpo-1' },
    });
  });
});

describe('report-problems handler', () => {
  it('takes the resource from the failed state input’s event when it has no resource yet', async () => {
    const publisher = new MemoryPublisher();
    const handler = createHandler({ publisher, now: () => NOW });
    const result = await handler({ event: fixture('endpoint-state-change.in-service.json'), attempt: 0, error: { Error: 'AccessDeniedException', Cause: 'denied' }, step: 'Describe' });
    expect(result).toEqual({ published: 1 });
    expect(publisher.published[0]).toMatchObject({ resource: { type: 'endpoint', name: 'fraud-scorer', region: 'eu-west-1' }, severity: 'critical' });
  });

  it('reports even when nothing about the resource is known', async () => {
    const publisher = new MemoryPublisher();
    await createHandler({ publisher, now: () => NOW })({ listing: {}, error: { Error: 'AccessDeniedException' }, step: 'ListResources' });
    expect(publisher.published[0]!.resource).toEqual({ type: 'alarm', name: 'sagewatch control plane' });
  });

  it('publishes nothing when there is nothing to report', async () => {
    const publisher = new MemoryPublisher();
    expect(await createHandler({ publisher, now: () => NOW })({ resource, problems: [] })).toEqual({ published: 0 });
  });
});
