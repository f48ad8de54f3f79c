/**
 * Every Lambda function of the stack, by its key in serverless.ts. The template, the bundler,
 * the bench and `sagewatch invoke` all read this list, so a function exists in one place.
 */
export interface FunctionSpec {
  /** Source file of the handler, relative to the project root; its export is `handler`. */
  entry: string;
  description: string;
  memorySize: number;
  /** Seconds. */
  timeout: number;
}

export const FUNCTION_SPECS = {
  processLogs: {
    entry: 'functions/process-logs.ts',
    description: 'Correlates async inference data-log lines (CloudWatch Logs subscription via Kinesis) into request records',
    memorySize: 1024,
    timeout: 120,
  },
  processNotifications: {
    entry: 'functions/process-notifications.ts',
    description: 'Correlates async inference success/error notifications (SNS via SQS) into request records',
    memorySize: 512,
    timeout: 60,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTION_SPECS;

/** Where the bundler writes a function's bundle and the template points its handler. */
export function bundleDir(key: string): string {
  return `dist/functions/${key}`;
}
