import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { statusColor } from '../color';
import { note, print, type CliContext } from '../context';
import { UsageError } from '../errors';
import type { OutputFormat } from '../options';
import type { FUNCTIONS } from '../functions';
import { printJson, readJsonInput } from '../io';
import { openLocalInvoker } from '../local-invoke';
import { renderTable } from '../table';
import { formatDuration } from '../time';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type Config } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import type { RequestRecord } from '../../lib/requests/record';

/** Which function a sample event belongs to, from its shape. */
function functionFor(event: unknown): keyof typeof FUNCTIONS | undefined {
  const records = (event as { Records?: Array<Record<string, unknown>> })?.Records;
  const first = Array.isArray(records) ? records[0] : undefined;
  if (first && 'kinesis' in first) return 'processLogs';
  if (first && ('Sns' in first || 'body' in first)) return 'processNotifications';
  if ((event as { awslogs?: unknown })?.awslogs) return 'processLogs';
  return undefined;
}

export interface ReplayOptions {
  events: string;
  output: OutputFormat;
}

/** `sagewatch replay` (flags in cli/flags/replay.ts). */
export async function runReplay(options: ReplayOptions, ctx: CliContext): Promise<void> {
  const json = options.output === 'json';
  const dir = resolve(options.events);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    throw new UsageError(`events folder not found: ${dir}`);
  }
  // Logs first, then notifications: the order a real request's halves usually arrive in.
  const ordered = files.sort((a, b) => Number(b.startsWith('process-logs')) - Number(a.startsWith('process-logs')) || a.localeCompare(b));

  const config = parseConfig({ ...ctx.env, AWS_REGION: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || 'us-east-1' });
  const invoker = await openLocalInvoker({ kind: 'plan' }, ctx);
  const store = invoker.store!;
  try {
    const replayed: Array<{ file: string; function: string; result: unknown }> = [];
    for (const file of ordered) {
      const event = await readJsonInput(resolve(dir, file));
      const name = functionFor(event);
      if (!name) continue;
      const result = await invoker.invoke(name, event);
      replayed.push({ file, function: name, result });
      if (!json) note(ctx, `replayed ${file} through ${name}`);
    }
    const records = await collectRecords(
      replayed.map((r) => resolve(dir, r.file)),
      config,
      store.endpoint,
    );
    if (json) {
      printJson({ replayed, records }, ctx.stdout);
    } else {
      print(ctx, renderSummary(records, ctx));
      const endpoint = records[0]?.endpointName;
      print(ctx, `\nRecords are in ${store.home}. Try:\n  npx sagewatch query --endpoint ${endpoint ?? '<name>'}\n  npx sagewatch query --inference-id ${records[0]?.inferenceId ?? '<id>'}`);
    }
  } finally {
    await invoker.close();
  }
}

/** Reads back every record of the endpoints the replayed events mention. */
async function collectRecords(paths: string[], config: Config, endpoint: string): Promise<RequestRecord[]> {
  const text = (await Promise.all(paths.map((p) => import('node:fs/promises').then((fs) => fs.readFile(p, 'utf8'))))).join('\n');
  const endpoints = new Set<string>();
  for (const match of text.matchAll(/Endpoints\/([A-Za-z0-9-]+)|\\?"endpointName\\?"\s*:\s*\\?"([A-Za-z0-9-]+)/g)) {
    endpoints.add(match[1] ?? match[2]!);
  }
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const store = requestStoreFromConfig(config, client);
  const records: RequestRecord[] = [];
  for (const endpointName of endpoints) records.push(...(await store.queryByEndpoint({ endpointName, limit: 1000 })));
  return records;
}

function renderSummary(records: RequestRecord[], ctx: CliContext): string {
  return renderTable(
    ['ENDPOINT', 'INFERENCE ID', 'STATUS', 'SOURCES', 'LATENCY', 'CATEGORY', 'DETAIL'],
    records.map((r) => [
      r.endpointName,
      r.inferenceId,
      r.status,
      r.sources.join('+'),
      formatDuration(r.endToEndLatencyMs),
      r.failureCategory ?? r.logCategory ?? '-',
      r.failureReason ?? r.logLines[0]?.message ?? r.outputLocation ?? '',
    ]),
    { header: ctx.color.bold, style: (text, column) => (column === 2 ? statusColor(ctx, text) : text) },
  );
}
