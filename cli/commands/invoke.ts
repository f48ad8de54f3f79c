import type { CliContext } from '../context';
import { CliError, UsageError } from '../errors';
import { suggest } from '../suggest';
import { FUNCTIONS } from '../functions';
import { printJson, readJsonInput, withStdoutToStderr } from '../io';
import { lambdaEnvironmentFor, startEmbeddedStore } from '../../local/environment';
import { parseConfig } from '../../lib/config';
import { InvalidEventError } from '../../lib/events/errors';

export interface InvokeOptions {
  name: string;
  event: string;
}

/** `sagewatch invoke` (flags in cli/flags/invoke.ts). */
export async function runInvoke(options: InvokeOptions, ctx: CliContext): Promise<void> {
  const { name } = options;
  const entry = FUNCTIONS[name];
  if (!entry) {
    const guess = suggest(name, Object.keys(FUNCTIONS));
    throw new UsageError(`unknown function '${name}'${guess ? ` (did you mean ${guess}?)` : `; functions: ${Object.keys(FUNCTIONS).join(', ')}`}`);
  }
  const event = await readJsonInput(options.event);

  const store = await startEmbeddedStore({ config: parseConfig(ctx.env) });
  lambdaEnvironmentFor(store);
  try {
    const result = await withStdoutToStderr(async () => {
      const { handler } = await entry.load();
      return handler(event, localContext(name));
    });
    printJson(result ?? null, ctx.stdout);
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
