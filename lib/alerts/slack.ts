// Over 300 lines on purpose: one concept, rendering each inbound format (alert, chat notification,
// alarm, text) as Block Kit within Slack's limits; the fitting helpers below serve every format.
import { alarmFromEvent, alarmFromSnsMessage, dimensionValues, type AlarmMetric, type AlarmView } from './alarm';
import { RESOLVED_EMOJI, SEVERITY_EMOJI, type ChatNotification } from './chat';
import { alertFromChatNotification, ChatNotificationSchema } from './chat-parse';
import { alarmUrl, endpointLogGroup, endpointUrl, logGroupUrl, queryCommand } from './links';
import { AlertSchema, normalizeAlert, resourceLabel, type Alert } from '../alert-model/alert';
import { neutralizeMentions, neutralizePlainMentions } from './slack-mentions';
import { formatNumber, headline } from './text';
import { isObject } from '../util/is-object';

/**
 * Block Kit messages for a Slack incoming webhook, from whatever the alerts topic carries:
 * sagewatch alerts (chat-format JSON), other chat-format notifications, CloudWatch alarm
 * messages (SNS or EventBridge shape) and anything else as text. Rendering never throws and
 * never exceeds Slack's limits: long values are cut with an ellipsis, surplus blocks dropped.
 */

/** Slack's documented limits for messages and the blocks used here. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  messageText: 40_000,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Notification and fallback text (mrkdwn). */
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

export type InboundFormat = 'sagewatch-alert' | 'chat-notification' | 'cloudwatch-alarm' | 'text';

type Interpreted =
  | { format: 'sagewatch-alert'; alert: Alert }
  | { format: 'chat-notification'; chat: ChatNotification }
  | { format: 'cloudwatch-alarm'; alarm: AlarmView }
  | { format: 'text'; text: string; json?: unknown };

/** What kind of message this is, as `renderForSlack` sees it. */
export function detectFormat(message: unknown): InboundFormat {
  return interpret(message).format;
}

/**
 * Renders one message of the alerts topic. `message` is the SNS `Message` string or an already
 * parsed object; `subject` is the SNS `Subject`, used as the heading of plain text.
 */
export function renderForSlack(message: unknown, options: { subject?: string | null } = {}): SlackMessage {
  const seen = interpret(message);
  switch (seen.format) {
    case 'sagewatch-alert':
      return renderAlert(seen.alert);
    case 'chat-notification':
      return renderChat(seen.chat);
    case 'cloudwatch-alarm':
      return renderAlarm(seen.alarm);
    case 'text':
      return renderText(seen.text, seen.json, options.subject ?? undefined);
  }
}

function interpret(message: unknown): Interpreted {
  let value = message;
  if (typeof message === 'string') {
    try {
      value = JSON.parse(message);
    } catch {
      return { format: 'text', text: message };
    }
  }
  // A message built for `MessageStructure: 'json'` and replayed as is: use its default body.
  if (isObject(value) && typeof value.default === 'string' && Object.keys(value).every((k) => typeof value[k] === 'string')) {
    return interpret(value.default);
  }
  const chat = ChatNotificationSchema.safeParse(value);
  if (chat.success) {
    const alert = alertFromChatNotification(chat.data as ChatNotification);
    return alert ? { format: 'sagewatch-alert', alert } : { format: 'chat-notification', chat: chat.data as ChatNotification };
  }
  const alert = AlertSchema.safeParse(value);
  if (alert.success) return { format: 'sagewatch-alert', alert: alert.data as Alert };
  const alarm = alarmFromSnsMessage(value) ?? alarmFromEvent(value);
  if (alarm) return { format: 'cloudwatch-alarm', alarm };
  if (typeof message === 'string') return { format: 'text', text: message, json: value };
  return { format: 'text', text: safeStringify(value), json: value };
}

export function renderAlert(input: Alert): SlackMessage {
  const alert = normalizeAlert(input);
  const { resource, evidence } = alert;
  const out = new BlockList();
  const emoji = alert.status === 'resolved' ? RESOLVED_EMOJI : SEVERITY_EMOJI[alert.severity];
  out.header(`${emoji} ${alert.status === 'resolved' ? 'Resolved: ' : ''}${alert.title}`);
  out.section(esc(alert.description));
  const fields: Array<[string, string]> = [
    ['Severity', alert.severity],
    ['Status', alert.status],
    ['Resource', `${resource.type} \`${esc(resource.name)}\``],
  ];
  if (resource.variant) fields.push(['Variant', `\`${esc(resource.variant)}\``]);
  if (resource.region || resource.account) fields.push(['Where', esc([resource.region, resource.account].filter(Boolean).join(' / '))]);
  fields.push([alert.status === 'resolved' ? 'Resolved at' : 'Detected at', esc(alert.detectedAt)]);
  if (alert.windowStart || alert.windowEnd) fields.push(['Window', esc(`${alert.windowStart ?? '?'} – ${alert.windowEnd ?? '?'}`)]);
  out.fields(fields, { escapeLabels: true });
  out.fields(
    evidence.numbers.map((n) => [n.name, `*${esc(formatNumber(n))}*`]),
    { escapeLabels: true },
  );
  out.fields(
    evidence.facts.map((f) => [f.name, esc(f.value)]),
    { escapeLabels: true },
  );
  if (evidence.inferenceIds.length > 0) {
    out.section(`*Sample inference ids*\n${evidence.inferenceIds.map((id) => `\`${esc(id)}\``).join('  ')}`);
  }
  out.links(evidence.links);
  if (evidence.commands.length > 0) out.section(`*Next*\n${evidence.commands.map((c) => `\`${esc(c)}\``).join('\n')}`);
  out.context([`sagewatch · ${esc(alert.kind)} · fingerprint \`${esc(alert.fingerprint)}\``]);
  return out.build(`${esc(headline(alert))} (${esc(resourceLabel(resource))})`);
}

function renderChat(chat: ChatNotification): SlackMessage {
  const out = new BlockList();
  // Chat-format text is already chat markdown from its producer: passed through, only cut.
  const title = chat.content.title ?? chat.metadata?.summary ?? 'Notification';
  // The header is plain text: entities a producer escaped for markdown would show as `&lt;`.
  out.header(title.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  out.longText(chat.content.description, 5);
  if (chat.content.nextSteps && chat.content.nextSteps.length > 0) {
    out.section(`*Next steps*\n${chat.content.nextSteps.map((step) => `• ${step}`).join('\n')}`);
  }
  if (chat.content.keywords && chat.content.keywords.length > 0) {
    out.context(chat.content.keywords.slice(0, SLACK_LIMITS.contextElements).map((k) => `\`${esc(k)}\``));
  }
  return out.build(esc(title));
}

const ALARM_EMOJI: Record<string, string> = {
  ALARM: ':red_circle:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};

export function renderAlarm(alarm: AlarmView): SlackMessage {
  const out = new BlockList();
  out.header(`${ALARM_EMOJI[alarm.state] ?? ':bell:'} ${alarm.state}: ${alarm.name}`);
  if (alarm.reason) out.section(esc(alarm.reason));
  if (alarm.description) out.section(`*Description*\n${esc(alarm.description)}`);

  const fields: Array<[string, string]> = [['State', esc(alarm.previousState ? `${alarm.previousState} → ${alarm.state}` : alarm.state)]];
  if (alarm.changedAt) fields.push(['Changed at', esc(alarm.changedAt)]);
  const where = [alarm.regionLabel ?? alarm.region, alarm.account].filter(Boolean).join(' / ');
  if (where) fields.push(['Where', esc(where)]);
  if (alarm.metric) {
    fields.push(['Metric', esc(metricText(alarm.metric))]);
    if (alarm.metric.dimensions.length > 0) fields.push(['Dimensions', esc(dimensionsText(alarm.metric))]);
  }
  if (alarm.comparison) {
    const threshold = alarm.threshold !== undefined && !alarm.thresholdMetricId ? ` ${alarm.threshold}` : '';
    const band = alarm.thresholdMetricId ? ` band \`${esc(alarm.thresholdMetricId)}\`` : '';
    fields.push(['Threshold', `${esc(alarm.comparison)}${esc(threshold)}${band}`]);
  }
  if (alarm.evaluationPeriods !== undefined) {
    const of = alarm.datapointsToAlarm !== undefined ? `${alarm.datapointsToAlarm} of ` : '';
    const period = alarm.period !== undefined ? ` × ${alarm.period} s` : '';
    fields.push(['Evaluation', esc(`${of}${alarm.evaluationPeriods} periods${period}`)]);
  }
  if (alarm.treatMissingData) fields.push(['Missing data', esc(alarm.treatMissingData)]);
  out.fields(fields);

  if (alarm.queries.length > 0) {
    const shown = alarm.queries.slice(0, 10).map((q) => {
      const role = q.id === alarm.thresholdMetricId ? ' _(threshold band)_' : q.returnData === false ? ' _(input)_' : '';
      const what = q.expression !== undefined ? `\`${esc(q.expression)}\`` : q.metric ? esc(`${metricText(q.metric)} ${dimensionsText(q.metric)}`) : '';
      const label = q.label ? ` “${esc(q.label)}”` : '';
      return `• *${esc(q.id)}* ${what}${label}${role}`;
    });
    if (alarm.queries.length > shown.length) shown.push(`… and ${alarm.queries.length - shown.length} more`);
    out.section(`*Metrics*\n${shown.join('\n')}`);
  }
  if (alarm.rule) out.section(`*Alarm rule*\n\`${esc(alarm.rule)}\``);
  if (alarm.children.length > 0) {
    const children = alarm.children.slice(0, 10).map((c) => `• ${esc(c.arn.split(':alarm:').pop() ?? c.arn)} ${esc(c.state ?? '')}`);
    out.section(`*Triggering alarms*\n${children.join('\n')}`);
  }

  const links: Array<{ label: string; url: string }> = [];
  const endpoints = dimensionValues(alarm, 'EndpointName');
  const region = alarm.region;
  if (region) {
    tryLink(links, 'Alarm', () => alarmUrl(region, alarm.name));
    for (const endpoint of endpoints.slice(0, 2)) {
      tryLink(links, `Endpoint ${endpoint}`, () => endpointUrl(region, endpoint));
      tryLink(links, `Logs of ${endpoint}`, () => logGroupUrl(region, endpointLogGroup(endpoint)));
    }
  }
  out.links(links);
  const endpoint = endpoints[0];
  if (endpoint !== undefined) {
    const since = alarm.changedAt !== undefined ? Date.parse(alarm.changedAt.replace(/\+0000$/, 'Z')) - 3_600_000 : NaN;
    const command = queryCommand({ endpoint, ...(Number.isFinite(since) ? { since } : {}) });
    out.context([`Requests: \`${esc(command)}\``]);
  }
  const regionText = alarm.regionLabel ?? alarm.region;
  return out.build(esc(`${alarm.state}: "${alarm.name}"${regionText ? ` in ${regionText}` : ''}`));
}

function renderText(text: string, json: unknown, subject: string | undefined): SlackMessage {
  const out = new BlockList();
  out.header(subject && subject.trim() !== '' ? subject : 'Notification');
  if (json !== undefined && typeof json === 'object' && json !== null) {
    out.longText(safeStringify(json, 2), 8, { code: true });
  } else {
    out.longText(esc(text), 8);
  }
  return out.build(esc(subject && subject.trim() !== '' ? subject : firstLine(text)));
}

function metricText(metric: AlarmMetric): string {
  return [metric.namespace, metric.name, metric.stat, metric.period !== undefined ? `${metric.period} s` : undefined].filter(Boolean).join(' · ');
}

function dimensionsText(metric: AlarmMetric): string {
  return metric.dimensions.map(([name, value]) => `${name}=${value}`).join(', ');
}

function tryLink(links: Array<{ label: string; url: string }>, label: string, build: () => string): void {
  try {
    links.push({ label, url: build() });
  } catch {
    // An odd region in a notification costs the link, not the message.
  }
}

/**
 * Collects blocks within Slack's limits. Every text is cut to its limit (UTF-16 units, which is
 * never fewer than Slack's count), blank texts are skipped (Slack rejects them), and blocks past
 * the 50th are dropped with a note in the last one.
 */
class BlockList {
  private readonly blocks: SlackBlock[] = [];
  private dropped = 0;

  private push(block: SlackBlock): void {
    if (this.blocks.length < SLACK_LIMITS.blocks - 1) this.blocks.push(block);
    else this.dropped++;
  }

  header(text: string): void {
    const line = text.replace(/\s+/g, ' ').trim();
    this.push({ type: 'header', text: { type: 'plain_text', text: cutPlain(line || 'Notification', SLACK_LIMITS.headerText), emoji: true } });
  }

  section(text: string): void {
    if (text.trim() === '') return;
    this.push({ type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(text, SLACK_LIMITS.sectionText) } });
  }

  /** Long text over up to `maxSections` sections, split at line ends where possible. */
  longText(text: string, maxSections: number, options: { code?: boolean } = {}): void {
    const fence = options.code ? '```' : '';
    const room = SLACK_LIMITS.sectionText - 2 * fence.length;
    let rest = options.code ? esc(text) : text;
    for (let i = 0; i < maxSections && rest.trim() !== ''; i++) {
      let piece = rest;
      if (rest.length > room) {
        const newline = rest.lastIndexOf('\n', room);
        piece = rest.slice(0, newline > room / 2 ? newline : room);
        piece = safeEnd(piece);
      }
      rest = rest.slice(piece.length);
      const last = i === maxSections - 1 && rest.trim() !== '';
      const body = last ? fitMrkdwn(`${piece}${rest}`, room) : piece;
      this.section(`${fence}${body}${fence}`);
    }
  }

  fields(pairs: Array<[string, string]>, options: { escapeLabels?: boolean } = {}): void {
    for (let i = 0; i < pairs.length; i += SLACK_LIMITS.fields) {
      const fields = pairs
        .slice(i, i + SLACK_LIMITS.fields)
        .filter(([label, value]) => label.trim() !== '' || value.trim() !== '')
        .map(([label, value]): Mrkdwn => {
          const name = options.escapeLabels ? esc(label) : label;
          return { type: 'mrkdwn', text: fitMrkdwn(`*${fitMrkdwn(name, 200)}*\n${value.trim() === '' ? '–' : value}`, SLACK_LIMITS.fieldText) };
        });
      if (fields.length > 0) this.push({ type: 'section', fields });
    }
  }

  links(links: ReadonlyArray<{ label: string; url: string }>): void {
    let text = '';
    for (const link of links) {
      if (/[<>|\s]/.test(link.url)) continue;
      const item = `<${link.url}|${esc(link.label).replace(/[|>]/g, ' ')}>`;
      const next = text === '' ? item : `${text}  ·  ${item}`;
      // Whole links or none: a cut link is neither text nor link.
      if (next.length <= SLACK_LIMITS.sectionText) text = next;
    }
    if (text !== '') this.section(text);
  }

  context(texts: string[]): void {
    const elements = texts
      .filter((t) => t.trim() !== '')
      .slice(0, SLACK_LIMITS.contextElements)
      // Slack documents no separate limit for context texts; the field limit is a safe one.
      .map((t): Mrkdwn => ({ type: 'mrkdwn', text: fitMrkdwn(t, SLACK_LIMITS.fieldText) }));
    if (elements.length > 0) this.push({ type: 'context', elements });
  }

  build(text: string): SlackMessage {
    const blocks = [...this.blocks];
    if (this.dropped > 0) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `_${this.dropped} more block(s) not shown_` }] });
    }
    const summary = text.trim() === '' ? 'Notification' : text.replace(/\s+/g, ' ').trim();
    return { text: fitMrkdwn(summary, 3000), blocks, unfurl_links: false, unfurl_media: false };
  }
}

/** Escapes the three characters Slack treats as markup in mrkdwn. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Every mrkdwn text of a message passes here: mentions made harmless (lib/alerts/slack-mentions.ts),
 * then cut to `max`, never inside an entity or a surrogate pair, with an ellipsis.
 */
export function fitMrkdwn(input: string, max: number): string {
  const text = neutralizeMentions(wellFormed(input));
  if (text.length <= max) return text;
  return `${safeEnd(text.slice(0, max - 1))}…`;
}

function cutPlain(input: string, max: number): string {
  const text = neutralizePlainMentions(wellFormed(input));
  if (text.length <= max) return text;
  return `${dropLoneSurrogate(text.slice(0, max - 1))}…`;
}

/** Lone surrogates (possible in JSON input) become U+FFFD: Slack cannot render half a character. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function safeEnd(piece: string): string {
  let out = dropLoneSurrogate(piece);
  const amp = out.lastIndexOf('&');
  if (amp !== -1 && amp >= out.length - 5 && !out.slice(amp).includes(';')) out = out.slice(0, amp);
  return out;
}

function dropLoneSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'Notification';
  return line.slice(0, 200);
}

function safeStringify(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}
