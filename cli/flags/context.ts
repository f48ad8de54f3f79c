import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { createContext, type CliContext, type CliIo, type GlobalFlags } from '../context';

export type { CliIo };

/** The context a command's logic runs with: the process's streams and env, and the global flags. */
export function contextOf(command: CommandUnknownOpts, io: CliIo): CliContext {
  return createContext(command.optsWithGlobals() as GlobalFlags, io);
}
