import { readFile } from 'node:fs/promises';
import { CliError } from './errors';

/** Reads a JSON document from a file, or from standard input when the path is `-`. */
export async function readJsonInput(path: string, what = 'event'): Promise<unknown> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CliError(`${what} file not found: ${path}`);
      if (code === 'EISDIR') throw new CliError(`${what} path is a directory, expected a JSON file: ${path}`);
      throw new CliError(`cannot read ${what} file ${path}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} ${path === '-' ? 'on standard input' : path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Runs `fn` with everything written to stdout sent to stderr instead, so a command's own
 * result is the only thing on stdout (handlers log and emit EMF metrics to stdout in Lambda).
 */
export async function withStdoutToStderr<T>(fn: () => Promise<T>): Promise<T> {
  const original = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = original;
  }
}

export function printJson(value: unknown, stream: { write(text: string): unknown } = process.stdout): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
