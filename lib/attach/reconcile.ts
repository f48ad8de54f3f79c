import {
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListLabelingJobsCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import type { ResourceRef } from '../sagemaker/resource';
import type { ResourceKind } from '../profiles/kinds';
import { probeResource } from '../sagemaker/describe';
import { endpointLifecycle, jobLifecycle, normalizeStatus } from '../sagemaker/status';
import { toIsoTime } from '../sagemaker/time';
import type { Inventory } from '../store/inventory';
import { needsConverge } from './converge';
import type { MonitoringGateway } from './gateway';
import type { ConvergeSettings } from './settings';
import { classifyStep, describeStep } from './workflow';
import { settleWithLimit } from '../util/pool';
import type { ResourceModel } from '../sagemaker/model';
import { pipelineExecutionName } from '../sagemaker/resource';
import { listExecutingPipelineExecutions } from './pipeline-executions';

/**
 * The hourly (and after-deploy) sweep: every endpoint, running job and executing pipeline
 * execution gets converged (backfill
 * of what existed before sagewatch), every inventory entry whose resource is gone or ended gets
 * converged away (zero orphans), and metric streams are reconciled with their reference counts.
 * Listing is paged so each Lambda call stays short; Step Functions loops over the cursor.
 */
const SOURCES = ['endpoints', 'training-jobs', 'processing-jobs', 'transform-jobs', 'tuning-jobs', 'labeling-jobs', 'pipeline-executions'] as const;
type Source = (typeof SOURCES)[number];

export const ListCursorSchema = z.object({
  source: z.enum(SOURCES),
  token: z.optional(z.string()),
  // Pipeline executions are listed per pipeline: the pipelines of the current ListPipelines
  // page still to list and the listed one's ListPipelineExecutions token (pipeline-executions.ts).
  pipelines: z.optional(z.array(z.string())),
  executionsToken: z.optional(z.string()),
});
export type ListCursor = z.infer<typeof ListCursorSchema>;

export interface ListPage {
  resources: ResourceRef[];
  /** Absent when every source has been listed. */
  cursor?: ListCursor;
}

interface Summary {
  name?: string | undefined;
  arn?: string | undefined;
  status?: string | undefined;
}

async function listSource(client: SageMakerClient, source: Exclude<Source, 'pipeline-executions'>, token: string | undefined): Promise<{ items: Summary[]; next?: string | undefined }> {
  const page = { MaxResults: 100, ...(token ? { NextToken: token } : {}) };
  // Only running jobs: ended ones have nothing left to watch and were reported when they ended.
  const running = { ...page, StatusEquals: 'InProgress' as const };
  switch (source) {
    case 'endpoints': {
      const out = await client.send(new ListEndpointsCommand(page));
      return { items: (out.Endpoints ?? []).map((e) => ({ name: e.EndpointName, arn: e.EndpointArn, status: e.EndpointStatus })), next: out.NextToken };
    }
    case 'training-jobs': {
      const out = await client.send(new ListTrainingJobsCommand(running));
      return { items: (out.TrainingJobSummaries ?? []).map((j) => ({ name: j.TrainingJobName, arn: j.TrainingJobArn, status: j.TrainingJobStatus })), next: out.NextToken };
    }
    case 'processing-jobs': {
      const out = await client.send(new ListProcessingJobsCommand(running));
      return {
        items: (out.ProcessingJobSummaries ?? []).map((j) => ({ name: j.ProcessingJobName, arn: j.ProcessingJobArn, status: j.ProcessingJobStatus })),
        next: out.NextToken,
      };
    }
    case 'transform-jobs': {
      const out = await client.send(new ListTransformJobsCommand(running));
      return { items: (out.TransformJobSummaries ?? []).map((j) => ({ name: j.TransformJobName, arn: j.TransformJobArn, status: j.TransformJobStatus })), next: out.NextToken };
    }
    case 'tuning-jobs': {
      const out = await client.send(new ListHyperParameterTuningJobsCommand(running));
      return {
        items: (out.HyperParameterTuningJobSummaries ?? []).map((j) => ({
          name: j.HyperParameterTuningJobName,
          arn: j.HyperParameterTuningJobArn,
          status: j.HyperParameterTuningJobStatus,
        })),
        next: out.NextToken,
      };
    }
    case 'labeling-jobs': {
      const out = await client.send(new ListLabelingJobsCommand(running));
      return { items: (out.LabelingJobSummaryList ?? []).map((j) => ({ name: j.LabelingJobName, arn: j.LabelingJobArn, status: j.LabelingJobStatus })), next: out.NextToken };
    }
  }
}

const KIND_OF: Record<Source, ResourceKind> = {
  endpoints: 'endpoint',
  'training-jobs': 'training-job',
  'processing-jobs': 'processing-job',
  'transform-jobs': 'transform-job',
  'tuning-jobs': 'hyper-parameter-tuning-job',
  'labeling-jobs': 'labeling-job',
  'pipeline-executions': 'pipeline-execution',
};

/** The cursor within one source after this page (without its `source`), or undefined when the source is exhausted. */
async function listPage(client: SageMakerClient, cursor: ListCursor, now: number): Promise<{ items: Summary[]; next?: Omit<ListCursor, 'source'> | undefined }> {
  if (cursor.source === 'pipeline-executions') {
    const { source: _, ...walk } = cursor;
    const { items, next } = await listExecutingPipelineExecutions(client, walk, now);
    // The same reference a pipeline-execution event yields (events.ts): its name from its ARN.
    return { items: items.map((e) => ({ name: pipelineExecutionName(e.arn), arn: e.arn, status: e.status })), next };
  }
  const { items, next } = await listSource(client, cursor.source, cursor.token);
  return { items, next: next ? { token: next } : undefined };
}

/** One page of one source; the cursor moves to the next source when this one is exhausted. */
export async function listResourcesPage(client: SageMakerClient, cursor: ListCursor | undefined, now: number): Promise<ListPage> {
  const current: ListCursor = cursor ?? { source: SOURCES[0] };
  const { items, next } = await listPage(client, current, now);
  const eventTime = toIsoTime(now);
  const resources = items
    .filter((item): item is Summary & { name: string } => !!item.name)
    .map((item) => ({
      kind: KIND_OF[current.source],
      name: item.name,
      ...(item.arn ? { arn: item.arn } : {}),
      ...(item.status ? { status: normalizeStatus(item.status) } : {}),
      ...(eventTime ? { eventTime } : {}),
      tags: {},
    }));
  const index = SOURCES.indexOf(current.source);
  const following = next ? { source: current.source, ...next } : index + 1 < SOURCES.length ? { source: SOURCES[index + 1]! } : undefined;
  return { resources, ...(following ? { cursor: following } : {}) };
}

export interface CheckResult {
  /** The resources whose attachments would change: reconcile converges each in a child attach execution. */
  changed: ResourceRef[];
  unchanged: number;
  /** Settling or out of service: the attach workflow or a later sweep converges them. */
  kept: number;
}

/**
 * The read-only half of reconcile: each listed resource described and classified as attach
 * would, then compared with its inventory record (needsConverge; an open gap is looked at
 * again with the gateway's reads). Nothing is written; a
 * resource that cannot be described is passed on, so its attach execution reports why.
 */
export async function checkResources(
  resources: ResourceRef[],
  deps: { sagemaker: SageMakerClient; gateway: MonitoringGateway; inventory: Inventory; settings: ConvergeSettings; now?: () => number; concurrency?: number },
): Promise<CheckResult> {
  const outcomes = await settleWithLimit(resources, deps.concurrency ?? 4, async (resource): Promise<'changed' | 'unchanged' | 'kept'> => {
    const described = await describeStep({ resource }, { sagemaker: deps.sagemaker, ...(deps.now ? { now: deps.now } : {}) });
    if (described.lifecycle === 'keep') return 'kept';
    const classified = classifyStep(described);
    const request = { resource, lifecycle: classified.lifecycle, observedAt: classified.describedAt, model: classified.model as ResourceModel | undefined };
    return (await needsConverge(request, deps)) ? 'changed' : 'unchanged';
  });
  const result: CheckResult = { changed: [], unchanged: 0, kept: 0 };
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected' || outcome.value === 'changed') result.changed.push(resources[i]!);
    else if (outcome.value === 'unchanged') result.unchanged++;
    else result.kept++;
  });
  return result;
}

export interface OrphanPage {
  /** Inventory entries to converge again: their resource is gone or should hold nothing now. */
  orphans: ResourceRef[];
  cursor?: string;
}

/**
 * Inventory entries still attached whose resource is gone, ended or failed. They go through
 * the same describe → classify → converge as everything else, which detaches them (and reports
 * an ended job's outcome if its event was missed).
 */
export async function findOrphans(inventory: Inventory, client: SageMakerClient, cursor: string | undefined, pageSize = ORPHAN_PAGE): Promise<OrphanPage> {
  const orphans: ResourceRef[] = [];
  let next = cursor;
  let seen = 0;
  // A scan page counts every inventory item (attachments too): gather about a page of resource
  // records per call, so the sweep's history grows per hundred resources, not per scan page.
  do {
    const page = await inventory.listResources(next);
    next = page.cursor;
    for (const record of page.resources) {
      seen++;
      if (record.state !== 'attached') continue;
      const resource: ResourceRef = { kind: record.kind, name: record.name, ...(record.arn ? { arn: record.arn } : {}), tags: {} };
      const probe = await probeResource(client, resource);
      const lifecycle = probe.found ? (record.kind === 'endpoint' ? endpointLifecycle(probe.status) : jobLifecycle(probe.status)) : 'detach';
      if (lifecycle === 'detach') orphans.push(resource);
    }
  } while (next && seen < pageSize);
  return { orphans, ...(next ? { cursor: next } : {}) };
}

/** Resource records per findOrphans call: a page's worth of probes, well inside the function's timeout. */
const ORPHAN_PAGE = 100;

export { sweepMetricStreams, type SweepResult } from './metric-stream';
