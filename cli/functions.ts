/**
 * The functions `sagewatch invoke` can run, by their key in serverless.ts. Imports are lazy so
 * that invoking one handler does not load the others.
 */
export type HandlerFn = (event: unknown, context?: unknown) => Promise<unknown>;

export const FUNCTIONS: Record<string, { file: string; load: () => Promise<{ handler: HandlerFn }> }> = {
  processLogs: { file: 'functions/process-logs.ts', load: () => import('../functions/process-logs') },
  processNotifications: { file: 'functions/process-notifications.ts', load: () => import('../functions/process-notifications') },
};
