/**
 * EventBridge spells endpoint statuses UPPER_SNAKE (`IN_SERVICE`, `UPDATE_ROLLBACK_FAILED`)
 * while the Describe APIs say `InService`; job events already use the Describe spelling. Every
 * status is normalised to the Describe spelling before anything compares it.
 */
export function normalizeStatus(status: string): string {
  const text = status.trim();
  if (!/^[A-Z0-9]+(_[A-Z0-9]+)*$/.test(text) || !/[A-Z]/.test(text)) return text;
  return text
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join('');
}

/** What converging a resource in a given status means: attach, keep as is, or detach. */
export type Lifecycle = 'attach' | 'keep' | 'detach';

const ENDPOINT_LIFECYCLE: Record<string, Lifecycle> = {
  InService: 'attach',
  // The previous configuration keeps serving after a failed rollback: still worth watching.
  UpdateRollbackFailed: 'attach',
  Creating: 'keep',
  Updating: 'keep',
  SystemUpdating: 'keep',
  RollingBack: 'keep',
  // May come back without a new event; removing its alarms would hide that it is down.
  OutOfService: 'keep',
  Deleting: 'detach',
  Failed: 'detach',
};

/** Statuses that settle by themselves; the attach workflow waits and describes again. */
const ENDPOINT_SETTLING = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

export function endpointLifecycle(status: string): Lifecycle {
  // An unknown future status changes nothing rather than tearing monitoring down.
  return ENDPOINT_LIFECYCLE[status] ?? 'keep';
}

export function endpointSettling(status: string): boolean {
  return ENDPOINT_SETTLING.has(status);
}

const JOB_RUNNING = new Set(['InProgress', 'Executing', 'Initializing', 'Stopping']);
const JOB_OUTCOMES: Record<string, JobOutcome> = {
  Completed: 'Succeeded',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Stopped: 'Stopped',
};

export type JobOutcome = 'Succeeded' | 'Failed' | 'Stopped';

export function jobOutcome(status: string): JobOutcome | undefined {
  return JOB_OUTCOMES[status];
}

/** Running jobs get their instance alarms; ended (or deleted) jobs lose them. */
export function jobLifecycle(status: string): Lifecycle {
  if (JOB_RUNNING.has(status)) return 'attach';
  if (jobOutcome(status) !== undefined) return 'detach';
  // DeleteFailed, Deleting and unknown statuses: nothing left to watch.
  return 'detach';
}
