// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { InvalidEventError } from '../aws/errors';
import { normalizeStatus } from './status';
import { pipelineExecutionName, parseSageMakerArn, tagsFrom, type ResourceRef } from './resource';
import type { ResourceKind } from '../profiles/kinds';
import { toEpochMs, toIsoTime } from './time';

/**
 * EventBridge SageMaker state-change events → a resource reference. Only the resource's
 * identity is taken from the event; its status is kept for logs and execution names, and the
 * workflow describes the resource again before acting.
 */
export const DETAIL_TYPES = {
  'SageMaker Endpoint State Change': 'endpoint',
  'SageMaker Endpoint Deployment State Change': 'endpoint',
  'SageMaker Training Job State Change': 'training-job',
  'SageMaker Processing Job State Change': 'processing-job',
  'SageMaker Transform Job State Change': 'transform-job',
  'SageMaker HyperParameter Tuning Job State Change': 'hyper-parameter-tuning-job',
  'SageMaker Model Building Pipeline Execution Status Change': 'pipeline-execution',
  'SageMaker Ground Truth Labeling Job State Change': 'labeling-job',
} as const satisfies Record<string, ResourceKind>;

export type SageMakerDetailType = keyof typeof DETAIL_TYPES;

/** The detail fields that carry name, ARN, status and last change time, per kind. */
const FIELDS: Record<Exclude<ResourceKind, 'pipeline-execution'>, { name: string; arn: string; status: string; changed: string[] }> = {
  endpoint: { name: 'EndpointName', arn: 'EndpointArn', status: 'EndpointStatus', changed: ['LastModifiedTime'] },
  'training-job': { name: 'TrainingJobName', arn: 'TrainingJobArn', status: 'TrainingJobStatus', changed: ['LastModifiedTime', 'TrainingEndTime'] },
  'processing-job': { name: 'ProcessingJobName', arn: 'ProcessingJobArn', status: 'ProcessingJobStatus', changed: ['LastModifiedTime', 'ProcessingEndTime'] },
  'transform-job': { name: 'TransformJobName', arn: 'TransformJobArn', status: 'TransformJobStatus', changed: ['LastModifiedTime', 'TransformEndTime'] },
  'hyper-parameter-tuning-job': {
    name: 'HyperParameterTuningJobName',
    arn: 'HyperParameterTuningJobArn',
    status: 'HyperParameterTuningJobStatus',
    changed: ['LastModifiedTime', 'HyperParameterTuningEndTime'],
  },
  'labeling-job': { name: 'LabelingJobName', arn: 'LabelingJobArn', status: 'LabelingJobStatus', changed: ['LastModifiedTime'] },
};

const EnvelopeSchema = z.looseObject({
  'detail-type': z.string(),
  source: z.literal('aws.sagemaker'),
  id: z.optional(z.string()),
  time: z.optional(z.union([z.string(), z.number()])),
  region: z.optional(z.string()),
  account: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  detail: z.record(z.string(), z.unknown()),
});

export interface NormalizedEvent {
  resource: ResourceRef;
  detailType: SageMakerDetailType;
  eventId?: string;
  /** ISO time of the change itself (LastModifiedTime and the like), when the event has one. */
  changeTime?: string;
  /** The event's detail, untouched: a job event carries most of its Describe*Job output. */
  detail: Record<string, unknown>;
}

export function isSageMakerDetailType(value: string): value is SageMakerDetailType {
  return Object.hasOwn(DETAIL_TYPES, value);
}

export function normalizeEvent(event: unknown): NormalizedEvent {
  const parsed = EnvelopeSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(`not a SageMaker EventBridge event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
  }
  const envelope = parsed.data;
  const detailType = envelope['detail-type'];
  if (!isSageMakerDetailType(detailType)) throw new InvalidEventError(`unsupported detail-type "${detailType}"`);
  const kind = DETAIL_TYPES[detailType];
  const detail = envelope.detail;
  const identity = kind === 'pipeline-execution' ? pipelineIdentity(detail, envelope.resources) : jobOrEndpointIdentity(kind, detail, envelope.resources);

  const arnParts = identity.arn ? parseSageMakerArn(identity.arn) : undefined;
  const region = envelope.region ?? arnParts?.region;
  const account = envelope.account ?? arnParts?.account;
  const eventTime = toIsoTime(envelope.time);
  const resource: ResourceRef = {
    kind,
    name: identity.name,
    ...(identity.arn ? { arn: identity.arn } : {}),
    ...(identity.status ? { status: normalizeStatus(identity.status) } : {}),
    ...(eventTime ? { eventTime } : {}),
    ...(region ? { region } : {}),
    ...(account ? { account } : {}),
    tags: tagsFrom(detail.Tags),
  };
  return {
    resource,
    detailType,
    ...(envelope.id ? { eventId: envelope.id } : {}),
    ...(identity.changeTime ? { changeTime: identity.changeTime } : {}),
    detail,
  };
}

interface Identity {
  name: string;
  arn?: string;
  status?: string;
  changeTime?: string;
}

/**
 * Name and ARN from the detail; where the detail does not carry them (a Ground Truth labeling
 * job event holds only `LabelingJobStatus`), from the event's `resources` ARN of that kind.
 */
function jobOrEndpointIdentity(kind: Exclude<ResourceKind, 'pipeline-execution'>, detail: Record<string, unknown>, resources: string[] | undefined): Identity {
  const fields = FIELDS[kind];
  // Only labeling job events are documented without their name in the detail.
  const fromResources = kind === 'labeling-job' ? resources?.map((arn) => ({ arn, parts: parseSageMakerArn(arn) })).find((r) => r.parts?.resourceType === kind) : undefined;
  const name = stringField(detail, fields.name) ?? fromResources?.parts?.resourceId;
  if (!name) throw new InvalidEventError(`${kind} event without ${fields.name}${kind === 'labeling-job' ? ' or a labeling-job ARN in resources' : ''}`);
  const arn = stringField(detail, fields.arn) ?? fromResources?.arn;
  const status = stringField(detail, fields.status);
  return { name, ...(arn ? { arn } : {}), ...(status ? { status } : {}), ...changeTimeOf(detail, fields.changed) };
}

function pipelineIdentity(detail: Record<string, unknown>, resources: string[] | undefined): Identity {
  const arn = stringField(detail, 'pipelineExecutionArn') ?? resources?.find((r) => r.includes('/execution/'));
  const name = arn ? pipelineExecutionName(arn) : undefined;
  if (!arn || !name) throw new InvalidEventError('pipeline execution event without a pipelineExecutionArn');
  const status = stringField(detail, 'currentPipelineExecutionStatus');
  return { name, arn, ...(status ? { status } : {}), ...changeTimeOf(detail, ['executionEndTime', 'executionStartTime']) };
}

function changeTimeOf(detail: Record<string, unknown>, fields: string[]): { changeTime?: string } {
  // The latest of the candidates: an end time arrives after LastModifiedTime was first set.
  let latest: number | undefined;
  for (const field of fields) {
    const ms = toEpochMs(detail[field]);
    if (ms !== undefined && (latest === undefined || ms > latest)) latest = ms;
  }
  return latest === undefined ? {} : { changeTime: new Date(latest).toISOString() };
}

function stringField(detail: Record<string, unknown>, field: string): string | undefined {
  const value = detail[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
