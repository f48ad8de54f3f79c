import type { AsyncNotification } from '../notifications/parse';
import { boundFields } from '../requests/bounds';
import { NOTIFICATION_FIELDS } from '../requests/fields';
import type { NotificationHalf } from '../requests/halves';
import { classifyMessage } from './classify';

/** What a notification says about its request: its times, latency and failure category. */
export function notificationHalf(n: AsyncNotification): NotificationHalf {
  const half: NotificationHalf = {
    inferenceId: n.inferenceId,
    endpointName: n.endpointName,
    status: n.invocationStatus,
  };
  if (n.receivedTime) half.receivedAt = n.receivedTime;
  if (n.eventTime) half.completedAt = n.eventTime;
  if (n.receivedTime && n.eventTime) {
    const latency = Date.parse(n.eventTime) - Date.parse(n.receivedTime);
    // Clocks can disagree by a few milliseconds; a negative latency is never stored.
    if (Number.isFinite(latency)) half.endToEndLatencyMs = Math.max(0, latency);
  }
  if (n.invocationStatus === 'Failed') {
    const reason = n.failureReason ?? '';
    const { category, statusCode } = classifyMessage(reason);
    half.failureCategory = category === 'Info' ? 'Other' : category;
    if (statusCode !== undefined) half.failureStatusCode = statusCode;
    if (n.failureReason) half.failureReason = n.failureReason;
  }
  if (n.inputLocation) half.inputLocation = n.inputLocation;
  if (n.outputLocation) half.outputLocation = n.outputLocation;
  if (n.failureLocation) half.failureLocation = n.failureLocation;
  if (n.inlineResponse) half.inlineResponse = n.inlineResponse;
  if (n.awsRegion) half.awsRegion = n.awsRegion;
  const truncated = boundFields(half, NOTIFICATION_FIELDS);
  if (truncated.length > 0) half.truncated = truncated;
  if (n.problems) half.problems = n.problems.map((p) => p.detail);
  return half;
}
