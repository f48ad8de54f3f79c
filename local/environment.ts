import { resolve } from 'node:path';
import { ensureTables, startDynamo, type EmbeddedDynamo } from './dynamo';
import { loadConfig, resetConfig } from '../lib/config';

/** Where local runs keep their state: $SAGEWATCH_HOME, default ./.sagewatch. */
export function sagewatchHome(env: NodeJS.ProcessEnv = process.env): string {
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

/**
 * Starts the embedded DynamoDB persisting under $SAGEWATCH_HOME/dynamodb, creates the tables,
 * and points the SDK at it via AWS_ENDPOINT_URL_DYNAMODB so handlers run unchanged.
 */
export async function startEmbeddedStore(home = sagewatchHome(), options: { persist?: boolean } = {}): Promise<EmbeddedDynamo> {
  applyLocalAwsDefaults();
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
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  resetConfig();
  const config = loadConfig();
  await ensureTables(
    dynamo.endpoint,
    {
      requests: config.requestsTable,
      requestsByEndpointIndex: config.requestsByEndpointIndex,
      inventory: config.inventoryTable,
      state: config.stateTable,
    },
    config.region,
  );
  return dynamo;
}
