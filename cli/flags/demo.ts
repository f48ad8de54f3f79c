import { Command, Option } from '@commander-js/extra-typings';
import { outputFormat, outputOptions, wholeNumber } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch demo` (what `npm start` runs): flags only; the logic is cli/commands/demo.ts. */
export function demoFlags(io: CliIo) {
  const [output, json] = outputOptions();
  return new Command('demo')
    .description('run the whole system locally on embedded emulators (npm start)')
    .option('--requests <n>', 'async requests to simulate', wholeNumber(1), 3000)
    .option('--endpoints <k>', 'endpoints to simulate, every kind in turn (at least 5 with the default faults)', wholeNumber(1), 9)
    .option('--seed <s>', "random seed: same seed, same run (default: 42, or the scenario file's)", wholeNumber(0))
    .option('--scenario <file>', 'play the traffic FILE describes instead (README "Traffic scenarios"): rates, latency mixtures, daily cycles, faults, delays')
    .addOption(
      new Option('--faults <set>', 'default: an error burst, a latency shift, lost notifications, expired requests and a failed training job; none: no faults')
        .choices(['default', 'none'] as const)
        .default('default' as const),
    )
    .option('--chaos', 'also inject infrastructure faults: throttled writes, crashes mid-batch, duplicate and out-of-order deliveries, Slack 429/500')
    .option('--verbose', "copy the handlers' logs and metrics to stderr")
    .addOption(output)
    .addOption(json)
    .addHelpText('after', '\nRecords stay in $SAGEWATCH_HOME (default ./.sagewatch) for `sagewatch query` and `sagewatch alerts`.')
    .action(async (flags, command) => {
      const { runDemoCommand } = await import('../commands/demo');
      const given = ['requests', 'endpoints', 'faults'].filter((name) => command.getOptionValueSource(name) === 'cli');
      await runDemoCommand({ ...flags, given, output: outputFormat(flags) }, contextOf(command, io));
    });
}
