import { toJson } from '../lib/attach/json';
import { classifyStep, type ClassifyOutput } from '../lib/attach/workflow';

/** Attach / reconcile task "Classify": the describe output → the resource's model (kinds, variants, thresholds). Pure. */
export function createHandler() {
  return async (event: unknown): Promise<ClassifyOutput> => toJson(classifyStep(event));
}

export const handler = createHandler();
