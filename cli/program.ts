import { createRequire } from 'node:module';
import { Command } from '@commander-js/extra-typings';
import type { CliIo } from './context';
import { UsageError } from './errors';
import { suggest } from './suggest';
import { alertsFlags } from './flags/alerts';
import { demoFlags } from './flags/demo';
import { invokeFlags } from './flags/invoke';
import { planFlags } from './flags/plan';
import { queryFlags } from './flags/query';
import { replayFlags } from './flags/replay';

/**
 * The command line: global flags, the commands (each defined in cli/flags/<command>.ts, its
 * logic in cli/commands/<command>.ts, loaded only when it runs), and the conventions of the
 * AWS CLI and osls: usage errors on one line of stderr with a suggestion and exit status 2.
 */
export const COMMANDS = [demoFlags, replayFlags, invokeFlags, queryFlags, alertsFlags, planFlags];

export function buildProgram(io: CliIo = process) {
  const program = new Command('sagewatch')
    .description('Watches Amazon SageMaker endpoints and jobs, and traces every async inference request.')
    .usage('<command> [options]')
    .version(packageVersion(), '--version', 'print the version and exit')
    .option('--debug', "print stack traces and the CLI's own decisions on stderr")
    .option('--no-color', 'never colour the output (NO_COLOR does the same; colour is only used on a terminal)')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
      outputError: (text, write) => write(`${oneLine(text)}\n`),
    })
    .addHelpText('after', "\nRun `sagewatch <command> --help` for a command's options.\nState of local runs lives in $SAGEWATCH_HOME (default ./.sagewatch).");
  for (const define of COMMANDS) {
    const command = define(io);
    command.copyInheritedSettings(program);
    program.addCommand(command);
  }
  program
    .command('help')
    .description('show help for a command')
    .argument('[command]', 'a command')
    .action((name) => {
      if (name === undefined) return program.help();
      const command = program.commands.find((c) => c.name() === name);
      if (!command || command.name() === 'help') {
        const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
        const guess = suggest(name, names);
        throw new UsageError(`unknown command '${name}'${guess ? ` (did you mean ${guess}?)` : `; commands: ${names.join(', ')}`}`);
      }
      return command.help();
    });
  return program;
}

/** commander's "error: unknown option '--x'\n(Did you mean --y?)" as one line. */
export function oneLine(text: string): string {
  const flat = text
    .trim()
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\(Did you mean/g, '(did you mean');
  return `sagewatch: ${flat}`;
}

function packageVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}
