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

/**
 * Inference components have no state-change event: their API calls, as CloudTrail records them,
 * reach EventBridge under this detail-type (source `aws.sagemaker`) when the account has a trail.
 */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const CLOUDTRAIL_EVENT_SOURCE = 'sagemaker.amazonaws.com';
export const INFERENCE_COMPONENT_CALLS = ['CreateInferenceComponent', 'UpdateInferenceComponent', 'DeleteInferenceComponent'] as const;
export type InferenceComponentCall = (typeof INFERENCE_COMPONENT_CALLS)[number];

export type SageMakerDetailType = keyof typeof DETAIL_TYPES | typeof CLOUDTRAIL_DETAIL_TYPE;

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
  /** A CloudTrail inference-component call: the component it names (its endpoint is `resource`). */
  inferenceComponent?: string;
}

/**
 * A CloudTrail Update/DeleteInferenceComponent call: its request names only the component, so
 * the endpoint to converge is known once the component is described (lib/attach/workflow.ts).
 */
export interface ComponentEvent {
  inferenceComponent: string;
  call: InferenceComponentCall;
  detailType: typeof CLOUDTRAIL_DETAIL_TYPE;
  eventId?: string;
  /** ISO time of the call. */
  eventTime?: string;
  region?: string;
  account?: string;
}

export function isSageMakerDetailType(value: string): value is keyof typeof DETAIL_TYPES {
  return Object.hasOwn(DETAIL_TYPES, value);
}

/** An event names its resource, or (an inference-component update or delete) only a component. */
export function readEvent(event: unknown): NormalizedEvent | ComponentEvent {
  const envelope = parseEnvelope(event);
  return envelope['detail-type'] === CLOUDTRAIL_DETAIL_TYPE ? componentCall(envelope) : stateChange(envelope);
}

/** The resource an event names; an event that names only an inference component is refused. */
export function normalizeEvent(event: unknown): NormalizedEvent {
  const read = readEvent(event);
  if (isComponentEvent(read)) {
    throw new InvalidEventError(`${read.call} names only inference component ${read.inferenceComponent}: its endpoint is known once the component is described`);
  }
  return read;
}

export function isComponentEvent(event: NormalizedEvent | ComponentEvent): event is ComponentEvent {
  return !('resource' in event);
}

type Envelope = z.infer<typeof EnvelopeSchema>;

function parseEnvelope(event: unknown): Envelope {
  const parsed = EnvelopeSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(`not a SageMaker EventBridge event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * A CloudTrail record of an inference-component call (the record is the event's detail; request
 * parameters in the API's member names, first letter lower case). A Create names the endpoint;
 * an Update or Delete only the component.
 */
function componentCall(envelope: Envelope): NormalizedEvent | ComponentEvent {
  const { detail } = envelope;
  const call = stringField(detail, 'eventName');
  if (detail.eventSource !== CLOUDTRAIL_EVENT_SOURCE || !INFERENCE_COMPONENT_CALLS.includes(call as InferenceComponentCall)) {
    throw new InvalidEventError(`unsupported CloudTrail call ${String(detail.eventSource)} ${String(call)}: only ${INFERENCE_COMPONENT_CALLS.join(', ')} are`);
  }
  const request = detail.requestParameters;
  const parameters = request !== null && typeof request === 'object' ? (request as Record<string, unknown>) : {};
  const inferenceComponent = stringField(parameters, 'inferenceComponentName');
  if (!inferenceComponent) throw new InvalidEventError(`${String(call)} call without requestParameters.inferenceComponentName`);
  const eventTime = toIsoTime(detail.eventTime) ?? toIsoTime(envelope.time);
  const region = envelope.region ?? stringField(detail, 'awsRegion');
  const account = envelope.account ?? stringField(detail, 'recipientAccountId');
  const eventId = stringField(detail, 'eventID') ?? envelope.id;
  const common = {
    detailType: CLOUDTRAIL_DETAIL_TYPE,
    ...(eventId ? { eventId } : {}),
    ...(region ? { region } : {}),
    ...(account ? { account } : {}),
  } as const;
  const endpoint = stringField(parameters, 'endpointName');
  if (call === 'CreateInferenceComponent' && endpoint) {
    const resource: ResourceRef = { kind: 'endpoint', name: endpoint, ...(eventTime ? { eventTime } : {}), ...(region ? { region } : {}), ...(account ? { account } : {}), tags: {} };
    // The call's time orders it like a state change's LastModifiedTime (execution names).
    return { ...common, resource, detail, inferenceComponent, ...(eventTime ? { changeTime: eventTime } : {}) };
  }
  return { ...common, inferenceComponent, call: call as InferenceComponentCall, ...(eventTime ? { eventTime } : {}) };
}

function stateChange(envelope: Envelope): NormalizedEvent {
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
