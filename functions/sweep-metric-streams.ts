import { createAwsClients, createAwsGateway } from '../lib/attach/aws-gateway';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { sweepMetricStreams, type SweepResult } from '../lib/attach/reconcile';
import { settingsFromConfig, type ConvergeSettings } from '../lib/attach/settings';
import { createDocumentClient } from '../lib/aws/clients';
import { ApiBudget } from '../lib/aws/api-budget';
import { loadConfig } from '../lib/config';
import { DynamoTokenBuckets } from '../lib/store/api-budget';
import { DynamoInventory, type Inventory } from '../lib/store/inventory';

/** Reconcile task "SweepStreams": metric streams ↔ their reference counts in the inventory. */
export function createHandler(overrides: { gateway?: MonitoringGateway; inventory?: Inventory; settings?: ConvergeSettings } = {}) {
  let runtime: { gateway: MonitoringGateway; inventory: Inventory; settings: ConvergeSettings } | undefined;
  return async (): Promise<SweepResult> => {
    if (!runtime) {
      const config = loadConfig();
      runtime = {
        gateway:
          overrides.gateway ?? createAwsGateway(createAwsClients(config.region), { budget: new ApiBudget(new DynamoTokenBuckets(createDocumentClient({ region: config.region }), config.stateTable)) }),
        inventory: overrides.inventory ?? new DynamoInventory(createDocumentClient({ region: config.region }), config.inventoryTable),
        settings: overrides.settings ?? settingsFromConfig(config),
      };
    }
    return sweepMetricStreams(runtime);
  };
}

export const handler = createHandler();
