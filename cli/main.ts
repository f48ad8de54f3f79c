import { CliError } from './errors';
import { HomeInUseError } from '../local/environment';
import '../local/polyfills';

const HELP = `sagewatch: watches Amazon SageMaker endpoints and jobs, and traces every async inference request.

Usage: sagewatch <command> [options]

Commands:
  demo                       run the system locally on embedded emulators (npm start)
  replay                     replay the sample events in events/ through the handlers
  invoke <function> <event>  run one handler locally on an event file (- for stdin)
  query                      read correlated async inference records
  alerts                     list the alerts sent recently
  plan --event F [--describe F]  what converging a SageMaker resource would attach
  help [command]             show help

Run \`sagewatch <command> --help\` for a command's options.
State of local runs lives in $SAGEWATCH_HOME (default ./.sagewatch).`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: () => Promise<string> }> = {
  demo: { run: async () => (await import('./commands/demo')).demoCommand, help: async () => (await import('./commands/demo')).DEMO_HELP },
  replay: { run: async () => (await import('./commands/replay')).replayCommand, help: async () => (await import('./commands/replay')).REPLAY_HELP },
  invoke: { run: async () => (await import('./commands/invoke')).invokeCommand, help: async () => (await import('./commands/invoke')).INVOKE_HELP },
  plan: { run: async () => (await import('./commands/plan')).planCommand, help: async () => (await import('./commands/plan')).PLAN_HELP },
  alerts: { run: async () => (await import('./commands/alerts')).alertsCommand, help: async () => (await import('./commands/alerts')).ALERTS_HELP },
  query: { run: async () => (await import('./commands/query')).queryCommand, help: async () => (await import('./commands/query')).QUERY_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    console.log(topic ? await topic.help() : HELP);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    const { createRequire } = await import('node:module');
    console.log((createRequire(import.meta.url)('../package.json') as { version: string }).version);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  // Node 20 is supported here; the SDK's upgrade notice would only clutter every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (await command.run())(rest);
}

function describeError(error: unknown): { message: string; code: number } {
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof HomeInUseError) return { message: error.message, code: 1 };
  const e = error as { code?: string; message?: string; name?: string };
  // parseArgs rejects unknown or malformed options with these codes: a usage mistake.
  if (e?.code?.startsWith('ERR_PARSE_ARGS')) return { message: e.message ?? 'invalid arguments', code: 2 };
  return { message: `unexpected error: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, code: 1 };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { message, code } = describeError(error);
    process.stderr.write(`sagewatch: ${message}\n`);
    if (process.env.SAGEWATCH_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = code;
  },
);
