import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { debugLine, type CliContext } from './context';
import { sagewatchHome, startEmbeddedStore } from '../local/environment';
import { parseConfig, type Config } from '../lib/config';
import type { TargetFlags } from './options';
import { accountFlagsGiven, resolveAwsTarget } from './target';

export interface StoreFlags extends TargetFlags {
  table?: string | undefined;
}

export interface OpenedStore {
  config: Config;
  client: DynamoDBDocumentClient;
  /** "the embedded store in ./.sagewatch" or "table sagewatch-prod-requests in eu-west-1 (profile ops)". */
  where: string;
  close(): Promise<void>;
}

/**
 * Where a read command looks: the deployed table when any of --region, --profile, --stage or
 * --table (or the table's environment variable) is given, otherwise the embedded store of local
 * runs. A deployed target without a Region is refused rather than guessed.
 */
export async function openStore(
  flags: StoreFlags,
  which: { configKey: 'requestsTable' | 'stateTable'; overrideVar: 'SAGEWATCH_TABLE' | 'SAGEWATCH_STATE_TABLE'; suffix: string },
  ctx: CliContext,
): Promise<OpenedStore> {
  const table = flags.table ?? (ctx.env[which.overrideVar] || undefined);
  const named = accountFlagsGiven({ ...flags, table });
  if (named.length === 0) {
    const config = parseConfig(ctx.env);
    const embedded = await startEmbeddedStore({ home: sagewatchHome(ctx.env), config });
    const client = documentClient(new DynamoDBClient({ region: config.region, endpoint: embedded.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    return opened(ctx, { config, client, where: `the embedded store in ${embedded.home ?? '$SAGEWATCH_HOME'}` }, '', () => embedded.close());
  }
  const target = await resolveAwsTarget(flags, ctx.env, `${named.join(' ')} names a deployed stack`);
  const stage = flags.stage ?? (ctx.env.SAGEWATCH_STAGE || 'dev');
  const tableName = table ?? `sagewatch-${stage}-${which.suffix}`;
  // A query by endpoint reads the state table's listing beside the requests table: the stage's, or the one beside a named `<prefix>-requests`.
  const stateTable =
    ctx.env.SAGEWATCH_STATE_TABLE || (which.configKey === 'requestsTable' && tableName.endsWith('-requests') ? `${tableName.slice(0, -'-requests'.length)}-state` : `sagewatch-${stage}-state`);
  const config = { ...parseConfig(ctx.env), region: target.region, stage, stateTable, [which.configKey]: tableName };
  const client = documentClient(
    new DynamoDBClient({ region: target.region, credentials: target.credentials, maxAttempts: 5, retryMode: 'standard', ...(target.profile ? { profile: target.profile } : {}) }),
  );
  const where = `table ${tableName} in ${target.region}${target.profile ? ` (profile ${target.profile})` : ''}`;
  return opened(ctx, { config, client, where }, `; Region from ${target.regionSource}`);
}

/** The store as the commands get it: closing it always releases the client, then whatever else it holds. */
function opened(ctx: CliContext, store: Omit<OpenedStore, 'close'>, debugDetail: string, release: () => Promise<void> = async () => {}): OpenedStore {
  debugLine(ctx, `reading ${store.where}${debugDetail}`);
  return {
    ...store,
    close: async () => {
      store.client.destroy();
      await release();
    },
  };
}

function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
