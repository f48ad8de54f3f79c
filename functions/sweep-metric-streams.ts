import { createAwsClients, createAwsGateway } from '../lib/attach/aws-gateway';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { sweepMetricStreams, type SweepResult } from '../lib/attach/reconcile';
import { settingsFromConfig, type ConvergeSettings } from '../lib/attach/settings';
import { createDocumentClient } from '../lib/aws/clients';
import { loadConfig } from '../lib/config';
import { DynamoInventory, type Inventory } from '../lib/store/inventory';

/** Reconcile task "SweepStreams": metric streams ↔ their reference counts in the inventory. */
export function createHandler(overrides: { gateway?: MonitoringGateway; inventory?: Inventory; settings?: ConvergeSettings } = {}) {
  let runtime: { gateway: MonitoringGateway; inventory: Inventory; settings: ConvergeSettings } | undefined;
  return async (): Promise<SweepResult> => {
    if (!runtime) {
      const config = loadConfig();
      runtime = {
        gateway: overrides.gateway ?? createAwsGateway(createAwsClients(config.region)),
        inventory: overrides.inventory ?? new DynamoInventory(createDocumentClient({ region: config.region }), config.inventoryTable),
        settings: overrides.settings ?? settingsFromConfig(config),
      };
    }
    return sweepMetricStreams(runtime);
  };
}

export const handler = createHandler();
