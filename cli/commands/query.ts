import { statusColor } from '../color';
import { print, note, type CliContext } from '../context';
import { CliError, UsageError } from '../errors';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { formatDuration, parseRange } from '../time';
import type { RequestRecord, RequestStatus } from '../../lib/requests/record';
import { requestStoreFromConfig } from '../../lib/store';
import type { OutputFormat } from '../options';
import { openStore, type StoreFlags } from '../store';

export interface QueryOptions extends StoreFlags {
  inferenceId?: string | undefined;
  endpoint?: string | undefined;
  status?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  output: OutputFormat;
}

const STATUSES: Record<string, RequestStatus> = { completed: 'Completed', failed: 'Failed', inprogress: 'InProgress', 'in-progress': 'InProgress' };

/** `sagewatch query` (flags in cli/flags/query.ts). */
export async function runQuery(options: QueryOptions, ctx: CliContext): Promise<void> {
  const { inferenceId, endpoint } = options;
  if (!inferenceId && !endpoint) throw new UsageError('query needs --inference-id ID or --endpoint NAME');
  if (inferenceId && endpoint) throw new UsageError('use either --inference-id or --endpoint, not both');
  const status = options.status === undefined ? undefined : STATUSES[options.status.toLowerCase()];
  if (options.status !== undefined && !status) throw new UsageError(`--status must be Completed, Failed or InProgress, got "${options.status}"`);
  const limit = options.limit ?? 50;
  const { from, to } = parseRange(options.since, options.until);

  const { config, client, close, where } = await openStore(options, { configKey: 'requestsTable', overrideVar: 'SAGEWATCH_TABLE', suffix: 'requests' }, ctx);
  const store = requestStoreFromConfig(config, client);

  try {
    let records: RequestRecord[];
    try {
      records = inferenceId
        ? await store.getByInferenceId(inferenceId)
        : await store.queryByEndpoint({
            endpointName: endpoint!,
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
            ...(status ? { status } : {}),
            limit,
          });
    } catch (error) {
      throw new CliError(`query of ${where} failed: ${(error as Error).name}: ${(error as Error).message}`, 1);
    }
    if (inferenceId && status) records = records.filter((r) => r.status === status);
    if (options.output === 'json') {
      printJson(records, ctx.stdout);
    } else if (records.length === 0) {
      note(ctx, inferenceId ? `no record for inference id ${inferenceId} in ${where}` : `no records for endpoint ${endpoint} in ${where}`);
    } else if (inferenceId) {
      print(ctx, records.map(renderRecord).join('\n\n'));
    } else {
      print(ctx, renderList(records, ctx));
    }
  } finally {
    await close();
  }
}

function renderList(records: RequestRecord[], ctx: CliContext): string {
  return renderTable(
    ['REQUEST TIME', 'INFERENCE ID', 'STATUS', 'LATENCY', 'CATEGORY', 'DETAIL'],
    records.map((r) => [
      r.requestTime ?? '-',
      r.inferenceId,
      statusText(r),
      formatDuration(r.endToEndLatencyMs),
      r.failureCategory ?? (r.logErrorCount > 0 ? (r.logCategory ?? '-') : '-'),
      r.failureReason ?? r.logLines.find((l) => l.category !== 'Info')?.message ?? r.outputLocation ?? '',
    ]),
    { header: ctx.color.bold, style: (text, column) => (column === 2 ? statusColor(ctx, text) : text) },
  );
}

/** The status a person reads: a request the sweeper declared stuck says so. */
function statusText(r: RequestRecord): string {
  return r.stuckAt && r.status === 'InProgress' ? 'InProgress (stuck)' : r.status;
}

function renderRecord(r: RequestRecord): string {
  const rows: Array<[string, string | number | undefined]> = [
    ['inference id', r.inferenceId],
    ['endpoint', r.variantName ? `${r.endpointName} (variant ${r.variantName})` : r.endpointName],
    ['status', statusText(r)],
    ['stuck', r.stuckAt ? `declared stuck by the sweeper at ${r.stuckAt}: data-log lines and no notification` : undefined],
    ['problems', r.problems?.join('; ')],
    ['truncated', r.truncated ? `${r.truncated.join(', ')} (cut to their bounds)` : undefined],
    ['received', r.receivedAt],
    ['completed', r.completedAt],
    ['end-to-end latency', r.endToEndLatencyMs === undefined ? undefined : formatDuration(r.endToEndLatencyMs)],
    ['failure', r.failureReason ? `${r.failureCategory ?? 'Other'}${r.failureStatusCode !== undefined ? ` (${r.failureStatusCode})` : ''}: ${r.failureReason}` : undefined],
    ['input', r.inputLocation],
    ['output', r.outputLocation],
    ['failure output', r.failureLocation],
    ['inline response', r.inlineResponse],
    ['sources', r.sources.join(', ') || '-'],
    ['log lines', r.logLineCount > 0 ? `${r.logLineCount} (${r.logErrorCount} reporting problems)` : undefined],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const line of r.logLines) {
    lines.push(`  ${line.at} [${line.category}${line.statusCode !== undefined ? ` ${line.statusCode}` : ''}] ${truncate(line.message, 160)}`);
  }
  if (r.logLineCount > r.logLines.length) lines.push(`  … ${r.logLineCount - r.logLines.length} more line(s) not kept`);
  return lines.join('\n');
}
