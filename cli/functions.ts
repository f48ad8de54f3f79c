import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_SPECS } from '../infra/functions';

/**
 * The functions `sagewatch invoke` can run: every function of the stack, by its key in
 * serverless.ts. Imports are lazy so that invoking one handler does not load the others.
 * `createHandler` builds a fresh handler for each invoke (the module's own `handler` keeps its
 * clients for the life of the process, which is right in Lambda and wrong for a second invoke).
 */
export type HandlerFn = (event: unknown, context?: unknown) => Promise<unknown>;
export type FunctionName = keyof typeof FUNCTION_SPECS;
export interface HandlerModule {
  handler: HandlerFn;
  createHandler: (overrides?: Record<string, unknown>) => HandlerFn;
}

const root = resolve(import.meta.dirname, '..');

export const FUNCTIONS = Object.fromEntries(
  Object.entries(FUNCTION_SPECS).map(([key, spec]) => [key, { file: spec.entry, load: () => import(pathToFileURL(resolve(root, spec.entry)).href) as Promise<HandlerModule> }]),
) as Record<FunctionName, { file: string; load: () => Promise<HandlerModule> }>;
