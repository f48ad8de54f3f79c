import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../lib/aws/errors';
import { attachExecutionName, EXECUTION_NAME_MAX } from '../../lib/sagemaker/execution-name';
import { readFileSync } from 'node:fs';
import { normalizeEvent, readEvent } from '../../lib/sagemaker/events';
import { endpointLifecycle, endpointSettling, jobLifecycle, normalizeStatus } from '../../lib/sagemaker/status';
import { toEpochMs, toIsoTime } from '../../lib/sagemaker/time';
import { fixture } from './attach-fixtures';

describe('normalizeStatus', () => {
  it.each([
    ['IN_SERVICE', 'InService'],
    ['UPDATING', 'Updating'],
    ['OUT_OF_SERVICE', 'OutOfService'],
    ['SYSTEM_UPDATING', 'SystemUpdating'],
    ['UPDATE_ROLLBACK_FAILED', 'UpdateRollbackFailed'],
    ['ROLLING_BACK', 'RollingBack'],
    ['FAILED', 'Failed'],
    ['InService', 'InService'],
    ['InProgress', 'InProgress'],
    ['Completed', 'Completed'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeStatus(input)).toBe(expected);
  });

  it('decides lifecycles on the Describe spelling', () => {
    expect(endpointLifecycle('InService')).toBe('attach');
    expect(endpointLifecycle('Updating')).toBe('keep');
    expect(endpointSettling('Updating')).toBe(true);
    expect(endpointLifecycle('OutOfService')).toBe('keep');
    expect(endpointSettling('OutOfService')).toBe(false);
    expect(endpointLifecycle('Deleting')).toBe('detach');
    expect(endpointLifecycle('Failed')).toBe('detach');
    expect(jobLifecycle('InProgress')).toBe('attach');
    expect(jobLifecycle('Stopping')).toBe('attach');
    expect(jobLifecycle('Completed')).toBe('detach');
    expect(jobLifecycle('Failed')).toBe('detach');
  });
});

describe('toEpochMs', () => {
  it('reads ISO strings, epoch-ms numbers (with a .0) and epoch-ms strings alike', () => {
    const ms = Date.UTC(2024, 5, 1, 10, 20, 0, 456);
    expect(toEpochMs('2024-06-01T10:20:00.456Z')).toBe(ms);
    expect(toEpochMs(ms)).toBe(ms);
    expect(toEpochMs(ms + 0.0)).toBe(ms);
    expect(toEpochMs(String(ms))).toBe(ms);
    expect(toEpochMs(`${ms}.0`)).toBe(ms);
    expect(toEpochMs(new Date(ms))).toBe(ms);
    expect(toIsoTime('1717237800000')).toBe('2024-06-01T10:30:00.000Z');
  });

  it('gives undefined for what is not a time', () => {
    for (const bad of ['', 'soon', null, undefined, {}, Number.NaN, -5, 'Timestamp']) expect(toEpochMs(bad)).toBeUndefined();
  });
});

describe('normalizeEvent', () => {
  it('endpoint state change: UPPER_SNAKE status, epoch-ms string time, float ms detail times, tags map', () => {
    const event = normalizeEvent(fixture('endpoint-state-change.in-service.json'));
    expect(event).toEqual({
      detailType: 'SageMaker Endpoint State Change',
      eventId: '7c1e2f3a-0b4d-4e5f-8a9b-0c1d2e3f4a5b',
      changeTime: '2024-06-01T11:00:00.456Z',
      detail: expect.objectContaining({ EndpointName: 'fraud-scorer' }),
      resource: {
        kind: 'endpoint',
        name: 'fraud-scorer',
        arn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/fraud-scorer',
        status: 'InService',
        eventTime: '2024-06-01T11:00:01.000Z',
        region: 'eu-west-1',
        account: '111122223333',
        tags: { team: 'risk', 'sagewatch:latency-avg-ms': '250' },
      },
    });
  });

  it('endpoint deployment state change: ISO time, UPDATING', () => {
    const { resource, changeTime } = normalizeEvent(fixture('endpoint-deployment-state-change.updating.json'));
    expect(resource).toMatchObject({ kind: 'endpoint', name: 'fraud-scorer', status: 'Updating', eventTime: '2024-06-01T11:06:40.000Z' });
    expect(changeTime).toBe('2024-06-01T11:06:40.000Z');
  });

  it.each([
    ['training-job-state-change.in-progress.json', 'training-job', 'churn-xgb-2024-06-01', 'InProgress'],
    ['training-job-state-change.failed.json', 'training-job', 'churn-xgb-2024-06-01', 'Failed'],
    ['processing-job-state-change.completed.json', 'processing-job', 'features-daily-0601', 'Completed'],
    ['transform-job-state-change.in-progress.json', 'transform-job', 'score-backlog-0601', 'InProgress'],
    ['hyperparameter-tuning-job-state-change.failed.json', 'hyper-parameter-tuning-job', 'churn-hpo-17', 'Failed'],
    ['pipeline-execution-status-change.failed.json', 'pipeline-execution', 'churn-retrain/k3v9q2x7m1p4', 'Failed'],
    ['labeling-job-state-change.in-progress.json', 'labeling-job', 'invoice-fields-batch-9', 'InProgress'],
  ])('%s → %s %s (%s)', (file, kind, name, status) => {
    const { resource } = normalizeEvent(fixture(file));
    expect(resource).toMatchObject({ kind, name, status, region: 'eu-west-1', account: '111122223333' });
    expect(resource.arn).toMatch(/^arn:aws:sagemaker:eu-west-1:111122223333:/);
  });

  it('takes the change time from the latest of LastModifiedTime and the end time', () => {
    expect(normalizeEvent(fixture('training-job-state-change.failed.json')).changeTime).toBe('2024-06-01T09:05:10.000Z');
    expect(normalizeEvent(fixture('processing-job-state-change.completed.json')).changeTime).toBe('2024-06-01T05:00:05.000Z');
    expect(normalizeEvent(fixture('pipeline-execution-status-change.failed.json')).changeTime).toBe('2024-06-01T01:42:30.000Z');
  });

  it('accepts tags as a list of Key/Value pairs too', () => {
    const event = fixture('endpoint-state-change.deleting.json') as { detail: Record<string, unknown> };
    event.detail.Tags = [{ Key: 'team', Value: 'risk' }];
    expect(normalizeEvent(event).resource.tags).toEqual({ team: 'risk' });
  });

  it('rejects other sources, unknown detail types and details without a name', () => {
    const base = fixture('endpoint-state-change.in-service.json');
    expect(() => normalizeEvent({ ...base, source: 'aws.ec2' })).toThrow(InvalidEventError);
    expect(() => normalizeEvent({ ...base, 'detail-type': 'SageMaker Model State Change' })).toThrow(/unsupported detail-type/);
    expect(() => normalizeEvent({ ...base, detail: { EndpointStatus: 'IN_SERVICE' } })).toThrow(/without EndpointName/);
  });

  it('never crashes on garbage: it normalises or throws InvalidEventError', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('SageMaker Endpoint State Change', 'SageMaker Training Job State Change', 'SageMaker Model Building Pipeline Execution Status Change', 'AWS API Call via CloudTrail'),
        (detail, detailType) => {
          for (const event of [detail, { source: 'aws.sagemaker', 'detail-type': detailType, detail }]) {
            try {
              normalizeEvent(event);
              readEvent(event);
            } catch (error) {
              expect(error).toBeInstanceOf(InvalidEventError);
            }
          }
        },
      ),
    );
  });
});

/** CloudTrail records of inference-component calls as EventBridge delivers them (the rule fixtures). */
const cloudTrail = (call: 'create' | 'update' | 'delete') =>
  JSON.parse(readFileSync(new URL(`../fixtures/eventbridge/rules/positive/inference-component-${call}-cloudtrail.json`, import.meta.url), 'utf8')) as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };

describe('readEvent: CloudTrail inference-component calls', () => {
  it('CreateInferenceComponent names the endpoint to converge, and the component', () => {
    const event = normalizeEvent(cloudTrail('create'));
    expect(event.resource).toEqual({ kind: 'endpoint', name: 'llm-shared', eventTime: '2024-06-03T09:14:27.000Z', region: 'eu-west-1', account: '123456789012', tags: {} });
    expect(event).toMatchObject({ detailType: 'AWS API Call via CloudTrail', inferenceComponent: 'summarizer-ic', eventId: '9a4b7c2e-1d3f-4a5b-8c6d-2e0f1a3b4c5d' });
  });

  it.each([
    ['update', 'UpdateInferenceComponent', '2024-06-03T11:02:51.000Z'],
    ['delete', 'DeleteInferenceComponent', '2024-06-03T17:45:09.000Z'],
  ] as const)('%s names only the component: the endpoint is left to the describe', (file, call, eventTime) => {
    const event = readEvent(cloudTrail(file));
    expect(event).toEqual({
      inferenceComponent: 'summarizer-ic',
      call,
      detailType: 'AWS API Call via CloudTrail',
      eventId: expect.any(String),
      eventTime,
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(() => normalizeEvent(cloudTrail(file))).toThrow(new RegExp(`${call} names only inference component summarizer-ic`));
  });

  it('refuses other CloudTrail calls, other services and calls without a component name', () => {
    const create = cloudTrail('create');
    expect(() => readEvent({ ...create, detail: { ...create.detail, eventName: 'CreateEndpoint' } })).toThrow(InvalidEventError);
    expect(() => readEvent({ ...create, detail: { ...create.detail, eventSource: 'ec2.amazonaws.com' } })).toThrow(/unsupported CloudTrail call/);
    expect(() => readEvent({ ...create, detail: { ...create.detail, requestParameters: { endpointName: 'llm-shared' } } })).toThrow(/without requestParameters.inferenceComponentName/);
    expect(() => readEvent({ ...create, detail: { ...create.detail, requestParameters: null } })).toThrow(InvalidEventError);
  });

  it('a Create without its endpoint name is resolved like an Update', () => {
    const create = cloudTrail('create');
    expect(readEvent({ ...create, detail: { ...create.detail, requestParameters: { inferenceComponentName: 'summarizer-ic' } } })).toMatchObject({
      inferenceComponent: 'summarizer-ic',
      call: 'CreateInferenceComponent',
    });
  });
});

describe('attachExecutionName', () => {
  it('names a CloudTrail call by its component, call and CloudTrail event id: one execution per call', () => {
    const update = readEvent(cloudTrail('update'));
    expect(attachExecutionName(update)).toBe('ic-summarizer-ic-Update-b1c3d5e7-f9a2-4b4c-8d6e-0f1a2b3c4d5e');
    expect(attachExecutionName(readEvent({ ...cloudTrail('update'), id: 'another-delivery' }))).toBe(attachExecutionName(update));
    expect(attachExecutionName(readEvent(cloudTrail('create')))).toBe('ic-summarizer-ic-Create-9a4b7c2e-1d3f-4a5b-8c6d-2e0f1a3b4c5d');
    expect(attachExecutionName(readEvent(cloudTrail('delete')))).not.toBe(attachExecutionName(update));
  });

  it('is the same for the several events of one change and differs for the next change', () => {
    const stateChange = normalizeEvent(fixture('endpoint-state-change.in-service.json'));
    const duplicate = normalizeEvent({ ...fixture('endpoint-state-change.in-service.json'), id: 'another-delivery', time: '2024-06-01T11:00:03Z' });
    expect(attachExecutionName(stateChange)).toBe('ep-fraud-scorer-InService-1717239600456');
    expect(attachExecutionName(duplicate)).toBe(attachExecutionName(stateChange));
    expect(attachExecutionName(normalizeEvent(fixture('endpoint-deployment-state-change.updating.json')))).toBe('ep-fraud-scorer-Updating-1717240000000');
  });

  it('stays within 80 allowed characters, unique through a hash when cut', () => {
    const event = normalizeEvent(fixture('pipeline-execution-status-change.failed.json'));
    expect(attachExecutionName(event)).toBe('pipe-churn-retrain-k3v9q2x7m1p4-Failed-1717206150000');
    const long = (name: string) => attachExecutionName({ ...event, resource: { ...event.resource, kind: 'training-job', name }, changeTime: '2024-06-01T00:00:00Z' });
    const a = long('a'.repeat(63));
    const b = long(`${'a'.repeat(62)}b`);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(a).not.toBe(b);
  });
});
