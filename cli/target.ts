import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { UsageError } from './errors';
import type { TargetFlags } from './options';

/**
 * Which account, Region and credentials a command talks to, resolved the way the AWS CLI does:
 * `--region`, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's `region` in the shared
 * config file; credentials from the SDK's default chain for that profile (`--profile` or
 * AWS_PROFILE: static keys, SSO, credential_process, assume-role, web identity, container,
 * instance). Nothing here writes the environment: the result is passed to the clients.
 */
export interface AwsTarget {
  region: string;
  profile?: string;
  /** What decided the Region, for --debug and for the "which account" line. */
  regionSource: string;
  credentials: ReturnType<typeof fromNodeProviderChain>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The flags that point a command at an account, in the order they are named in errors. */
export function accountFlagsGiven(flags: TargetFlags & { table?: string | undefined }): string[] {
  return [
    flags.region !== undefined ? `--region ${flags.region}` : undefined,
    flags.profile !== undefined ? `--profile ${flags.profile}` : undefined,
    flags.stage !== undefined ? `--stage ${flags.stage}` : undefined,
    flags.table !== undefined ? `--table ${flags.table}` : undefined,
  ].filter((f): f is string => f !== undefined);
}

export async function resolveAwsTarget(flags: TargetFlags, env: Env, why: string): Promise<AwsTarget> {
  const profile = nonEmpty(flags.profile) ?? nonEmpty(env.AWS_PROFILE);
  const files = { filepath: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE), configFilepath: nonEmpty(env.AWS_CONFIG_FILE), ignoreCache: true };
  const init = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
  let region = nonEmpty(flags.region);
  let regionSource = '--region';
  if (!region && nonEmpty(env.AWS_REGION)) [region, regionSource] = [env.AWS_REGION!, 'AWS_REGION'];
  if (!region && nonEmpty(env.AWS_DEFAULT_REGION)) [region, regionSource] = [env.AWS_DEFAULT_REGION!, 'AWS_DEFAULT_REGION'];
  if (profile !== undefined || !region) {
    const { configFile, credentialsFile } = await loadSharedConfigFiles(init);
    const name = profile ?? 'default';
    if (profile !== undefined && !configFile[name] && !credentialsFile[name]) {
      throw new UsageError(`profile "${profile}" is not in ${files.configFilepath ?? '~/.aws/config'} or ${files.filepath ?? '~/.aws/credentials'}`);
    }
    if (!region && nonEmpty(configFile[name]?.region)) [region, regionSource] = [configFile[name]!.region!, `profile ${name}`];
  }
  if (!region) {
    throw new UsageError(`${why} but no AWS Region: add --region R${profile ? ` or set region in profile ${profile}` : ', or --profile P with a region'} (or set AWS_REGION)`);
  }
  return {
    region,
    ...(profile !== undefined ? { profile } : {}),
    regionSource,
    credentials: credentialsFor(profile, env, init),
  };
}

/**
 * The default chain, with the environment read from `env`: keys in the environment unless a
 * profile is named (then the profile wins, as in the AWS CLI), else the profile (or `default`)
 * from the shared files, SSO, credential_process, web identity, container and instance roles.
 */
function credentialsFor(profile: string | undefined, env: Env, files: Record<string, unknown>): AwsTarget['credentials'] {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (profile === undefined && accessKeyId && secretAccessKey) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
    const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    return async () => credentials;
  }
  return fromNodeProviderChain({ ...files, profile: profile ?? 'default' });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
