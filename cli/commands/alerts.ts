import { statusColor } from '../color';
import { note, print, type CliContext } from '../context';
import { CliError } from '../errors';
import { printJson } from '../io';
import type { OutputFormat } from '../options';
import { renderTable } from '../table';
import { parseSince } from '../time';
import { openStore, type StoreFlags } from '../store';
import { alertStoreFromConfig, type SentAlert } from '../../lib/store/alerts';

export interface AlertsOptions extends StoreFlags {
  since?: string | undefined;
  limit?: number | undefined;
  output: OutputFormat;
}

/** `sagewatch alerts` (flags in cli/flags/alerts.ts). */
export async function runAlerts(options: AlertsOptions, ctx: CliContext): Promise<void> {
  const since = parseSince(options.since ?? '1h');
  const limit = options.limit ?? 100;
  const { config, client, close, where } = await openStore(options, { configKey: 'stateTable', overrideVar: 'SAGEWATCH_STATE_TABLE', suffix: 'state' }, ctx);
  try {
    let sent: SentAlert[];
    try {
      sent = await alertStoreFromConfig(config, client).recent(since, { limit });
    } catch (error) {
      throw new CliError(`alerts of ${where} failed: ${(error as Error).name}: ${(error as Error).message}`, 1);
    }
    if (options.output === 'json') {
      printJson(
        sent.map((s) => ({ sentAt: s.sentAt, ...s.alert })),
        ctx.stdout,
      );
    } else if (sent.length === 0) {
      note(ctx, `no alerts since ${since} in ${where}`);
    } else {
      print(
        ctx,
        renderTable(
          ['SENT', 'STATUS', 'SEVERITY', 'KIND', 'RESOURCE', 'TITLE'],
          sent.map((s) => [s.sentAt, s.alert.status, s.alert.severity, s.alert.kind, s.alert.resource.name, s.alert.title]),
          { header: ctx.color.bold, style: (text, column) => (column === 1 || column === 2 ? statusColor(ctx, text) : text) },
        ),
      );
    }
  } finally {
    await close();
  }
}
