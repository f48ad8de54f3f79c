import { resetConfig } from '../lib/config';

type Env = Record<string, string | undefined>;

/**
 * Runs a handler with exactly `env` as its environment and puts the CLI's back afterwards.
 * The handlers are the deployed code and read Lambda's environment (lib/config.ts); the CLI
 * decides that environment from its own (passed in, never read from the process) and lends it
 * for one invocation, so a second invoke in the same process starts from a clean slate.
 */
export async function withHandlerEnvironment<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  replaceEnvironment(env);
  resetConfig();
  try {
    return await fn();
  } finally {
    replaceEnvironment(saved);
    resetConfig();
  }
}

function replaceEnvironment(env: Env): void {
  for (const key of Object.keys(process.env)) if (env[key] === undefined) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}
