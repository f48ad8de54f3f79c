import { run } from '../../cli/run';

/** A writable stream that keeps what was written, shaped like a terminal or a pipe. */
export class Captured {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}

/** Runs the CLI in this process (much faster than a child process) with its own streams and env. */
export async function cli(argv: string[], env: Record<string, string | undefined> = process.env, tty = false) {
  const stdout = new Captured(tty, tty ? 100 : undefined);
  const stderr = new Captured(tty, tty ? 100 : undefined);
  const code = await run(argv, { env, stdout: stdout as never, stderr: stderr as never });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
