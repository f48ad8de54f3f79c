import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { toJson } from '../lib/attach/json';
import { describeStep, type DescribeOutput } from '../lib/attach/workflow';
import { loadConfig } from '../lib/config';

/**
 * Attach / reconcile task "Describe": `{ event } | { resource, attempt }` → the resource as it
 * is now (DescribeEndpoint + config + models + inference components, or Describe*Job), its
 * lifecycle (attach | keep | detach) and whether it is still settling.
 */
export function createHandler(overrides: { sagemaker?: SageMakerClient; now?: () => number } = {}) {
  let sagemaker: SageMakerClient | undefined;
  return async (event: unknown): Promise<DescribeOutput> => {
    sagemaker ??= overrides.sagemaker ?? new SageMakerClient({ region: loadConfig().region, maxAttempts: 5, retryMode: 'standard' });
    return toJson(await describeStep(event, { sagemaker, ...(overrides.now ? { now: overrides.now } : {}) }));
  };
}

export const handler = createHandler();
