import { SageMakerClient } from '@aws-sdk/client-sagemaker';
// zod/mini: full zod adds ~440 KB to the bundle for the same checks.
import * as z from 'zod/mini';
import { toJson } from '../lib/attach/json';
import { ListCursorSchema, listResourcesPage, type ListPage } from '../lib/attach/reconcile';
import { loadConfig } from '../lib/config';

/** Reconcile task "ListResources": `{ cursor }` → one page of endpoints or running jobs, and the next cursor. */
const InputSchema = z.object({ cursor: z.nullish(ListCursorSchema) });

export function createHandler(overrides: { sagemaker?: SageMakerClient; now?: () => number } = {}) {
  let sagemaker: SageMakerClient | undefined;
  return async (event: unknown): Promise<ListPage> => {
    sagemaker ??= overrides.sagemaker ?? new SageMakerClient({ region: loadConfig().region, maxAttempts: 5, retryMode: 'standard' });
    const { cursor } = InputSchema.parse(event ?? {});
    return toJson(await listResourcesPage(sagemaker, cursor ?? undefined, (overrides.now ?? Date.now)()));
  };
}

export const handler = createHandler();
