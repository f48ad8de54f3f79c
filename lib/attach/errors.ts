import type { ConvergeResult } from './converge';
/** The control plane's named errors: the workflow's retry and catch rules match on their names. */

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Another execution is converging the same resource: retry later (Step Functions does). */
export class ResourceBusyError extends Error {
  override name = 'ResourceBusy';
}

/** The only thing left is a log group that does not exist yet: retry later. */
export class LogGroupNotReadyError extends Error {
  override name = 'LogGroupNotReady';
  constructor(readonly result: ConvergeResult) {
    super(`log group ${result.pending.join(', ')} does not exist yet`);
  }
}
