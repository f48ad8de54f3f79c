import { ListPipelineExecutionsCommand, type ListPipelineExecutionsCommandOutput, ListPipelinesCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isNotFoundError } from '../sagemaker/describe';

/**
 * The reconcile's listing of running pipeline executions. SageMaker lists executions per
 * pipeline only (ListPipelineExecutions takes a PipelineName and has no status filter), so this
 * walks ListPipelines pages and, for each pipeline, its recent executions, keeping the
 * `Executing` ones: the ones a missed status-change event would have attached.
 */

/**
 * SageMaker's pipeline execution timeout, 672 hours ("Pipeline execution timeout", SageMaker
 * developer guide, Feature Processor constraints, limits and quotas:
 * https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-feature-processor-quotas.html).
 * No execution that began earlier can still be executing, so older history is not paged through
 * (executions are kept 12 months: a pipeline run every few minutes has thousands).
 */
export const PIPELINE_EXECUTION_TIMEOUT_MS = 672 * 3_600_000;

/**
 * SageMaker calls per reconcile page: each Lambda call stays short and each page costs the
 * state machine the same few history events whatever the number of pipelines.
 */
export const PIPELINE_CALLS_PER_PAGE = 10;

/** Where the walk stands: the ListPipelines token of the next page, the pipelines of the current page still to list (the first being listed), and its ListPipelineExecutions token. */
export interface PipelineWalk {
  token?: string;
  pipelines?: string[];
  executionsToken?: string;
}

export interface ExecutionSummary {
  arn: string;
  status: string;
}

export async function listExecutingPipelineExecutions(
  client: SageMakerClient,
  walk: PipelineWalk,
  now: number,
  callsPerPage = PIPELINE_CALLS_PER_PAGE,
): Promise<{ items: ExecutionSummary[]; next?: PipelineWalk }> {
  const horizon = now - PIPELINE_EXECUTION_TIMEOUT_MS;
  const items: ExecutionSummary[] = [];
  let token = walk.token;
  // Undefined: the ListPipelines page at `token` is still to be read.
  let pipelines = walk.pipelines;
  let executionsToken = walk.executionsToken;
  for (let calls = 0; calls < callsPerPage; calls++) {
    if (!pipelines?.length) {
      const out = await client.send(new ListPipelinesCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
      token = out.NextToken;
      // A pipeline whose last execution began before the horizon has none still executing.
      pipelines = (out.PipelineSummaries ?? []).filter((p) => !(p.LastExecutionTime && p.LastExecutionTime.getTime() < horizon)).flatMap((p) => (p.PipelineName ? [p.PipelineName] : []));
      executionsToken = undefined;
    } else {
      const out: Partial<ListPipelineExecutionsCommandOutput> = await client
        .send(
          new ListPipelineExecutionsCommand({
            PipelineName: pipelines[0],
            CreatedAfter: new Date(horizon),
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: 100,
            ...(executionsToken ? { NextToken: executionsToken } : {}),
          }),
        )
        // Deleted since ListPipelines: it has nothing executing; the sweep goes on.
        .catch((error: unknown) => {
          if (isNotFoundError(error)) return {};
          throw error;
        });
      for (const e of out.PipelineExecutionSummaries ?? []) {
        if (e.PipelineExecutionArn && e.PipelineExecutionStatus === 'Executing') items.push({ arn: e.PipelineExecutionArn, status: e.PipelineExecutionStatus });
      }
      executionsToken = out.NextToken;
      if (!executionsToken) pipelines = pipelines.slice(1);
    }
    if (!pipelines.length && !token) return { items };
  }
  return {
    items,
    next: { ...(token ? { token } : {}), ...(pipelines?.length ? { pipelines } : {}), ...(executionsToken ? { executionsToken } : {}) },
  };
}
