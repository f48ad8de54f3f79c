import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureConfiguredTables, startDynamo, type EmbeddedDynamo } from './dynamo';
import { applyLocalAwsDefaults } from './environment';
import { startKinesis, type EmbeddedKinesis } from './kinesis';
import { LocalSns } from './sns';
import { LocalSlack } from './slack';
import { ThrottlingProxy } from './chaos-proxy';
import { loadConfig, resetConfig, type Config } from '../lib/config';

export const LOCAL_ALERTS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:sagewatch-local-alerts';

/** The emulated AWS of a local run, and the configuration the handlers read to reach it. */
export interface LocalStack {
  config: Config;
  region: string;
  dynamo: EmbeddedDynamo;
  kinesis: EmbeddedKinesis;
  sns: LocalSns;
  snsEndpoint: string;
  slack: LocalSlack;
  /** In front of DynamoDB under `--chaos`: answers a share of writes with throttling errors. */
  proxy?: ThrottlingProxy;
  close(): Promise<void>;
}

/**
 * Starts DynamoDB (dynalite, in a worker thread: see local/dynamo.ts) and Kinesis (kinesalite)
 * persisting under `home`, the alerts topic and a Slack webhook on loopback, and points the unchanged handlers at them through the
 * environment their config reads. Every run starts from an empty store, so the same seed gives
 * the same run; what it stores stays in `home` for `sagewatch query` afterwards.
 */
export async function startLocalStack(options: { home: string; chaos: boolean }): Promise<LocalStack> {
  applyLocalAwsDefaults();
  const region = process.env.AWS_REGION ?? 'us-east-1';
  rmSync(resolve(options.home, 'dynamodb'), { recursive: true, force: true });
  rmSync(resolve(options.home, 'kinesis'), { recursive: true, force: true });
  const dynamo = await startDynamo({ path: resolve(options.home, 'dynamodb'), thread: true });
  const kinesis = await startKinesis({ path: resolve(options.home, 'kinesis') });
  const sns = new LocalSns();
  const slack = new LocalSlack(options.chaos ? { every: 4 } : undefined);
  const proxy = options.chaos ? new ThrottlingProxy(dynamo.endpoint, 25) : undefined;
  const close = async () => {
    await sns.close();
    await slack.close();
    await proxy?.close();
    await kinesis.close();
    await dynamo.close();
  };
  try {
    const snsEndpoint = await sns.start();
    const slackUrl = await slack.start();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy ? await proxy.start() : dynamo.endpoint;
    process.env.AWS_ENDPOINT_URL_SNS = snsEndpoint;
    process.env.ALERTS_TOPIC_ARN = LOCAL_ALERTS_TOPIC;
    process.env.SLACK_WEBHOOK_URL = slackUrl;
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    resetConfig();
    const config = loadConfig();
    await ensureConfiguredTables(dynamo.endpoint, config);
    return { config, region, dynamo, kinesis, sns, snsEndpoint, slack, ...(proxy ? { proxy } : {}), close };
  } catch (error) {
    await close();
    throw error;
  }
}
