import { CliError } from './errors';
import { startEmbeddedStore } from '../local/environment';
import { loadConfig, resetConfig, type Config } from '../lib/config';
import { createDocumentClient } from '../lib/aws/clients';

export interface StoreTarget {
  table?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  stage?: string | undefined;
}

/**
 * Where a read command looks: the deployed table when a table, region or profile is given
 * (table name `sagewatch-<stage>-<suffix>` by default), otherwise the embedded store of local runs.
 */
export async function openStore(
  target: StoreTarget,
  which: { envVar: 'REQUESTS_TABLE' | 'STATE_TABLE'; overrideVar: string; suffix: string },
): Promise<{ config: Config; client: ReturnType<typeof createDocumentClient>; close(): Promise<void> }> {
  const table = target.table ?? process.env[which.overrideVar];
  let embedded: Awaited<ReturnType<typeof startEmbeddedStore>> | undefined;
  if (table || target.region || target.profile) {
    if (target.region) process.env.AWS_REGION = target.region;
    if (target.profile) process.env.AWS_PROFILE = target.profile;
    process.env[which.envVar] = table ?? `sagewatch-${target.stage ?? 'dev'}-${which.suffix}`;
    resetConfig();
  } else {
    embedded = await startEmbeddedStore();
  }
  const config = loadConfig();
  const client = createDocumentClient({ region: config.region });
  return {
    config,
    client,
    close: async () => {
      client.destroy();
      await embedded?.close();
    },
  };
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got "${value}"`);
  return limit;
}
