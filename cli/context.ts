import { colors, type Colors } from './color';

/**
 * What a command needs from the process, passed down instead of read from globals: the
 * environment it was started with, where its output goes, and the global flags.
 */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Colours for stdout; all identity functions when colour is off. */
  color: Colors;
  /** --debug: stack traces and the CLI's own decisions on stderr. */
  debug: boolean;
}

export interface GlobalFlags {
  debug?: boolean;
  color?: boolean;
}

/** The process as the CLI sees it; tests pass their own. */
export type CliIo = Pick<CliContext, 'env' | 'stdout' | 'stderr'>;

export function createContext(flags: GlobalFlags, io: CliIo = process): CliContext {
  return {
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    color: colors(io.stdout, { flag: flags.color, env: io.env }),
    debug: flags.debug === true,
  };
}

/** One line of the CLI's own reasoning, shown with --debug only. */
export function debugLine(ctx: CliContext, message: string): void {
  if (ctx.debug) ctx.stderr.write(`debug: ${message}\n`);
}

export function print(ctx: CliContext, text: string): void {
  ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function note(ctx: CliContext, text: string): void {
  ctx.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
