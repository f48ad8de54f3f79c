import { alarmFromSnsMessage } from './alarm';

/**
 * The Slack notifier must never feed on its own failure. Its health alarms (its errors and
 * throttles, messages parked in its failure queue) notify the alerts topic it is subscribed to:
 * if each of their notifications also failed and counted as an error, a broken webhook would
 * cycle forever (errors → ALARM → a failing notification → errors again after OK → ...).
 * So a notification of one of these alarms is delivered best effort: if it cannot be, it is
 * logged and counted, and the invoke succeeds. The topic's other subscribers still get it.
 *
 * The names are the ones infra/monitoring.ts gives those alarms (`<prefix>-health-<function
 * key>-...`, `<prefix>-health-<queue label>-...`); a template test keeps the two in step.
 */
export const SLACK_FUNCTION_KEY = 'notifySlack';
export const SLACK_FAILURES_QUEUE_LABEL = 'notify-slack-failures';

export function slackDeliveryAlarmPrefixes(namePrefix: string): string[] {
  return [`${namePrefix}-health-${SLACK_FUNCTION_KEY}-`, `${namePrefix}-health-${SLACK_FAILURES_QUEUE_LABEL}-`];
}

/** Whether an inbound SNS message (string or object) is an alarm about Slack delivery itself. */
export function isSlackDeliveryAlarm(message: unknown, namePrefix: string): boolean {
  let value = message;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  const alarm = alarmFromSnsMessage(value);
  if (!alarm) return false;
  return slackDeliveryAlarmPrefixes(namePrefix).some((prefix) => alarm.name.startsWith(prefix));
}
