import { createAlert, type Alert, type AlertKind, type AlertResource } from '../alert-model/alert';
import type { AlertPublisher } from '../alerts/publish';
import type { ResourceRef } from '../sagemaker/resource';
import type { Problem } from './converge';
import { alertResourceType } from './desired';

/**
 * Problems of the control plane → alerts on the alerts topic. Fed by the converge step's
 * problems (failed calls, new instrumentation gaps) and by the state machines' Catch (a
 * failure that survived every retry): nothing the workflow cannot do ends silently.
 */
export interface ReportInput {
  resource?: ResourceRef | null;
  problems?: Problem[];
  /** A Step Functions Catch's error output. */
  error?: { Error?: string; Cause?: string } | null;
  /** The state (or step) that failed. */
  step?: string;
}

const ALERT_KINDS: Record<string, AlertKind> = {
  LogSubscriptionSlotsFull: 'subscription-slots-full',
  NotificationTopicMissing: 'missing-notification-topics',
  AsyncNotificationTopicsMissing: 'missing-notification-topics',
};

// Workflow-level failures (a list call of the reconcile sweep) concern no single resource;
// the alert model has no type for sagewatch itself, so they are filed under the workflow's name.
const WORKFLOW_RESOURCE: AlertResource = { type: 'alarm', name: 'sagewatch control plane' };

function alertResource(resource: ResourceRef | null | undefined): AlertResource {
  if (!resource) return WORKFLOW_RESOURCE;
  return {
    type: alertResourceType(resource.kind),
    name: resource.name,
    ...(resource.region ? { region: resource.region } : {}),
    ...(resource.account ? { account: resource.account } : {}),
  };
}

export function reportAlerts(input: ReportInput, now: number): Alert[] {
  const resource = alertResource(input.resource);
  const where = input.resource ? `${input.resource.kind} ${input.resource.name}` : 'the control plane';
  const alerts: Alert[] = (input.problems ?? []).map((problem) =>
    createAlert({
      kind: ALERT_KINDS[problem.code] ?? 'attachment-failed',
      key: problem.key,
      severity: 'warning',
      title: `sagewatch: ${problem.code} on ${where}`,
      description: problem.message,
      resource,
      evidence: {
        facts: [{ name: 'Problem', value: problem.code }, ...(problem.action ? [{ name: 'Action', value: problem.action }] : []), ...(problem.error ? [{ name: 'Error', value: problem.error }] : [])],
      },
      detectedAt: now,
    }),
  );
  if (input.error) {
    const error = input.error.Error ?? 'Error';
    alerts.push(
      createAlert({
        kind: 'attachment-failed',
        key: `workflow:${input.step ?? 'unknown'}:${error}`,
        severity: 'critical',
        title: `sagewatch could not converge ${where}`,
        description: `${input.step ? `Step ${input.step} failed` : 'The workflow failed'} after its retries: ${error}${input.error.Cause ? `: ${input.error.Cause}` : ''}`,
        resource,
        evidence: { facts: [{ name: 'Error', value: error }, ...(input.step ? [{ name: 'Step', value: input.step }] : [])] },
        detectedAt: now,
      }),
    );
  }
  return alerts;
}

export async function reportProblems(input: ReportInput, publisher: AlertPublisher, now: number): Promise<{ published: number }> {
  const alerts = reportAlerts(input, now);
  for (const alert of alerts) await publisher.publish(alert);
  return { published: alerts.length };
}
