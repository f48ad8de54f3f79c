import type { LogSink } from '../telemetry/observations';
import type { AlertStore, SendReason, SkipReason } from '../store/alerts';
import type { Alert } from '../alert-model/alert';
import type { AlertPublisher } from './publish';
import { repeatPolicy, severityRank } from './cooldown';

/**
 * The one call detectors, the sweeper and the control plane make: dedupe, publish, remember.
 * A failed publish gives the claim back and rethrows, so the caller's retry (Lambda, Step
 * Functions) sends the alert instead of finding it suppressed.
 */
export interface DispatchDeps {
  store: Pick<AlertStore, 'shouldSend' | 'recordSent'>;
  publisher: AlertPublisher;
  cooldownSeconds: number;
  log?: LogSink;
}

export type DispatchResult = { sent: true; reason: SendReason; messageId?: string } | { sent: false; reason: SkipReason };

export async function dispatchAlert(alert: Alert, deps: DispatchDeps): Promise<DispatchResult> {
  const policy = repeatPolicy(alert.kind, deps.cooldownSeconds);
  const decision = await deps.store.shouldSend(alert, deps.cooldownSeconds, policy.mode === 'incident' ? { mode: 'incident', rank: severityRank(alert.severity) } : { mode: 'cooldown' });
  if (!decision.send) {
    deps.log?.debug('alert not sent', { fingerprint: alert.fingerprint, status: alert.status, reason: decision.reason });
    return { sent: false, reason: decision.reason };
  }
  let messageId: string | undefined;
  try {
    messageId = (await deps.publisher.publish(alert)).messageId;
  } catch (error) {
    await decision.release();
    throw error;
  }
  try {
    await deps.store.recordSent(alert, messageId !== undefined ? { messageId } : {});
  } catch (error) {
    // The alert is out; failing now would only make a retry find it suppressed. The history
    // entry is what is lost, and the log says so.
    deps.log?.warn('alert sent but not recorded in history', { fingerprint: alert.fingerprint, error: String(error) });
  }
  deps.log?.info('alert sent', { fingerprint: alert.fingerprint, kind: alert.kind, status: alert.status, reason: decision.reason });
  return { sent: true, reason: decision.reason, ...(messageId !== undefined ? { messageId } : {}) };
}
