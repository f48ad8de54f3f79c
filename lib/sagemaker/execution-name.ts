import { createHash } from 'node:crypto';
import { isComponentEvent, type ComponentEvent, type NormalizedEvent } from './events';
import type { ResourceKind } from '../profiles/kinds';
import { toEpochMs } from './time';

/**
 * The attach execution's name for an event. SageMaker can send several events for one change
 * (an Endpoint State Change and an Endpoint Deployment State Change, or plain duplicates with
 * different ids), so the name is built from what identifies the change — resource, status and
 * the resource's own change time — not from the event id. Step Functions refuses a second
 * execution of a Standard state machine with the same name (ExecutionAlreadyExists, for 90
 * days), so duplicates of one change start once; a later change gets a new name.
 */
const ABBREVIATIONS: Record<ResourceKind, string> = {
  endpoint: 'ep',
  'training-job': 'train',
  'processing-job': 'proc',
  'transform-job': 'xform',
  'hyper-parameter-tuning-job': 'tune',
  'pipeline-execution': 'pipe',
  'labeling-job': 'label',
};

/** Step Functions execution names: at most 80 of A-Z a-z 0-9 - _. */
export const EXECUTION_NAME_MAX = 80;

export function attachExecutionName(event: NormalizedEvent | ComponentEvent): string {
  const full = (event.inferenceComponent !== undefined ? componentCallParts(event) : stateChangeParts(event as NormalizedEvent)).join('-');
  const safe = full.replace(/[^A-Za-z0-9_-]/g, '-');
  if (safe.length <= EXECUTION_NAME_MAX) return safe;
  // Keep it readable and unique: a prefix plus a hash of the whole.
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 16);
  return `${safe.slice(0, EXECUTION_NAME_MAX - hash.length - 1)}-${hash}`;
}

function stateChangeParts(event: NormalizedEvent): string[] {
  const { resource } = event;
  const changeMs = toEpochMs(event.changeTime);
  const when = changeMs !== undefined ? String(changeMs) : (event.eventId ?? resource.eventTime ?? 'unknown');
  return [ABBREVIATIONS[resource.kind], resource.name, resource.status ?? 'Unknown', when];
}

/**
 * A CloudTrail call is one change: its record's eventID identifies it across deliveries, and two
 * calls on the same endpoint in the same millisecond still get two names.
 */
function componentCallParts(event: NormalizedEvent | ComponentEvent): string[] {
  const call = isComponentEvent(event) ? event.call : String(event.detail.eventName ?? 'CreateInferenceComponent');
  const when = isComponentEvent(event) ? event.eventTime : event.resource.eventTime;
  return ['ic', event.inferenceComponent ?? '', call.replace(/InferenceComponent$/, ''), event.eventId ?? String(toEpochMs(when) ?? 'unknown')];
}
