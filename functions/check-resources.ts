import { SageMakerClient } from '@aws-sdk/client-sagemaker';
// zod/mini: full zod adds ~440 KB to the bundle for the same checks.
import * as z from 'zod/mini';
import { createAwsClients, createAwsGateway } from '../lib/attach/aws-gateway';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { toJson } from '../lib/attach/json';
import { checkResources, type CheckResult } from '../lib/attach/reconcile';
import { settingsFromConfig, type ConvergeSettings } from '../lib/attach/settings';
import { ApiBudget } from '../lib/aws/api-budget';
import { createDocumentClient } from '../lib/aws/clients';
import { loadConfig } from '../lib/config';
import { ResourceRefSchema } from '../lib/sagemaker/resource';
import { DynamoTokenBuckets } from '../lib/store/api-budget';
import { DynamoInventory, type Inventory } from '../lib/store/inventory';

/**
 * Reconcile task "CheckResources": `{ resources }` (one listed page) → the ones whose attachments
 * would change. Reads only: SageMaker describes, the inventory, and for open gaps the log
 * group's filters and the topic (the gateway's reads are paced per process, never a token write).
 */
const InputSchema = z.object({ resources: z.array(ResourceRefSchema) });

export function createHandler(overrides: { sagemaker?: SageMakerClient; gateway?: MonitoringGateway; inventory?: Inventory; settings?: ConvergeSettings; now?: () => number } = {}) {
  let runtime: { sagemaker: SageMakerClient; gateway: MonitoringGateway; inventory: Inventory; settings: ConvergeSettings } | undefined;
  return async (event: unknown): Promise<CheckResult> => {
    if (!runtime) {
      const config = loadConfig();
      runtime = {
        sagemaker: overrides.sagemaker ?? new SageMakerClient({ region: config.region, maxAttempts: 5, retryMode: 'standard' }),
        gateway:
          overrides.gateway ?? createAwsGateway(createAwsClients(config.region), { budget: new ApiBudget(new DynamoTokenBuckets(createDocumentClient({ region: config.region }), config.stateTable)) }),
        inventory: overrides.inventory ?? new DynamoInventory(createDocumentClient({ region: config.region }), config.inventoryTable),
        settings: overrides.settings ?? settingsFromConfig(config),
      };
    }
    const { resources } = InputSchema.parse(event ?? {});
    return toJson(await checkResources(resources, { ...runtime, ...(overrides.now ? { now: overrides.now } : {}) }));
  };
}

export const handler = createHandler();
