import { Command } from '@commander-js/extra-typings';
import { outputFormat, outputOptions, targetOptions, wholeNumber } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch alerts`: flags only; the logic is cli/commands/alerts.ts. */
export function alertsFlags(io: CliIo) {
  const [output, json] = outputOptions();
  const [region, profile, stage] = targetOptions();
  return new Command('alerts')
    .description('list the alerts sent recently, newest first')
    .option('--since <time>', 'alerts sent since then: 30m, 1h, 7d or an ISO-8601 time (default 1h)')
    .option('--limit <n>', 'at most N alerts (default 100)', wholeNumber(1))
    .addOption(output)
    .addOption(json)
    .addOption(region)
    .addOption(profile)
    .addOption(stage)
    .option('--table <name>', 'read this table instead of sagewatch-<stage>-state (also SAGEWATCH_STATE_TABLE)')
    .addHelpText(
      'after',
      '\nWithout --region/--profile/--stage/--table it reads the embedded store of local runs ($SAGEWATCH_HOME);\nwith them, the deployed state table, in the region the AWS CLI would use.',
    )
    .action(async (flags, command) => {
      const { runAlerts } = await import('../commands/alerts');
      await runAlerts({ ...flags, output: outputFormat(flags) }, contextOf(command, io));
    });
}
