import { debugLine, type CliContext } from './context';
import { FUNCTIONS, type FunctionName } from './functions';
import { withHandlerEnvironment } from './handler-env';
import { withStdoutToStderr } from './io';
import { InvokePlan, loadDescribes } from './invoke-plan';
import type { AwsTarget } from './target';
import { stackNames } from '../infra/names';
import { createWebhookUrlSource } from '../lib/alerts/secret';
import { parseConfig } from '../lib/config';
import { sagewatchHome, startEmbeddedStore, type EmbeddedStore } from '../local/environment';

/**
 * Runs the unchanged handlers in this process, in one of two modes:
 * - planned (the default): DynamoDB is the embedded store in $SAGEWATCH_HOME, and every
 *   service without an emulator is replaced by a recorder (cli/invoke-plan.ts), so nothing in
 *   any AWS account is read or changed, whatever credentials the environment holds;
 * - live (`--live` with an explicit --region/--profile): the handlers build their own clients,
 *   as deployed, against that account and the tables of the stage.
 */
export type InvokeMode = { kind: 'plan'; describe?: unknown } | { kind: 'live'; target: AwsTarget; stage: string };

type Env = Record<string, string | undefined>;

/** What a planned invoke hands each handler instead of an SDK client. Every function is listed: a new one must decide. */
const PLANNED: Record<FunctionName, (plan: InvokePlan, env: Env) => Record<string, unknown>> = {
  processLogs: () => ({}),
  classifyResource: () => ({}),
  processNotifications: (plan) => ({ publisher: plan.publisher }),
  sweepRequests: (plan) => ({ publisher: plan.publisher }),
  reportProblems: (plan) => ({ publisher: plan.publisher }),
  // The webhook secret (SSM / Secrets Manager) is not read; SLACK_WEBHOOK_URL, a URL the user typed, still posts.
  notifySlack: (_plan, env) => ({ webhook: createWebhookUrlSource(env.SLACK_WEBHOOK_URL ? { overrideUrl: env.SLACK_WEBHOOK_URL } : {}) }),
  describeResource: (plan) => ({ sagemaker: plan.sagemaker }),
  listResources: (plan) => ({ sagemaker: plan.sagemaker }),
  findOrphans: (plan) => ({ sagemaker: plan.sagemaker }),
  checkResources: (plan) => ({ sagemaker: plan.sagemaker, gateway: plan.gateway, settings: plan.settings }),
  convergeResource: (plan) => ({ gateway: plan.gateway, settings: plan.settings }),
  sweepMetricStreams: (plan) => ({ gateway: plan.gateway, settings: plan.settings }),
};

export interface LocalInvoker {
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /** Set when planned: every request recorded instead of sent. */
  plan?: InvokePlan;
  /** "the embedded store in ..." or "account in eu-west-1 (profile ops)". */
  where: string;
  store?: EmbeddedStore;
  close(): Promise<void>;
}

export async function openLocalInvoker(mode: InvokeMode, ctx: CliContext): Promise<LocalInvoker> {
  if (mode.kind === 'live') {
    const { target, stage } = mode;
    const names = stackNames('sagewatch', stage);
    const env: Env = {
      ...ctx.env,
      AWS_REGION: target.region,
      AWS_DEFAULT_REGION: target.region,
      ...(target.profile ? { AWS_PROFILE: target.profile } : {}),
      SAGEWATCH_STAGE: stage,
      REQUESTS_TABLE: ctx.env.REQUESTS_TABLE ?? names.tables.requests,
      INVENTORY_TABLE: ctx.env.INVENTORY_TABLE ?? names.tables.inventory,
      STATE_TABLE: ctx.env.STATE_TABLE ?? names.tables.state,
      NAME_PREFIX: ctx.env.NAME_PREFIX ?? names.prefix,
    };
    const where = `account in ${target.region}${target.profile ? ` (profile ${target.profile})` : ''}, tables of stage ${stage}`;
    debugLine(ctx, `live invoke; Region from ${target.regionSource}`);
    return { where, invoke: (name, event) => runHandler(name, event, env, {}), close: async () => {} };
  }

  const region = ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || 'us-east-1';
  const base: Env = { ...ctx.env, AWS_REGION: region };
  const store = await startEmbeddedStore({ home: sagewatchHome(ctx.env), config: parseConfig(base) });
  // Only the embedded store is reachable, and it takes any key: the user's own credentials are never used.
  const env: Env = {
    ...base,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const { bundles, source } = await loadDescribes(mode.describe);
  const plan = new InvokePlan(region, bundles, source);
  debugLine(ctx, `planned invoke; DynamoDB at ${store.endpoint} (${store.home})`);
  return {
    plan,
    store,
    where: `the embedded store in ${store.home}`,
    invoke: (name, event) => runHandler(name, event, env, PLANNED[name](plan, env)),
    close: () => store.close(),
  };
}

async function runHandler(name: FunctionName, event: unknown, env: Env, overrides: Record<string, unknown>): Promise<unknown> {
  const { createHandler } = await FUNCTIONS[name].load();
  return withHandlerEnvironment(env, () => withStdoutToStderr(() => createHandler(overrides)(event, localContext(name))));
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
