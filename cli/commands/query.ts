import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { formatDuration, parseSince } from '../time';
import type { RequestRecord, RequestStatus } from '../../lib/requests/record';
import { requestStoreFromConfig } from '../../lib/store';
import { openStore, parseLimit } from '../store';

export const QUERY_HELP = `Usage:
  sagewatch query --inference-id ID [--json]
  sagewatch query --endpoint NAME [--status Completed|Failed|InProgress] [--since 1h] [--until TIME] [--limit N] [--json]

Reads correlated async inference records. By default from the embedded store of local runs
($SAGEWATCH_HOME); with --region/--profile (or --table / SAGEWATCH_TABLE) from the deployed
table (default name sagewatch-<stage>-requests, --stage defaults to dev).

Options:
  --inference-id ID   every record with this inference id
  --endpoint NAME     records of one endpoint, newest first
  --status S          only records with this status
  --since T           only requests received since T (30m, 1h, 7d or an ISO-8601 time)
  --until T           only requests received until T
  --limit N           at most N records (default 50)
  --json              print a JSON array of records
  --region R, --profile P, --table T, --stage S   read a deployed stack's table`;

const STATUSES: Record<string, RequestStatus> = { completed: 'Completed', failed: 'Failed', inprogress: 'InProgress', 'in-progress': 'InProgress' };

export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'inference-id': { type: 'string' },
      endpoint: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      region: { type: 'string' },
      profile: { type: 'string' },
      table: { type: 'string' },
      stage: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(QUERY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`query takes options only; unexpected: ${positionals.join(' ')}\n\n${QUERY_HELP}`);
  const inferenceId = values['inference-id'];
  const endpoint = values.endpoint;
  if (!inferenceId && !endpoint) throw new CliError(`query needs --inference-id or --endpoint\n\n${QUERY_HELP}`);
  if (inferenceId && endpoint) throw new CliError('use either --inference-id or --endpoint, not both');
  const status = values.status === undefined ? undefined : STATUSES[values.status.toLowerCase()];
  if (values.status !== undefined && !status) throw new CliError(`--status must be Completed, Failed or InProgress, got "${values.status}"`);
  const limit = parseLimit(values.limit, 50);
  const from = values.since === undefined ? undefined : parseSince(values.since);
  const to = values.until === undefined ? undefined : parseSince(values.until);

  const { config, client, close } = await openStore(values, { envVar: 'REQUESTS_TABLE', overrideVar: 'SAGEWATCH_TABLE', suffix: 'requests' });
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
      throw new CliError(`query failed: ${(error as Error).name}: ${(error as Error).message}`, 1);
    }
    if (inferenceId && status) records = records.filter((r) => r.status === status);
    if (values.json) {
      printJson(records);
    } else if (records.length === 0) {
      console.error(inferenceId ? `no record for inference id ${inferenceId}` : `no records for endpoint ${endpoint}`);
    } else if (inferenceId) {
      console.log(records.map(renderRecord).join('\n\n'));
    } else {
      console.log(renderList(records));
    }
    return 0;
  } finally {
    await close();
  }
}

function renderList(records: RequestRecord[]): string {
  return renderTable(
    ['REQUEST TIME', 'INFERENCE ID', 'STATUS', 'LATENCY', 'CATEGORY', 'DETAIL'],
    records.map((r) => [
      r.requestTime ?? '-',
      r.inferenceId,
      r.status,
      formatDuration(r.endToEndLatencyMs),
      r.failureCategory ?? (r.logErrorCount > 0 ? (r.logCategory ?? '-') : '-'),
      truncate(r.failureReason ?? r.logLines.find((l) => l.category !== 'Info')?.message ?? r.outputLocation ?? '', 80),
    ]),
  );
}

function renderRecord(r: RequestRecord): string {
  const rows: Array<[string, string | number | undefined]> = [
    ['inference id', r.inferenceId],
    ['endpoint', r.variantName ? `${r.endpointName} (variant ${r.variantName})` : r.endpointName],
    ['status', r.status],
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
