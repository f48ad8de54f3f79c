/**
 * What the functions under test run against: dynalite with the stack's tables behind the
 * metering proxy, and a loopback SNS topic for the alerts they publish. Every function gets
 * the environment the stack gives it, with the SDK pointed at these endpoints.
 */
import { parseConfig, type Config } from '../lib/config';
import { ensureConfiguredTables, startDynamo, type EmbeddedDynamo } from '../local/dynamo';
import { LocalSns } from '../local/sns';
import { DynamoMeter } from './dynamo-meter';

export interface BenchEnvironment {
  config: Config;
  dynamo: EmbeddedDynamo;
  meter: DynamoMeter;
  sns: LocalSns;
  /** The environment of a function whose DynamoDB requests are counted under `label` (unmetered: straight to dynalite). */
  functionEnv(label: string | undefined): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const ALERTS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sagewatch-alerts';

export async function startEnvironment(): Promise<BenchEnvironment> {
  const config = parseConfig({ AWS_REGION: 'us-east-1' });
  const dynamo = await startDynamo();
  await ensureConfiguredTables(dynamo.endpoint, config);
  const meter = new DynamoMeter(dynamo.endpoint, config.region);
  const sns = new LocalSns();
  const snsEndpoint = await sns.start();
  const endpoints = new Map<string, Promise<string>>();
  return {
    config,
    dynamo,
    meter,
    sns,
    async functionEnv(label) {
      let endpoint = dynamo.endpoint;
      if (label !== undefined) {
        if (!endpoints.has(label)) endpoints.set(label, meter.endpoint(label));
        endpoint = await endpoints.get(label)!;
      }
      return { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ENDPOINT_URL_SNS: snsEndpoint, ALERTS_TOPIC_ARN };
    },
    async close() {
      await meter.close();
      await sns.close();
      await dynamo.close();
    },
  };
}
