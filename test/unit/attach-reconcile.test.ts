import { CloudWatchClient, DeleteMetricStreamCommand, ListMetricStreamsCommand, PutMetricStreamCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListLabelingJobsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
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
import { listExecutingPipelineExecutions, PIPELINE_EXECUTION_TIMEOUT_MS, type PipelineWalk } from '../../lib/attach/pipeline-executions';
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
  it('walks every source page by page: endpoints, then running jobs of each kind, then pipeline executions', async () => {
    sagemaker
      .on(ListEndpointsCommand)
      .resolvesOnce({ Endpoints: [{ EndpointName: 'a', EndpointArn: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/a', EndpointStatus: 'InService' } as never], NextToken: 't1' })
      .resolvesOnce({ Endpoints: [{ EndpointName: 'b', EndpointStatus: 'Updating' } as never] });
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 't', TrainingJobStatus: 'InProgress' } as never] });
    sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
    sagemaker.on(ListTransformJobsCommand).resolves({ TransformJobSummaries: [] });
    sagemaker.on(ListHyperParameterTuningJobsCommand).resolves({ HyperParameterTuningJobSummaries: [{ HyperParameterTuningJobName: 'h', HyperParameterTuningJobStatus: 'InProgress' } as never] });
    sagemaker.on(ListLabelingJobsCommand).resolves({ LabelingJobSummaryList: [] });
    sagemaker.on(ListPipelinesCommand).resolves({ PipelineSummaries: [] });

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
      [],
    ]);
    expect(pages.map((p) => p.cursor)).toEqual([
      { source: 'endpoints', token: 't1' },
      { source: 'training-jobs' },
      { source: 'processing-jobs' },
      { source: 'transform-jobs' },
      { source: 'tuning-jobs' },
      { source: 'labeling-jobs' },
      { source: 'pipeline-executions' },
      undefined,
    ]);
    expect(sagemaker).toHaveReceivedCommandTimes(ListPipelinesCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(ListPipelinesCommand, { MaxResults: 100 });
    expect(sagemaker).not.toHaveReceivedCommand(ListPipelineExecutionsCommand);
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

const PIPELINE = (name: string) => `arn:aws:sagemaker:eu-west-1:111122223333:pipeline/${name}`;
const EXECUTION = (pipeline: string, id: string) => `${PIPELINE(pipeline)}/execution/${id}`;
const DAY = 86_400_000;
/** Every SageMaker call, in order, as `Command input`. */
const calls = () => sagemaker.calls().map((c) => [(c.args[0] as { constructor: { name: string } }).constructor.name, (c.args[0] as { input: unknown }).input]);
const executions = (pipeline: string, token?: string) => ({
  PipelineName: pipeline,
  CreatedAfter: new Date(NOW - PIPELINE_EXECUTION_TIMEOUT_MS),
  SortBy: 'CreationTime',
  SortOrder: 'Descending',
  MaxResults: 100,
  ...(token ? { NextToken: token } : {}),
});

describe('listResourcesPage: pipeline executions', () => {
  it('lists the Executing executions of every pipeline (paged per pipeline) as the references their events give; Succeeded, Failed and Stopping ones are not listed', async () => {
    sagemaker.on(ListPipelinesCommand).resolves({
      PipelineSummaries: [
        { PipelineName: 'churn-retrain', PipelineArn: PIPELINE('churn-retrain'), LastExecutionTime: new Date(NOW - 3_600_000) },
        // Last run 40 days ago: past the 672-hour execution timeout, nothing of it can run.
        { PipelineName: 'old-etl', PipelineArn: PIPELINE('old-etl'), LastExecutionTime: new Date(NOW - 40 * DAY) },
        { PipelineName: 'fraud-train', PipelineArn: PIPELINE('fraud-train'), LastExecutionTime: new Date(NOW - DAY) },
      ],
    });
    sagemaker
      .on(ListPipelineExecutionsCommand, { PipelineName: 'churn-retrain' })
      .resolvesOnce({
        PipelineExecutionSummaries: [
          { PipelineExecutionArn: EXECUTION('churn-retrain', 'k2x8w0q4m1zt'), PipelineExecutionStatus: 'Executing', StartTime: new Date(NOW - 3_600_000) },
          { PipelineExecutionArn: EXECUTION('churn-retrain', 'a1b2c3d4e5f6'), PipelineExecutionStatus: 'Succeeded', StartTime: new Date(NOW - DAY) },
        ],
        NextToken: 'e2',
      })
      .resolvesOnce({ PipelineExecutionSummaries: [{ PipelineExecutionArn: EXECUTION('churn-retrain', 'f6e5d4c3b2a1'), PipelineExecutionStatus: 'Failed' }] });
    sagemaker.on(ListPipelineExecutionsCommand, { PipelineName: 'fraud-train' }).resolves({
      PipelineExecutionSummaries: [
        { PipelineExecutionArn: EXECUTION('fraud-train', 'q9w8e7r6t5y4'), PipelineExecutionStatus: 'Stopping' },
        { PipelineExecutionArn: EXECUTION('fraud-train', 'z1x2c3v4b5n6'), PipelineExecutionStatus: 'Executing' },
      ],
    });

    const page = await listResourcesPage(client, { source: 'pipeline-executions' }, NOW);

    expect(calls()).toEqual([
      ['ListPipelinesCommand', { MaxResults: 100 }],
      ['ListPipelineExecutionsCommand', executions('churn-retrain')],
      ['ListPipelineExecutionsCommand', executions('churn-retrain', 'e2')],
      ['ListPipelineExecutionsCommand', executions('fraud-train')],
    ]);
    expect(page).toEqual({
      resources: [
        { kind: 'pipeline-execution', name: 'churn-retrain/k2x8w0q4m1zt', arn: EXECUTION('churn-retrain', 'k2x8w0q4m1zt'), status: 'Executing', eventTime: new Date(NOW).toISOString(), tags: {} },
        { kind: 'pipeline-execution', name: 'fraud-train/z1x2c3v4b5n6', arn: EXECUTION('fraud-train', 'z1x2c3v4b5n6'), status: 'Executing', eventTime: new Date(NOW).toISOString(), tags: {} },
      ],
    });
  });

  it('only Succeeded executions: nothing listed, the sweep ends', async () => {
    sagemaker.on(ListPipelinesCommand).resolves({ PipelineSummaries: [{ PipelineName: 'churn-retrain', LastExecutionTime: new Date(NOW - DAY) }] });
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [{ PipelineExecutionArn: EXECUTION('churn-retrain', 'a1b2c3d4e5f6'), PipelineExecutionStatus: 'Succeeded' }] });
    expect(await listResourcesPage(client, { source: 'pipeline-executions' }, NOW)).toEqual({ resources: [] });
    expect(calls()).toEqual([
      ['ListPipelinesCommand', { MaxResults: 100 }],
      ['ListPipelineExecutionsCommand', executions('churn-retrain')],
    ]);
  });

  it('a pipeline deleted between ListPipelines and ListPipelineExecutions is skipped; any other error fails the page', async () => {
    sagemaker.on(ListPipelinesCommand).resolves({ PipelineSummaries: [{ PipelineName: 'gone' }, { PipelineName: 'churn-retrain' }] });
    sagemaker
      .on(ListPipelineExecutionsCommand, { PipelineName: 'gone' })
      .rejects(new SageMakerServiceException({ name: 'ResourceNotFound', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Pipeline gone does not exist.' }));
    sagemaker
      .on(ListPipelineExecutionsCommand, { PipelineName: 'churn-retrain' })
      .resolvesOnce({ PipelineExecutionSummaries: [{ PipelineExecutionArn: EXECUTION('churn-retrain', 'k2x8w0q4m1zt'), PipelineExecutionStatus: 'Executing' }] })
      .rejects(new SageMakerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' }));
    const page = await listResourcesPage(client, { source: 'pipeline-executions' }, NOW);
    expect(page.resources.map((r) => r.name)).toEqual(['churn-retrain/k2x8w0q4m1zt']);
    expect(page.cursor).toBeUndefined();
    await expect(listResourcesPage(client, { source: 'pipeline-executions', pipelines: ['churn-retrain'] }, NOW)).rejects.toThrow('denied');
  });

  it("a page makes a bounded number of calls and carries the walk in the cursor: ListPipelines pages, then each pipeline's execution pages", async () => {
    sagemaker
      .on(ListPipelinesCommand)
      .resolvesOnce({ PipelineSummaries: [{ PipelineName: 'a' }, { PipelineName: 'b' }], NextToken: 'p2' })
      .resolvesOnce({ PipelineSummaries: [{ PipelineName: 'c' }] });
    sagemaker
      .on(ListPipelineExecutionsCommand, { PipelineName: 'a' })
      .resolvesOnce({ PipelineExecutionSummaries: [{ PipelineExecutionArn: EXECUTION('a', '1'), PipelineExecutionStatus: 'Executing' }], NextToken: 'a2' })
      .resolvesOnce({ PipelineExecutionSummaries: [] });
    sagemaker.on(ListPipelineExecutionsCommand, { PipelineName: 'b' }).resolves({ PipelineExecutionSummaries: [] });
    sagemaker.on(ListPipelineExecutionsCommand, { PipelineName: 'c' }).resolves({ PipelineExecutionSummaries: [{ PipelineExecutionArn: EXECUTION('c', '3'), PipelineExecutionStatus: 'Executing' }] });

    const walks: (PipelineWalk | undefined)[] = [];
    const found: string[][] = [];
    let walk: PipelineWalk | undefined = {};
    while (walk) {
      const out: { items: { arn: string }[]; next?: PipelineWalk } = await listExecutingPipelineExecutions(client, walk, NOW, 2);
      found.push(out.items.map((e) => e.arn));
      walk = out.next;
      walks.push(walk);
    }

    // Two calls a page: [ListPipelines, a's first page], [a's second page, b], [ListPipelines p2, c].
    expect(walks).toEqual([{ token: 'p2', pipelines: ['a', 'b'], executionsToken: 'a2' }, { token: 'p2' }, undefined]);
    expect(found).toEqual([[EXECUTION('a', '1')], [], [EXECUTION('c', '3')]]);
    expect(calls()).toEqual([
      ['ListPipelinesCommand', { MaxResults: 100 }],
      ['ListPipelineExecutionsCommand', executions('a')],
      ['ListPipelineExecutionsCommand', executions('a', 'a2')],
      ['ListPipelineExecutionsCommand', executions('b')],
      ['ListPipelinesCommand', { MaxResults: 100, NextToken: 'p2' }],
      ['ListPipelineExecutionsCommand', executions('c')],
    ]);
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
