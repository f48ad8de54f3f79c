import { resolve } from 'node:path';
import { ensureConfiguredTables, startDynamo, type EmbeddedDynamo } from './dynamo';
import { parseConfig, type Config } from '../lib/config';

/** Where local runs keep their state: $SAGEWATCH_HOME, default ./.sagewatch. */
export function sagewatchHome(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(env.SAGEWATCH_HOME && env.SAGEWATCH_HOME.trim() !== '' ? env.SAGEWATCH_HOME : '.sagewatch');
}

/**
 * Settings every local run needs and no one should have to type: a region and dummy
 * credentials (the emulators accept any), without overriding what the user has set.
 */
export function applyLocalAwsDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_REGION ??= env.AWS_DEFAULT_REGION ?? 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export class HomeInUseError extends Error {
  override name = 'HomeInUseError';
}

export interface EmbeddedStore extends EmbeddedDynamo {
  home: string;
}

/**
 * Starts the embedded DynamoDB persisting under `home`/dynamodb and creates the tables named
 * by `config`. Callers pass its endpoint to their clients (cli/local-invoke.ts lends it to
 * the unchanged Lambda handlers for one invocation).
 */
export async function startEmbeddedStore(options: { home?: string; persist?: boolean; config?: Config } = {}): Promise<EmbeddedStore> {
  const home = options.home ?? sagewatchHome();
  const config = options.config ?? parseConfig(process.env);
  let dynamo: EmbeddedDynamo;
  try {
    dynamo = await startDynamo(options.persist === false ? {} : { path: resolve(home, 'dynamodb') });
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/lock/i.test(message)) {
      throw new HomeInUseError(`another sagewatch process is using ${home}; wait for it or set SAGEWATCH_HOME to another folder`);
    }
    throw error;
  }
  await ensureConfiguredTables(dynamo.endpoint, config);
  return { ...dynamo, home };
}
