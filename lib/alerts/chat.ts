import { createHash } from 'node:crypto';
import { cut, normalizeAlert, resourceArn, type Alert, type AlertResource, type Severity } from '../alert-model/alert';
import { neutralizeBareMentions } from './slack-mentions';
import { formatNumber } from './text';

/**
 * The custom notification format of Amazon Q Developer in chat applications (formerly AWS
 * Chatbot), schema version 1.0: what the alerts topic carries, so a Slack or Teams channel
 * mapped to the topic renders sagewatch alerts without any code of ours. `client-markdown` is
 * rendered in the chat platform's markdown; links use the `<url|label>` form of AWS's samples.
 */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType?: 'client-markdown';
    title?: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/** The additionalContext key carrying the alert itself, so subscribers need not parse markdown. */
export const ALERT_CONTEXT_KEY = 'sagewatchAlert';

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};
export const RESOLVED_EMOJI = ':white_check_mark:';

export function toChatNotification(input: Alert): ChatNotification {
  const alert = normalizeAlert(input);
  const { resource, evidence } = alert;
  const emoji = alert.status === 'resolved' ? RESOLVED_EMOJI : SEVERITY_EMOJI[alert.severity];
  const title = `${emoji} ${alert.status === 'resolved' ? 'Resolved: ' : `[${alert.severity.toUpperCase()}] `}${md(alert.title)}`;

  const lines = [md(alert.description), '', `*Resource:* ${resourceMarkdown(resource)}`];
  lines.push(`*Detected:* ${alert.detectedAt}${windowText(alert)}`);
  if (evidence.numbers.length > 0) {
    lines.push(`*Evidence:* ${evidence.numbers.map((n) => `${md(n.name)} *${md(formatNumber(n))}*`).join(' · ')}`);
  }
  for (const fact of evidence.facts) lines.push(`*${md(fact.name)}:* ${md(fact.value)}`);
  if (evidence.inferenceIds.length > 0) {
    lines.push(`*Sample inference ids:* ${evidence.inferenceIds.map((id) => `\`${md(id)}\``).join(', ')}`);
  }

  const nextSteps = [...evidence.links.map((link) => `<${link.url}|${md(link.label)}>`), ...evidence.commands.map((command) => `Run \`${md(command)}\``)];
  const arn = resourceArn(resource);
  const notification: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: alert.id,
    content: {
      textType: 'client-markdown',
      title,
      description: lines.join('\n'),
      ...(nextSteps.length > 0 ? { nextSteps } : {}),
      keywords: [alert.status === 'resolved' ? 'resolved' : alert.severity, alert.kind, cut(resource.name, 50)],
    },
    metadata: {
      threadId: threadIdFor(resource),
      summary: cut(`${alert.status === 'resolved' ? 'Resolved' : alert.severity.toUpperCase()}: ${alert.title}`, 200),
      eventType: `sagewatch-${alert.kind}`,
      relatedResources: [arn ?? resource.name],
      additionalContext: {
        fingerprint: alert.fingerprint,
        kind: alert.kind,
        severity: alert.severity,
        status: alert.status,
        [ALERT_CONTEXT_KEY]: JSON.stringify(alert),
      },
    },
  };
  return notification;
}

/**
 * One chat thread per resource: every kind of alert and its resolution about one endpoint (all
 * variants) or one job land together. Readable prefix, hashed identity (names may hold anything).
 */
export function threadIdFor(resource: AlertResource): string {
  const identity = JSON.stringify([resource.type, resource.name, resource.region ?? '', resource.account ?? '']);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const readable = resource.name.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 64);
  return `sagewatch-${resource.type}-${readable}-${hash}`;
}

function resourceMarkdown(resource: AlertResource): string {
  const parts = [`${resource.type} \`${md(resource.name)}\``];
  if (resource.variant) parts.push(`variant \`${md(resource.variant)}\``);
  if (resource.region) parts.push(md(resource.region));
  if (resource.account) parts.push(md(resource.account));
  return parts.join(' · ');
}

function windowText(alert: Alert): string {
  if (!alert.windowStart && !alert.windowEnd) return '';
  return ` (window ${alert.windowStart ?? '?'} – ${alert.windowEnd ?? '?'})`;
}

/** Chat markdown treats `&`, `<` and `>` as markup; alert text is data, never markup. */
function md(value: string): string {
  // Amazon Q relays this text to Slack: no mention in it may page anyone (lib/alerts/slack-mentions.ts).
  return neutralizeBareMentions(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}
