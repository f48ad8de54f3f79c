import { normalizeAlert, resourceLabel, type Alert, type EvidenceNumber } from '../alert-model/alert';

/**
 * Plain text: what email subscribers of the alerts topic read, and what `sagewatch alerts`
 * prints. No markup, one fact per line.
 */
export function renderAlertText(input: Alert): string {
  const alert = normalizeAlert(input);
  const { resource, evidence } = alert;
  const lines = [`${headline(alert)}`, '', alert.description, '', `Resource:    ${resourceLabel(resource)}`];
  if (resource.region || resource.account) {
    lines.push(`Where:       ${[resource.region, resource.account].filter(Boolean).join(' / ')}`);
  }
  lines.push(`Detected at: ${alert.detectedAt}`);
  if (alert.windowStart || alert.windowEnd) lines.push(`Window:      ${alert.windowStart ?? '?'} .. ${alert.windowEnd ?? '?'}`);
  lines.push(`Fingerprint: ${alert.fingerprint}`);
  if (evidence.numbers.length > 0) {
    lines.push('', 'Evidence:');
    for (const number of evidence.numbers) lines.push(`  ${number.name}: ${formatNumber(number)}`);
  }
  for (const fact of evidence.facts) lines.push(`  ${fact.name}: ${fact.value}`);
  if (evidence.inferenceIds.length > 0) lines.push('', `Sample inference ids: ${evidence.inferenceIds.join(', ')}`);
  if (evidence.links.length > 0) {
    lines.push('', 'Links:');
    for (const link of evidence.links) lines.push(`  ${link.label}: ${link.url}`);
  }
  if (evidence.commands.length > 0) {
    lines.push('', 'Next:');
    for (const command of evidence.commands) lines.push(`  ${command}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `[CRITICAL] Failure burst on my-ep` / `[RESOLVED] ...`: subject lines and one-line listings. */
export function headline(alert: Alert): string {
  const tag = alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  return `[${tag}] ${alert.title}`;
}

export function formatNumber(number: EvidenceNumber): string {
  const v = number.value;
  // Four significant digits for fractions; whole numbers for anything from a thousand up.
  const value = Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(4)));
  if (!number.unit) return value;
  return number.unit === '%' ? `${value}%` : `${value} ${number.unit}`;
}
