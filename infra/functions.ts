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
  // Alerts.
  notifySlack: {
    entry: 'functions/notify-slack.ts',
    description: 'Delivers alerts from the alerts SNS topic to the Slack incoming webhook',
    memorySize: 256,
    // Webhook delivery retries with backoff inside one invoke.
    timeout: 60,
  },
  sweepRequests: {
    entry: 'functions/sweep-requests.ts',
    description: 'Every 5 minutes: finds stuck and expired async requests and raises request-level alerts',
    memorySize: 512,
    timeout: 240,
  },
  // Control plane: the attach and reconcile state machines' tasks.
  describeResource: {
    entry: 'functions/describe-resource.ts',
    description: 'Attach/reconcile task: describes a SageMaker endpoint or job as it is now',
    memorySize: 256,
    timeout: 60,
  },
  classifyResource: {
    entry: 'functions/classify-resource.ts',
    description: 'Attach/reconcile task: classifies a described resource into its monitoring model (no AWS calls)',
    memorySize: 256,
    timeout: 30,
  },
  convergeResource: {
    entry: 'functions/converge-resource.ts',
    description: 'Attach/reconcile task: converges alarms, log subscription, dashboard, metric streams, SNS subscriptions and inventory',
    memorySize: 512,
    // Alarm writes are paced at about 3 per second; an endpoint with many variants needs minutes.
    timeout: 600,
  },
  reportProblems: {
    entry: 'functions/report-problems.ts',
    description: 'Attach/reconcile task: publishes convergence problems and caught errors as alerts',
    memorySize: 256,
    timeout: 30,
  },
  listResources: {
    entry: 'functions/list-resources.ts',
    description: 'Reconcile task: lists one page of endpoints and running jobs',
    memorySize: 256,
    timeout: 60,
  },
  checkResources: {
    entry: 'functions/check-resources.ts',
    description: 'Reconcile task: describes one listed page and tells, reading only, which resources would change',
    memorySize: 256,
    // A page of 100 resources at the account-wide SageMaker read budget.
    timeout: 900,
  },
  findOrphans: {
    entry: 'functions/find-orphans.ts',
    description: 'Reconcile task: finds inventory entries whose SageMaker resource is gone or ended',
    memorySize: 256,
    timeout: 300,
  },
  sweepMetricStreams: {
    entry: 'functions/sweep-metric-streams.ts',
    description: 'Reconcile task: creates and deletes metric streams by their reference counts',
    memorySize: 256,
    timeout: 120,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTION_SPECS;

/** Where the bundler writes a function's bundle and the template points its handler. */
export function bundleDir(key: string): string {
  return `dist/functions/${key}`;
}
