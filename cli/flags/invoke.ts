import { Command } from '@commander-js/extra-typings';
import { FUNCTIONS } from '../functions';
import { contextOf, type CliIo } from './context';

/** `sagewatch invoke`: flags only; the logic is cli/commands/invoke.ts. */
export function invokeFlags(io: CliIo) {
  return new Command('invoke')
    .description('run one handler locally on an event file (- for stdin), like `serverless invoke local`')
    .argument('<function>', `one of: ${Object.keys(FUNCTIONS).join(', ')}`)
    .argument('<event>', 'event file (JSON), or - to read it from standard input')
    .addHelpText(
      'after',
      '\nRuns against the embedded store in $SAGEWATCH_HOME. The return value goes to stdout as JSON;\nthe handler\'s logs and metrics go to stderr.',
    )
    .action(async (name, event, _flags, command) => {
      const { runInvoke } = await import('../commands/invoke');
      await runInvoke({ name, event }, contextOf(command, io));
    });
}
