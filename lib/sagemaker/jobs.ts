import { JOB_PROFILES } from '../profiles/jobs';
import { isIgnored, thresholdsFromTags } from '../profiles/thresholds';
import { isGpuInstanceType, type ClassificationIssue, type JobModel } from './model';
import { pipelineExecutionName, tagsFrom, type Tags } from './resource';
import type { JobKind } from '../profiles/kinds';
import { jobLifecycle, jobOutcome, normalizeStatus } from './status';
import { toEpochMs } from './time';
import { JobDescriptionError } from './errors';

/**
 * Classification of a job from its Describe*Job output (or, without one, from its state-change
 * event's detail, which carries nearly the same fields). Pure.
 */
interface JobFields {
  name: string;
  arn: string;
  status: string;
  start: string[];
  end: string[];
  instance?: (job: Record<string, unknown>) => { type?: string; count?: number; gpu?: boolean };
}

const FIELDS: Record<Exclude<JobKind, 'pipeline-execution'>, JobFields> = {
  'training-job': {
    name: 'TrainingJobName',
    arn: 'TrainingJobArn',
    status: 'TrainingJobStatus',
    start: ['TrainingStartTime', 'CreationTime'],
    end: ['TrainingEndTime'],
    instance: (job) => {
      const config = record(job.ResourceConfig);
      const groups = Array.isArray(config.InstanceGroups) ? config.InstanceGroups.map(record) : [];
      if (groups.length > 0) {
        // Heterogeneous clusters: hosts are numbered across all groups.
        const count = groups.reduce((sum, group) => sum + (numberOf(group.InstanceCount) ?? 0), 0);
        // GPU when any group has GPUs: a CPU group first (data loading) and GPUs second is common.
        const gpu = groups.some((group) => isGpuInstanceType(stringOf(group.InstanceType)));
        return { type: stringOf(groups[0]?.InstanceType), count, gpu };
      }
      return { type: stringOf(config.InstanceType), count: numberOf(config.InstanceCount) };
    },
  },
  'processing-job': {
    name: 'ProcessingJobName',
    arn: 'ProcessingJobArn',
    status: 'ProcessingJobStatus',
    start: ['ProcessingStartTime', 'CreationTime'],
    end: ['ProcessingEndTime'],
    instance: (job) => {
      const cluster = record(record(job.ProcessingResources).ClusterConfig);
      return { type: stringOf(cluster.InstanceType), count: numberOf(cluster.InstanceCount) };
    },
  },
  'transform-job': {
    name: 'TransformJobName',
    arn: 'TransformJobArn',
    status: 'TransformJobStatus',
    start: ['TransformStartTime', 'CreationTime'],
    end: ['TransformEndTime'],
    instance: (job) => {
      const resources = record(job.TransformResources);
      return { type: stringOf(resources.InstanceType), count: numberOf(resources.InstanceCount) };
    },
  },
  'hyper-parameter-tuning-job': {
    name: 'HyperParameterTuningJobName',
    arn: 'HyperParameterTuningJobArn',
    status: 'HyperParameterTuningJobStatus',
    start: ['CreationTime'],
    end: ['HyperParameterTuningEndTime'],
  },
  'labeling-job': {
    name: 'LabelingJobName',
    arn: 'LabelingJobArn',
    status: 'LabelingJobStatus',
    start: ['CreationTime'],
    // DescribeLabelingJob has no end time: an ended job was last modified when it ended.
    end: [],
  },
};

/** `tags`: the job's ListTags when known; otherwise the `Tags` map of an event's detail. */
export function classifyJob(kind: JobKind, job: Record<string, unknown>, tags: Tags = tagsFrom(job.Tags)): JobModel {
  const fields = kind === 'pipeline-execution' ? PIPELINE_FIELDS : FIELDS[kind];
  const name = kind === 'pipeline-execution' ? pipelineExecutionName(stringOf(job.PipelineExecutionArn) ?? '') : stringOf(job[fields.name]);
  if (!name) throw new JobDescriptionError(`${kind} description without ${fields.name}`);
  const rawStatus = stringOf(job[fields.status]);
  if (!rawStatus) throw new JobDescriptionError(`${kind} ${name} description without ${fields.status}`);
  const status = normalizeStatus(rawStatus);
  const outcome = jobOutcome(status);
  const running = jobLifecycle(status) === 'attach';

  const startMs = firstTime(job, fields.start);
  let endMs = firstTime(job, fields.end);
  if (endMs === undefined && outcome) endMs = toEpochMs(job.LastModifiedTime);
  const instance = fields.instance?.(job) ?? {};
  const profile = JOB_PROFILES[kind];
  const notes: string[] = [];
  const hosts: string[] = [];
  if (profile.hosts === 'algo' && instance.count) {
    for (let n = 1; n <= instance.count; n++) hosts.push(`${name}/algo-${n}`);
  } else if (profile.hosts === 'instance-id' && running) {
    notes.push(
      `${kind} hosts are named after instance ids that do not exist before the job runs: they are watched by the stack's shared Metrics Insights alarms over every ${kind} host in the account and Region, with the stack's default thresholds`,
    );
  }

  const issues: ClassificationIssue[] = [];
  const { overrides, invalid } = thresholdsFromTags(tags);
  for (const { tag, value } of invalid) {
    issues.push({ code: 'InvalidThresholdTag', message: `tag ${tag}="${value}" is not a non-negative number; the default threshold is used` });
  }
  const arn = stringOf(job[fields.arn]);
  const failureReason = stringOf(job.FailureReason);
  return {
    type: 'job',
    kind,
    name,
    ...(arn ? { arn } : {}),
    status,
    running,
    ...(outcome ? { outcome } : {}),
    ...(instance.type ? { instanceType: instance.type } : {}),
    ...(instance.count !== undefined ? { instanceCount: instance.count } : {}),
    gpu: instance.gpu ?? isGpuInstanceType(instance.type),
    hosts,
    ...(failureReason ? { failureReason } : {}),
    ...(startMs !== undefined ? { startedAt: new Date(startMs).toISOString() } : {}),
    ...(endMs !== undefined ? { endedAt: new Date(endMs).toISOString() } : {}),
    ...(startMs !== undefined && endMs !== undefined && endMs >= startMs ? { durationMs: endMs - startMs } : {}),
    tags,
    ignored: isIgnored(tags),
    overrides,
    issues,
    notes,
  };
}

// The execution's name is derived from its ARN; it ends when it was last modified.
const PIPELINE_FIELDS: JobFields = { name: 'PipelineExecutionArn', arn: 'PipelineExecutionArn', status: 'PipelineExecutionStatus', start: ['CreationTime'], end: [] };

/**
 * A pipeline execution event spells its fields in lowerCamelCase; this maps it to the shape
 * of DescribePipelineExecution so one classifier serves both.
 */
export function pipelineDescriptionFromEvent(detail: Record<string, unknown>, eventTime?: string): Record<string, unknown> {
  const ended = detail.executionEndTime ?? (jobOutcome(normalizeStatus(String(detail.currentPipelineExecutionStatus ?? ''))) ? eventTime : undefined);
  return {
    PipelineArn: detail.pipelineArn,
    PipelineExecutionArn: detail.pipelineExecutionArn,
    PipelineExecutionDisplayName: detail.pipelineExecutionDisplayName,
    PipelineExecutionStatus: detail.currentPipelineExecutionStatus,
    CreationTime: detail.executionStartTime,
    ...(ended !== undefined ? { LastModifiedTime: ended } : {}),
  };
}

/**
 * A job's state-change event as its Describe*Job output. A Ground Truth labeling job event
 * carries only `LabelingJobStatus` in its detail, the job being named by the event's
 * `resources` ARN: the name and ARN the event was read with fill the fields the detail lacks.
 */
export function jobDescriptionFromEvent(kind: Exclude<JobKind, 'pipeline-execution'>, detail: Record<string, unknown>, identity: { name: string; arn?: string | undefined }): Record<string, unknown> {
  const fields = FIELDS[kind];
  return { ...(identity.arn ? { [fields.arn]: identity.arn } : {}), [fields.name]: identity.name, ...detail };
}

function firstTime(job: Record<string, unknown>, fields: string[]): number | undefined {
  for (const field of fields) {
    const ms = toEpochMs(job[field]);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
