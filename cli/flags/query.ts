import { Command, Option } from '@commander-js/extra-typings';
import { outputFormat, outputOptions, targetOptions, wholeNumber } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch query`: flags only; the logic is cli/commands/query.ts. */
export function queryFlags(io: CliIo) {
  const [output, json] = outputOptions();
  const [region, profile, stage] = targetOptions();
  return new Command('query')
    .description('read correlated async inference records')
    .usage('--inference-id ID | --endpoint NAME [options]')
    .option('--inference-id <id>', 'every record with this inference id')
    .option('--endpoint <name>', 'records of one endpoint, newest first')
    .addOption(new Option('--status <status>', 'only records with this status (Completed, Failed, InProgress)'))
    .option('--since <time>', 'only requests received since then: 30m, 1h, 7d or an ISO-8601 time')
    .option('--until <time>', 'only requests received until then')
    .option('--limit <n>', 'at most N records (default 50)', wholeNumber(1))
    .addOption(output)
    .addOption(json)
    .addOption(region)
    .addOption(profile)
    .addOption(stage)
    .option('--table <name>', 'read this table instead of sagewatch-<stage>-requests (also SAGEWATCH_TABLE)')
    .addHelpText(
      'after',
      '\nWithout --region/--profile/--stage/--table it reads the embedded store of local runs ($SAGEWATCH_HOME);\nwith them, the deployed table, in the region the AWS CLI would use.',
    )
    .action(async (flags, command) => {
      const { runQuery } = await import('../commands/query');
      await runQuery({ ...flags, output: outputFormat(flags) }, contextOf(command, io));
    });
}
