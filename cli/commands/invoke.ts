import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { FUNCTIONS } from '../functions';
import { printJson, readJsonInput, withStdoutToStderr } from '../io';
import { startEmbeddedStore } from '../../local/environment';
import { InvalidEventError } from '../../lib/events/errors';

export const INVOKE_HELP = `Usage: sagewatch invoke <function> <event.json | ->

Runs one handler locally, like \`serverless invoke local\`, against the embedded store
(persisting under $SAGEWATCH_HOME, default ./.sagewatch). The handler's return value is
printed to stdout as JSON; its logs and metrics go to stderr.

Functions: ${Object.keys(FUNCTIONS).join(', ')}`;

export async function invokeCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(INVOKE_HELP);
    return 0;
  }
  const [name, eventPath, ...extra] = positionals;
  if (!name || !eventPath) throw new CliError(`invoke needs a function and an event file\n\n${INVOKE_HELP}`);
  if (extra.length > 0) throw new CliError(`invoke takes one function and one event file; unexpected: ${extra.join(' ')}`);
  const entry = FUNCTIONS[name];
  if (!entry) throw new CliError(`unknown function "${name}"; known functions: ${Object.keys(FUNCTIONS).join(', ')}`);
  const event = await readJsonInput(eventPath);

  const store = await startEmbeddedStore();
  try {
    const result = await withStdoutToStderr(async () => {
      const { handler } = await entry.load();
      return handler(event, localContext(name));
    });
    printJson(result ?? null);
    return 0;
  } catch (error) {
    if (error instanceof InvalidEventError) throw new CliError(`${name}: ${error.message}`, 1);
    throw new CliError(`${name} failed: ${(error as Error).message ?? String(error)}`, 1);
  } finally {
    await store.close();
  }
}

function localContext(functionName: string) {
  return {
    functionName: `sagewatch-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:sagewatch-local-${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/sagewatch-local-${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 300_000,
  };
}
