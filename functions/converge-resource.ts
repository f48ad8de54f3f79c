import { randomUUID } from 'node:crypto';
import { createAwsClients, createAwsGateway } from '../lib/attach/aws-gateway';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { toJson } from '../lib/attach/json';
import { settingsFromConfig, type ConvergeSettings } from '../lib/attach/settings';
import { convergeStep, type ConvergeOutput } from '../lib/attach/workflow';
import { createDocumentClient } from '../lib/aws/clients';
import { ApiBudget } from '../lib/aws/api-budget';
import { loadConfig } from '../lib/config';
import { DynamoTokenBuckets } from '../lib/store/api-budget';
import { DynamoInventory, type Inventory } from '../lib/store/inventory';
import { createLogger } from '../lib/telemetry/logger';

/**
 * Attach / reconcile task "Converge": the classified resource → alarms, log subscription,
 * dashboard, metric stream references, SNS subscriptions and inventory converged to what it
 * needs. Throws ResourceBusy (another execution holds the resource) and LogGroupNotReady for
 * the state machine's Retry; every other failure comes back in `problems`.
 */
export function createHandler(overrides: { gateway?: MonitoringGateway; inventory?: Inventory; settings?: ConvergeSettings; now?: () => number } = {}) {
  let runtime: { gateway: MonitoringGateway; inventory: Inventory; settings: ConvergeSettings; log: ReturnType<typeof createLogger> } | undefined;
  const build = () => {
    const config = loadConfig();
    return {
      gateway:
        overrides.gateway ?? createAwsGateway(createAwsClients(config.region), { budget: new ApiBudget(new DynamoTokenBuckets(createDocumentClient({ region: config.region }), config.stateTable)) }),
      inventory: overrides.inventory ?? new DynamoInventory(createDocumentClient({ region: config.region }), config.inventoryTable),
      settings: overrides.settings ?? settingsFromConfig(config),
      log: createLogger(config.serviceName),
    };
  };
  return async (event: unknown): Promise<ConvergeOutput> => {
    runtime ??= build();
    const result = await convergeStep(event, { ...runtime, owner: randomUUID(), ...(overrides.now ? { now: overrides.now } : {}) });
    runtime.log.info('converged', { key: result.key, status: result.status, changes: result.changes, problems: result.problems.length });
    return toJson(result);
  };
}

export const handler = createHandler();
