import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_SPECS } from '../infra/functions';

/**
 * The functions `sagewatch invoke` can run: every function of the stack, by its key in
 * serverless.ts. Imports are lazy so that invoking one handler does not load the others.
 */
export type HandlerFn = (event: unknown, context?: unknown) => Promise<unknown>;

const root = resolve(import.meta.dirname, '..');

export const FUNCTIONS: Record<string, { file: string; load: () => Promise<{ handler: HandlerFn }> }> = Object.fromEntries(
  Object.entries(FUNCTION_SPECS).map(([key, spec]) => [
    key,
    { file: spec.entry, load: () => import(pathToFileURL(resolve(root, spec.entry)).href) as Promise<{ handler: HandlerFn }> },
  ]),
);
