import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

/**
 * Colour only where a person reads it: a terminal, not a pipe or a file; never with
 * --no-color or NO_COLOR (https://no-color.org: any non-empty value), and on request with
 * FORCE_COLOR when the output is not a terminal.
 */
export function colorEnabled(stream: { isTTY?: boolean }, options: { flag?: boolean | undefined; env: Readonly<Record<string, string | undefined>> }): boolean {
  if (options.flag === false) return false;
  if (options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '') return false;
  const force = options.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (options.env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function colors(stream: { isTTY?: boolean }, options: { flag?: boolean | undefined; env: Readonly<Record<string, string | undefined>> }): Colors {
  return createColors(colorEnabled(stream, options));
}

/** The width a string takes on screen, without its colour escapes. */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Request and alert states in the colours people expect of them. */
export function statusColor(ctx: { color: Colors }, text: string): string {
  const t = text.toLowerCase();
  if (t === 'failed' || t === 'firing' || t === 'critical') return ctx.color.red(text);
  if (t === 'completed' || t === 'resolved' || t === 'ok') return ctx.color.green(text);
  if (t === 'inprogress' || t === 'warning') return ctx.color.yellow(text);
  return text;
}
