import { CommanderError } from '@commander-js/extra-typings';
import type { CliIo } from './context';
import { CliError } from './errors';
import { buildProgram, oneLine } from './program';
import { HomeInUseError } from '../local/environment';

/**
 * Runs one command line and maps every outcome to an exit status: 0 done (and help,
 * version), 1 the command failed, 2 it was called wrongly. Errors are one line on stderr;
 * their stack only with --debug.
 */
export async function run(argv: string[], io: CliIo = process): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Help and --version "exit" through here with status 0; commander printed its message already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { message, code } = describeError(error);
    io.stderr.write(`${oneLine(message)}\n`);
    if (debugRequested(argv) && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return code;
  }
}

function describeError(error: unknown): { message: string; code: number } {
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof HomeInUseError) return { message: error.message, code: 1 };
  const e = error as { message?: string; name?: string };
  return { message: `unexpected error: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, code: 1 };
}

/** Read from argv rather than the parsed flags, so that a failure while parsing shows its stack too. */
function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
}
