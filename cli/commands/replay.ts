import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { FUNCTIONS } from '../functions';
import { printJson, readJsonInput, withStdoutToStderr } from '../io';
import { renderTable, truncate } from '../table';
import { formatDuration } from '../time';
import { sagewatchHome, startEmbeddedStore } from '../../local/environment';
import { loadConfig } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import type { RequestRecord } from '../../lib/requests/record';

export const REPLAY_HELP = `Usage: sagewatch replay [--events DIR] [--json]

Replays the sample events (default: events/) through the real handlers against the embedded
store in $SAGEWATCH_HOME and prints the correlated records. Afterwards
\`sagewatch query --endpoint <name>\` reads the same records.`;

/** Which function a sample event belongs to, from its shape. */
function functionFor(event: unknown): keyof typeof FUNCTIONS | undefined {
  const records = (event as { Records?: Array<Record<string, unknown>> })?.Records;
  const first = Array.isArray(records) ? records[0] : undefined;
  if (first && 'kinesis' in first) return 'processLogs';
  if (first && ('Sns' in first || 'body' in first)) return 'processNotifications';
  if ((event as { awslogs?: unknown })?.awslogs) return 'processLogs';
  return undefined;
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { events: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(REPLAY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`replay takes options only; unexpected: ${positionals.join(' ')}`);
  const dir = resolve(values.events ?? 'events');
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    throw new CliError(`events folder not found: ${dir}`);
  }
  // Logs first, then notifications: the order a real request's halves usually arrive in.
  const ordered = files.sort((a, b) => Number(b.startsWith('process-logs')) - Number(a.startsWith('process-logs')) || a.localeCompare(b));

  const store = await startEmbeddedStore();
  try {
    const replayed: Array<{ file: string; function: string; result: unknown }> = [];
    for (const file of ordered) {
      const event = await readJsonInput(resolve(dir, file));
      const name = functionFor(event);
      if (!name) continue;
      const { handler } = await FUNCTIONS[name]!.load();
      const result = await withStdoutToStderr(() => handler(event));
      replayed.push({ file, function: name, result });
      if (!values.json) console.error(`replayed ${file} through ${name}`);
    }
    const records = await collectRecords(replayed.map((r) => resolve(dir, r.file)));
    if (values.json) {
      printJson({ replayed, records });
    } else {
      console.log(renderSummary(records));
      const endpoint = records[0]?.endpointName;
      console.log(`\nRecords are in ${sagewatchHome()}. Try:\n  npx sagewatch query --endpoint ${endpoint ?? '<name>'}\n  npx sagewatch query --inference-id ${records[0]?.inferenceId ?? '<id>'}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** Reads back every record of the endpoints the replayed events mention. */
async function collectRecords(paths: string[]): Promise<RequestRecord[]> {
  const text = (await Promise.all(paths.map((p) => import('node:fs/promises').then((fs) => fs.readFile(p, 'utf8'))))).join('\n');
  const endpoints = new Set<string>();
  for (const match of text.matchAll(/Endpoints\/([A-Za-z0-9-]+)|\\?"endpointName\\?"\s*:\s*\\?"([A-Za-z0-9-]+)/g)) {
    endpoints.add(match[1] ?? match[2]!);
  }
  const store = requestStoreFromConfig(loadConfig());
  const records: RequestRecord[] = [];
  for (const endpointName of endpoints) records.push(...(await store.queryByEndpoint({ endpointName, limit: 1000 })));
  return records;
}

function renderSummary(records: RequestRecord[]): string {
  return renderTable(
    ['ENDPOINT', 'INFERENCE ID', 'STATUS', 'SOURCES', 'LATENCY', 'CATEGORY', 'DETAIL'],
    records.map((r) => [
      r.endpointName,
      r.inferenceId,
      r.status,
      r.sources.join('+'),
      formatDuration(r.endToEndLatencyMs),
      r.failureCategory ?? r.logCategory ?? '-',
      truncate(r.failureReason ?? r.logLines[0]?.message ?? r.outputLocation ?? '', 60),
    ]),
  );
}
