import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { parseSince } from '../time';
import { openStore, parseLimit } from '../store';
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
  const limit = parseLimit(values.limit, 100);
  const { config, client, close } = await openStore(values, { envVar: 'STATE_TABLE', overrideVar: 'SAGEWATCH_STATE_TABLE', suffix: 'state' });
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
    await close();
  }
}
