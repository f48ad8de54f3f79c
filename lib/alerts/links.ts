import { toIso } from '../alert-model/alert';
import { InvalidRegionError } from './errors';

/**
 * Console deep links and command lines for alert evidence. The console encodes its hash-routed
 * state in its own ways (double URL-encoding with `$` for `%` in Logs, JSURL in Logs Insights);
 * getting that wrong gives a link that opens the wrong page, so it lives here, tested, once.
 */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The console origin of the region's partition. */
export function consoleOrigin(region: string): string {
  if (!REGION.test(region)) throw new InvalidRegionError(`not an AWS region: ${JSON.stringify(region)}`);
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

function cloudwatch(region: string, fragment: string): string {
  return `${consoleOrigin(region)}/cloudwatch/home?region=${region}#${fragment}`;
}

export function alarmUrl(region: string, alarmName: string): string {
  return cloudwatch(region, `alarmsV2:alarm/${encodeURIComponent(alarmName)}`);
}

export function dashboardUrl(region: string, dashboardName: string): string {
  return cloudwatch(region, `dashboards/dashboard/${encodeURIComponent(dashboardName)}`);
}

/** The Logs console wants the name URL-encoded twice, then `%` written as `$`. */
export function logGroupUrl(region: string, logGroupName: string): string {
  return cloudwatch(region, `logsV2:log-groups/log-group/${consoleEncode(logGroupName)}`);
}

export interface LogsInsightsOptions {
  logGroups: string[];
  /** Defaults to the newest lines first. */
  query?: string;
  start: string | number | Date;
  end: string | number | Date;
}

export const DEFAULT_INSIGHTS_QUERY = 'fields @timestamp, @logStream, @message\n| sort @timestamp desc\n| limit 200';

/** Logs Insights with the query, log groups and an absolute UTC time range filled in. */
export function logsInsightsUrl(region: string, options: LogsInsightsOptions): string {
  const detail = jsurl({
    end: toIso(options.end),
    start: toIso(options.start),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: options.query ?? DEFAULT_INSIGHTS_QUERY,
    source: options.logGroups,
  });
  return cloudwatch(region, `logsV2:logs-insights$3FqueryDetail$3D${detail}`);
}

/** A Logs Insights query over a data log for lines of the given inference ids. */
export function inferenceIdsQuery(inferenceIds: readonly string[]): string {
  if (inferenceIds.length === 0) return DEFAULT_INSIGHTS_QUERY;
  const pattern = inferenceIds.map((id) => escapeRegex(id)).join('|');
  return `fields @timestamp, @logStream, @message\n| filter @message like /\\[(${pattern})\\]/\n| sort @timestamp asc\n| limit 500`;
}

export function endpointLogGroup(endpointName: string): string {
  return `/aws/sagemaker/Endpoints/${endpointName}`;
}

export type JobType = 'training-job' | 'processing-job' | 'transform-job' | 'tuning-job';

const JOB_ROUTES: Record<JobType, string> = {
  'training-job': 'jobs',
  'processing-job': 'processing-jobs',
  'transform-job': 'transform-jobs',
  'tuning-job': 'hyper-tuning-jobs',
};

export function endpointUrl(region: string, endpointName: string): string {
  return `${consoleOrigin(region)}/sagemaker/home?region=${region}#/endpoints/${encodeURIComponent(endpointName)}`;
}

export function jobUrl(region: string, type: JobType, jobName: string): string {
  return `${consoleOrigin(region)}/sagemaker/home?region=${region}#/${JOB_ROUTES[type]}/${encodeURIComponent(jobName)}`;
}

export interface QueryCommandOptions {
  endpoint?: string;
  inferenceId?: string;
  status?: 'Failed' | 'Completed' | 'InProgress';
  since?: string | number | Date;
  until?: string | number | Date;
}

/**
 * The `sagewatch query` command line that lists the request records behind an alert. Values
 * are shell-quoted so the line can be pasted as is.
 */
export function queryCommand(options: QueryCommandOptions): string {
  const parts = ['sagewatch', 'query'];
  if (options.inferenceId !== undefined) parts.push('--inference-id', shellQuote(options.inferenceId));
  if (options.endpoint !== undefined) parts.push('--endpoint', shellQuote(options.endpoint));
  if (options.status !== undefined) parts.push('--status', options.status);
  if (options.since !== undefined) parts.push('--since', shellQuote(toIso(options.since)));
  if (options.until !== undefined) parts.push('--until', shellQuote(toIso(options.until)));
  return parts.join(' ');
}

export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9._:/@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function consoleEncode(value: string): string {
  return encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
}

type JsurlValue = string | number | boolean | null | JsurlValue[] | { [key: string]: JsurlValue };

/**
 * JSURL, the notation the Logs Insights page keeps its state in: `~(key~value)` objects,
 * `~(~a~b)` arrays, `~'` strings with every character outside [A-Za-z0-9_.-] written `*hh` or
 * `**hhhh`. The output has no `|`, `<` or `>`, so it survives inside Slack's `<url|label>`.
 */
export function jsurl(value: JsurlValue): string {
  if (value === null) return '~null';
  if (typeof value === 'number') return Number.isFinite(value) ? `~${String(value).replace(/\+/g, '')}` : '~null';
  if (typeof value === 'boolean') return value ? '~true' : '~false';
  if (typeof value === 'string') return `~'${jsurlEscape(value)}`;
  if (Array.isArray(value)) return `~(${value.map(jsurl).join('') || '~'})`;
  const entries = Object.entries(value).map(([key, inner]) => `${jsurlEscape(key)}${jsurl(inner)}`);
  return `~(${entries.join('~')})`;
}

function jsurlEscape(value: string): string {
  return value.replace(/[^\w.-]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `*${code.toString(16).padStart(2, '0')}` : `**${code.toString(16).padStart(4, '0')}`;
  });
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
