import { CloudWatchClient, DeleteMetricStreamCommand, ListMetricStreamsCommand, PutMetricStreamCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListLabelingJobsCommand,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsGateway } from '../../lib/attach/aws-gateway';
import { memberRecordName, streamInput } from '../../lib/attach/metric-stream';
import { MemoryInventory } from '../../lib/attach/memory-inventory';
import { fingerprint } from '../../lib/names/owned';
import { findOrphans, listResourcesPage, sweepMetricStreams, type ListCursor } from '../../lib/attach/reconcile';
import { Pacer } from '../../lib/attach/retry';
import type { ResourceRecord } from '../../lib/store/inventory';
import { fixture, NOW, SETTINGS } from './attach-fixtures';

const sagemaker = mockClient(SageMakerClient);
const cw = mockClient(CloudWatchClient);
const client = new SageMakerClient({ region: 'eu-west-1' });

beforeEach(() => {
  sagemaker.reset();
  cw.reset();
});

describe('listResourcesPage', () => {
  it('walks every source page by page: endpoints, then running jobs of each kind', async () => {
    sagemaker
      .on(ListEndpointsCommand)
      .resolvesOnce({ Endpoints: [{ EndpointName: 'a', EndpointArn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/a', EndpointStatus: 'InService' } as never], NextToken: 't1' })
      .resolvesOnce({ Endpoints: [{ EndpointName: 'b', EndpointStatus: 'Updating' } as never] });
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 't', TrainingJobStatus: 'InProgress' } as never] });
    sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
    sagemaker.on(ListTransformJobsCommand).resolves({ TransformJobSummaries: [] });
    sagemaker.on(ListHyperParameterTuningJobsCommand).resolves({ HyperParameterTuningJobSummaries: [{ HyperParameterTuningJobName: 'h', HyperParameterTuningJobStatus: 'InProgress' } as never] });
    sagemaker.on(ListLabelingJobsCommand).resolves({ LabelingJobSummaryList: [] });

    const pages = [];
    let cursor: ListCursor | undefined;
    do {
      const page = await listResourcesPage(client, cursor, NOW);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor);

    expect(pages.map((p) => p.resources.map((r) => `${r.kind}/${r.name}:${r.status}`))).toEqual([
      ['endpoint/a:InService'],
      ['endpoint/b:Updating'],
      ['training-job/t:InProgress'],
      [],
      [],
      ['hyper-parameter-tuning-job/h:InProgress'],
      [],
    ]);
    expect(pages.map((p) => p.cursor)).toEqual([
      { source: 'endpoints', token: 't1' },
      { source: 'training-jobs' },
      { source: 'processing-jobs' },
      { source: 'transform-jobs' },
      { source: 'tuning-jobs' },
      { source: 'labeling-jobs' },
      undefined,
    ]);
    expect(sagemaker).toHaveReceivedNthCommandWith(ListEndpointsCommand, 1, { MaxResults: 100 });
    expect(sagemaker).toHaveReceivedNthCommandWith(ListEndpointsCommand, 2, { MaxResults: 100, NextToken: 't1' });
    for (const command of [ListTrainingJobsCommand, ListProcessingJobsCommand, ListTransformJobsCommand, ListHyperParameterTuningJobsCommand, ListLabelingJobsCommand]) {
      expect(sagemaker).toHaveReceivedCommandWith(command as never, { MaxResults: 100, StatusEquals: 'InProgress' } as never);
    }
    expect(pages[0]!.resources[0]).toEqual({
      kind: 'endpoint',
      name: 'a',
      arn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/a',
      status: 'InService',
      eventTime: new Date(NOW).toISOString(),
      tags: {},
    });
  });
});

function attached(key: string): ResourceRecord {
  const [kind, name] = key.split('/') as [ResourceRecord['kind'], string];
  return { key, kind, name, kinds: [], status: 'InService', state: 'attached', ignored: false, observedAt: 1, gaps: [], updatedAt: '2024-05-01T00:00:00Z' };
}

describe('findOrphans', () => {
  it('returns attached entries whose resource is gone or has ended; keeps live ones and tombstones out', async () => {
    const inventory = new MemoryInventory();
    await inventory.putResource(attached('endpoint/live'));
    await inventory.putResource(attached('endpoint/deleted'));
    await inventory.putResource({ ...attached('endpoint/tombstone'), state: 'detached' });
    await inventory.putResource(attached('training-job/churn-xgb-2024-06-01'));
    sagemaker.on(DescribeEndpointCommand, { EndpointName: 'live' }).resolves({ EndpointName: 'live', EndpointStatus: 'InService', EndpointConfigName: 'c' } as never);
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'deleted' })
      .rejects(new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message: 'Could not find endpoint "deleted".' }));
    sagemaker.on(DescribeTrainingJobCommand).resolves(fixture('describe/training-job.failed.json').job as never);
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });

    const page = await findOrphans(inventory, client, undefined);

    expect(page.orphans.map((r) => `${r.kind}/${r.name}`)).toEqual(['endpoint/deleted', 'training-job/churn-xgb-2024-06-01']);
    expect(sagemaker).not.toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'tombstone' });
  });
});

describe('sweepMetricStreams', () => {
  const gateway = createAwsGateway(
    { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
    { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, pacer: new Pacer(Number.POSITIVE_INFINITY) },
  );

  it("recreates the stream when it has members but vanished, with the union of its members' kinds", async () => {
    const inventory = new MemoryInventory();
    await inventory.addStreamMember(memberRecordName(SETTINGS, 'async'), 'async', 'endpoint/doc-ocr-async');
    await inventory.addStreamMember(memberRecordName(SETTINGS, 'real-time'), 'real-time', 'endpoint/fraud-scorer');
    await inventory.setStreamFingerprint('sagewatch_metrics', 'metrics', fingerprint(streamInput(['async', 'real-time'], SETTINGS)));
    cw.on(ListMetricStreamsCommand).resolves({ Entries: [{ Name: 'team-stream' }] });
    cw.on(PutMetricStreamCommand).resolves({});

    const result = await sweepMetricStreams({ gateway, inventory, settings: SETTINGS });

    expect(result).toEqual({ created: ['sagewatch_metrics'], deleted: [], problems: [] });
    expect(cw).toHaveReceivedCommandExactlyOnceWith(PutMetricStreamCommand, streamInput(['async', 'real-time'], SETTINGS) as never);
    expect(cw).not.toHaveReceivedCommand(DeleteMetricStreamCommand);
  });

  it('migrates per-kind streams of earlier versions: ours without members deleted, ours with members kept until they move, others untouched', async () => {
    const inventory = new MemoryInventory();
    await inventory.addStreamMember(memberRecordName(SETTINGS, 'async'), 'async', 'endpoint/doc-ocr-async');
    await inventory.setStreamFingerprint('sagewatch_metrics', 'metrics', fingerprint(streamInput(['async'], SETTINGS)));
    // Per-kind streams of the version before: one still recorded by a resource, one emptied, one unrecorded.
    await inventory.addStreamMember('sagewatch_real-time', 'real-time', 'endpoint/fraud-scorer');
    await inventory.addStreamMember('sagewatch_serverless', 'serverless', 'endpoint/x');
    await inventory.removeStreamMember('sagewatch_serverless', 'endpoint/x');
    cw.on(ListMetricStreamsCommand).resolves({
      Entries: [
        { Name: 'sagewatch_metrics' },
        { Name: 'sagewatch_real-time' },
        { Name: 'sagewatch_serverless' },
        { Name: 'sagewatch_training-job' },
        { Name: 'team-stream' },
        { Name: 'sagewatch-prod_async' },
      ],
    });
    cw.on(DeleteMetricStreamCommand).resolves({});

    const result = await sweepMetricStreams({ gateway, inventory, settings: SETTINGS });

    expect(result).toEqual({ created: [], deleted: ['sagewatch_serverless', 'sagewatch_training-job'], problems: [] });
    expect(cw).not.toHaveReceivedCommand(PutMetricStreamCommand);
    expect(cw).toHaveReceivedCommandTimes(DeleteMetricStreamCommand, 2);
    for (const kept of ['sagewatch_metrics', 'sagewatch_real-time', 'team-stream', 'sagewatch-prod_async']) expect(cw).not.toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: kept });
    expect((await inventory.listStreams()).map((s) => s.name)).toEqual(['sagewatch_metrics', 'sagewatch_metrics.async', 'sagewatch_real-time']);
  });

  it('a stream whose filters changed (a newer profile) is updated; one without members is deleted', async () => {
    const inventory = new MemoryInventory();
    await inventory.addStreamMember(memberRecordName(SETTINGS, 'async'), 'async', 'endpoint/doc-ocr-async');
    await inventory.setStreamFingerprint('sagewatch_metrics', 'metrics', 'fingerprint-of-an-older-profile');
    cw.on(ListMetricStreamsCommand).resolves({ Entries: [{ Name: 'sagewatch_metrics' }] });
    cw.on(PutMetricStreamCommand).resolves({});
    cw.on(DeleteMetricStreamCommand).resolves({});
    expect((await sweepMetricStreams({ gateway, inventory, settings: SETTINGS })).created).toEqual(['sagewatch_metrics']);

    await inventory.removeStreamMember(memberRecordName(SETTINGS, 'async'), 'endpoint/doc-ocr-async');
    expect((await sweepMetricStreams({ gateway, inventory, settings: SETTINGS })).deleted).toEqual(['sagewatch_metrics']);
    expect(cw).toHaveReceivedCommandWith(DeleteMetricStreamCommand, { Name: 'sagewatch_metrics' });
  });
});
