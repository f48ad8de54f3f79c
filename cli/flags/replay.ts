import { Command } from '@commander-js/extra-typings';
import { outputFormat, outputOptions } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch replay`: flags only; the logic is cli/commands/replay.ts. */
export function replayFlags(io: CliIo) {
  const [output, json] = outputOptions();
  return new Command('replay')
    .description('replay the sample events in events/ through the handlers')
    .option('--events <dir>', 'folder of sample events', 'events')
    .addOption(output)
    .addOption(json)
    .addHelpText('after', '\nAfterwards `sagewatch query --endpoint <name>` reads the same records from $SAGEWATCH_HOME.')
    .action(async (flags, command) => {
      const { runReplay } = await import('../commands/replay');
      await runReplay({ ...flags, output: outputFormat(flags) }, contextOf(command, io));
    });
}
