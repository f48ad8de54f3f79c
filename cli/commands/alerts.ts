import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { parseSince } from '../time';
import { startEmbeddedStore } from '../../local/environment';
import { loadConfig, resetConfig } from '../../lib/config';
import { createDocumentClient } from '../../lib/aws/clients';
import { alertStoreFromConfig } from '../../lib/store/alerts';

export const ALERTS_HELP = `Usage: sagewatch alerts [--since 1h] [--limit N] [--json]

Lists the alerts sagewatch sent recently, newest first: from the embedded store of local runs
($SAGEWATCH_HOME) or, with --region/--profile (or --table / SAGEWATCH_STATE_TABLE), from the
deployed state table (default sagewatch-<stage>-state).`;

export async function alertsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
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
    console.log(ALERTS_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`alerts takes options only; unexpected: ${positionals.join(' ')}`);
  const since = parseSince(values.since ?? '1h');
  let limit = 100;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got "${values.limit}"`);
  }
  const table = values.table ?? process.env.SAGEWATCH_STATE_TABLE;
  const deployed = Boolean(table || values.region || values.profile);
  let embedded: Awaited<ReturnType<typeof startEmbeddedStore>> | undefined;
  if (deployed) {
    if (values.region) process.env.AWS_REGION = values.region;
    if (values.profile) process.env.AWS_PROFILE = values.profile;
    process.env.STATE_TABLE = table ?? `sagewatch-${values.stage ?? 'dev'}-state`;
    resetConfig();
  } else {
    embedded = await startEmbeddedStore();
  }
  const config = loadConfig();
  const client = createDocumentClient({ region: config.region });
  try {
    let sent;
    try {
      sent = await alertStoreFromConfig(config, client).recent(since, { limit });
    } catch (error) {
      throw new CliError(`alerts failed: ${(error as Error).name}: ${(error as Error).message}`, 1);
    }
    if (values.json) {
      printJson(sent.map((s) => ({ sentAt: s.sentAt, ...s.alert })));
    } else if (sent.length === 0) {
      console.error(`no alerts since ${since}`);
    } else {
      console.log(
        renderTable(
          ['SENT', 'STATUS', 'SEVERITY', 'KIND', 'RESOURCE', 'TITLE'],
          sent.map((s) => [s.sentAt, s.alert.status, s.alert.severity, s.alert.kind, s.alert.resource.name, truncate(s.alert.title, 90)]),
        ),
      );
    }
    return 0;
  } finally {
    client.destroy();
    await embedded?.close();
  }
}
