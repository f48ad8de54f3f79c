/**
 * A Lambda execution environment in miniature, for one deployed bundle: bench/lambda-process.ts
 * builds this file with esbuild and runs it in a fresh Node process with the function's
 * environment. The parent sends the events over IPC (so parsing them is outside the measured
 * window, as the runtime's own work is); this process imports the bundle, calls its handler
 * the way the runtime does and reports the CPU (process.cpuUsage: user + system, all threads)
 * and wall time of each call. What the handler writes to stdout (logs, EMF documents) is
 * counted: CloudWatch Logs bills it.
 *
 * A call can carry `clockMs`: the time `Date.now()` and `new Date()` show when it starts
 * (the clock keeps running from there), so a run can play an hour of traffic, or a sweep that
 * comes 20 minutes later, in seconds.
 */
import { pathToFileURL } from 'node:url';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
type Prepare = (data: unknown) => unknown;

export type ChildRequest = { type: 'import'; file: string } | { type: 'invoke'; id: number; event: unknown; clockMs?: number } | { type: 'prepare'; data: unknown } | { type: 'stats' };

export type ChildReply =
  | { type: 'imported'; cpuMs: number; wallMs: number; rssMb: number }
  | { type: 'invoked'; id: number; cpuMs: number; wallMs: number; stdoutBytes: number; result?: unknown; error?: string }
  | { type: 'prepared'; result: unknown }
  | { type: 'stats'; maxRssMb: number; rssMb: number }
  | { type: 'failed'; error: string };

const RealDate = Date;
let offsetMs = 0;
class BenchDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [string | number | Date]));
  }
  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = BenchDate as DateConstructor;

let stdoutBytes = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  stdoutBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

let handler: Handler | undefined;
/** A bench entry's own set-up before a call (bench/replay-process-logs.ts), outside the measured window. */
let prepare: Prepare | undefined;
const cpuMs = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1000;
const reply = (message: ChildReply) => process.send!(message);
let invocations = 0;

function context(): Record<string, unknown> {
  const deadline = RealDate.now() + 60_000;
  invocations++;
  return {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: `bench-${process.pid}-${invocations}`,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
  };
}

process.on('message', (message: ChildRequest) => {
  void (async () => {
    try {
      if (message.type === 'import') {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const module = (await import(pathToFileURL(message.file).href)) as { handler?: Handler; prepare?: Prepare };
        const wallMs = performance.now() - start;
        const used = cpuMs(process.cpuUsage(cpu));
        if (typeof module.handler !== 'function') throw new Error(`${message.file} exports no handler`);
        handler = module.handler;
        prepare = module.prepare;
        reply({ type: 'imported', cpuMs: used, wallMs, rssMb: process.memoryUsage().rss / 2 ** 20 });
      } else if (message.type === 'invoke') {
        if (!handler) throw new Error('invoke before import');
        offsetMs = message.clockMs === undefined ? 0 : message.clockMs - RealDate.now();
        const bytesBefore = stdoutBytes;
        const cpu = process.cpuUsage();
        const start = performance.now();
        let result: unknown;
        let error: string | undefined;
        try {
          result = await handler(message.event, context());
        } catch (caught) {
          error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
        }
        const wallMs = performance.now() - start;
        const used = cpuMs(process.cpuUsage(cpu));
        offsetMs = 0;
        reply({ type: 'invoked', id: message.id, cpuMs: used, wallMs, stdoutBytes: stdoutBytes - bytesBefore, ...(error ? { error } : { result }) });
      } else if (message.type === 'prepare') {
        if (!prepare) throw new Error('the bundle exports no prepare');
        reply({ type: 'prepared', result: prepare(message.data) });
      } else {
        reply({ type: 'stats', maxRssMb: process.resourceUsage().maxRSS / 1024, rssMb: process.memoryUsage().rss / 2 ** 20 });
      }
    } catch (error) {
      reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
