import { SageMakerClient } from '@aws-sdk/client-sagemaker';
// zod/mini: full zod adds ~440 KB to the bundle for the same checks.
import * as z from 'zod/mini';
import { toJson } from '../lib/attach/json';
import { findOrphans, type OrphanPage } from '../lib/attach/reconcile';
import { createDocumentClient } from '../lib/aws/clients';
import { loadConfig } from '../lib/config';
import { DynamoInventory, type Inventory } from '../lib/store/inventory';

/** Reconcile task "FindOrphans": `{ cursor }` → attached inventory entries whose resource is gone or ended, and the next cursor. */
const InputSchema = z.object({ cursor: z.nullish(z.string()) });

export function createHandler(overrides: { sagemaker?: SageMakerClient; inventory?: Inventory } = {}) {
  let runtime: { sagemaker: SageMakerClient; inventory: Inventory } | undefined;
  return async (event: unknown): Promise<OrphanPage> => {
    if (!runtime) {
      const config = loadConfig();
      runtime = {
        sagemaker: overrides.sagemaker ?? new SageMakerClient({ region: config.region, maxAttempts: 5, retryMode: 'standard' }),
        inventory: overrides.inventory ?? new DynamoInventory(createDocumentClient({ region: config.region }), config.inventoryTable),
      };
    }
    const { cursor } = InputSchema.parse(event ?? {});
    return toJson(await findOrphans(runtime.inventory, runtime.sagemaker, cursor ?? undefined));
  };
}

export const handler = createHandler();
