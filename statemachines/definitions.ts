/**
 * The one source of the state machine definitions. `npm run statemachines` writes them to
 * statemachines/*.asl.json, which is what the stack deploys and what the local run and the
 * tests execute; test/unit/statemachines-generated.test.ts fails when the files and this
 * source disagree.
 *
 * attach: one resource, described as it is now → classified → converged (the only place
 * anything is converged). reconcile: pages of endpoints and running jobs → a read-only check
 * of which ones differ from their inventory → a Distributed Map that runs the attach machine
 * as a child execution for each of those; then pages of the inventory → orphans → the same
 * child executions; then the metric stream against what is attached. Each page adds a fixed
 * number of events to the reconcile history, each resource's work lives in its own child
 * execution's history, so no account size comes near the 25,000-event quota.
 */
type State = Record<string, unknown>;
type States = Record<string, State>;
export interface Definition {
  Comment: string;
  StartAt: string;
  States: States;
}

/** Function placeholders (`${...}`) the template fills with the functions' ARNs. */
export const FUNCTION_PLACEHOLDERS = {
  describe: '${DescribeFunctionArn}',
  classify: '${ClassifyFunctionArn}',
  converge: '${ConvergeFunctionArn}',
  report: '${ReportFunctionArn}',
  list: '${ListResourcesFunctionArn}',
  check: '${CheckResourcesFunctionArn}',
  orphans: '${FindOrphansFunctionArn}',
  sweep: '${SweepStreamsFunctionArn}',
} as const;

/** The attach machine's ARN, for reconcile's child executions. */
export const ATTACH_MACHINE_PLACEHOLDER = '${AttachStateMachineArn}';

/** Errors worth retrying on any Lambda task: Lambda's own, throttling and transient service errors. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
];

const retry = (errors: string[], intervalSeconds: number, maxAttempts: number, maxDelaySeconds: number) => ({
  ErrorEquals: errors,
  IntervalSeconds: intervalSeconds,
  MaxAttempts: maxAttempts,
  BackoffRate: 2,
  MaxDelaySeconds: maxDelaySeconds,
  JitterStrategy: 'FULL',
});

const TRANSIENT_RETRY = retry(TRANSIENT_ERRORS, 2, 6, 60);

interface TaskOptions {
  resource: string;
  timeoutSeconds: number;
  comment?: string;
  parameters?: Record<string, unknown>;
  /** Omitted: the result replaces the state; null: the result is discarded. */
  resultPath?: string | null;
  /** Retriers tried before the transient one. */
  retry?: Array<ReturnType<typeof retry>>;
  /** Where every error that survives the retries goes (its state input gains `$.error`). */
  catchTo?: string;
  next?: string;
}

function task(options: TaskOptions): State {
  return {
    Type: 'Task',
    Resource: options.resource,
    TimeoutSeconds: options.timeoutSeconds,
    ...(options.comment ? { Comment: options.comment } : {}),
    ...(options.parameters ? { Parameters: options.parameters } : {}),
    ...(options.resultPath !== undefined ? { ResultPath: options.resultPath } : {}),
    Retry: [...(options.retry ?? []), TRANSIENT_RETRY],
    ...(options.catchTo ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: options.catchTo }] } : {}),
    ...(options.next ? { Next: options.next } : {}),
  };
}

/** `<Step>Failed` Pass states that name the failed step, all leading to one report state. */
function failedSteps(steps: string[], next: string): States {
  return Object.fromEntries(steps.map((step) => [`${step}Failed`, { Type: 'Pass', Comment: 'Names the failed step for the report.', Result: step, ResultPath: '$.step', Next: next }]));
}

function reportFailure(comment: string, failError: string, failCause: string): States {
  return {
    ReportFailure: task({
      resource: FUNCTION_PLACEHOLDERS.report,
      timeoutSeconds: 60,
      comment,
      resultPath: '$.report',
      next: 'Failed',
    }),
    Failed: { Type: 'Fail', Error: failError, Cause: failCause },
  };
}

export function attachDefinition(): Definition {
  return {
    Comment:
      "sagewatch attach: describes one SageMaker resource as it is now, classifies it and converges its monitoring (alarms, log subscriptions, dashboard membership, metric stream membership, SNS subscriptions, inventory). Started by the EventBridge rules on SageMaker state changes and by reconcile for each resource that differs from its inventory; the event's status is never trusted, only the describe. Every failure that survives its retries is reported to the alerts topic and fails the execution.",
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Comment: 'An EventBridge event, or a bare resource reference ({"resource": {"kind": "endpoint", "name": ...}}) from reconcile or a manual run.',
        Choices: [{ Variable: '$.resource', IsPresent: true, Next: 'StartFromResource' }],
        Default: 'Start',
      },
      StartFromResource: { Type: 'Pass', Parameters: { 'resource.$': '$.resource', attempt: 0 }, Next: 'Describe' },
      Start: { Type: 'Pass', Comment: 'The execution input is the EventBridge event.', Parameters: { 'event.$': '$', attempt: 0 }, Next: 'Describe' },
      Describe: task({ resource: FUNCTION_PLACEHOLDERS.describe, timeoutSeconds: 120, catchTo: 'DescribeFailed', next: 'Decide' }),
      Decide: {
        Type: 'Choice',
        Comment: 'Creating/Updating/SystemUpdating/RollingBack settle by themselves: wait and describe again (at most 30 times). Other keep states (OutOfService) change nothing.',
        Choices: [
          {
            And: [
              { Variable: '$.settling', BooleanEquals: true },
              { Variable: '$.attempt', NumericLessThan: 30 },
            ],
            Next: 'WaitToSettle',
          },
          { Variable: '$.lifecycle', StringEquals: 'keep', Next: 'Kept' },
        ],
        Default: 'Classify',
      },
      WaitToSettle: { Type: 'Wait', Seconds: 60, Next: 'NextAttempt' },
      NextAttempt: { Type: 'Pass', Parameters: { 'resource.$': '$.resource', 'attempt.$': 'States.MathAdd($.attempt, 1)' }, Next: 'Describe' },
      Kept: { Type: 'Succeed', Comment: 'Still settling after every attempt, or in a state where attachments stay as they are.' },
      Classify: task({ resource: FUNCTION_PLACEHOLDERS.classify, timeoutSeconds: 60, catchTo: 'ClassifyFailed', next: 'Converge' }),
      Converge: task({
        resource: FUNCTION_PLACEHOLDERS.converge,
        timeoutSeconds: 900,
        retry: [retry(['ResourceBusy'], 5, 8, 120), retry(['LogGroupNotReady'], 30, 6, 600)],
        catchTo: 'ConvergeFailed',
        next: 'AnyProblems',
      }),
      AnyProblems: { Type: 'Choice', Choices: [{ Variable: '$.problems[0]', IsPresent: true, Next: 'ReportProblems' }], Default: 'Done' },
      ReportProblems: task({
        resource: FUNCTION_PLACEHOLDERS.report,
        timeoutSeconds: 60,
        comment: 'Failed attachments and new instrumentation gaps (full subscription slots, missing notification topics) become alerts.',
        parameters: { 'resource.$': '$.resource', 'problems.$': '$.problems' },
        resultPath: null,
        next: 'Done',
      }),
      Done: { Type: 'Succeed' },
      ...failedSteps(['Describe', 'Classify', 'Converge'], 'ReportFailure'),
      ...reportFailure(
        'The state input with its error ($.error) and failed step ($.step): the resource is taken from $.resource or $.event.',
        'sagewatch.ConvergeFailed',
        'A step failed after its retries; the failure was reported to the alerts topic.',
      ),
    },
  };
}

/**
 * A Distributed Map over resource references: each one a child execution (its own history)
 * that runs the attach machine and waits for it. A failed attach execution has reported its
 * own failure: the item is caught so one resource never stops the sweep.
 */
function attachEach(name: string, itemsPath: string, next: string): States {
  return {
    [name]: {
      Type: 'Map',
      Comment: 'Every item a child execution of the attach machine: the converge logic exists once, in attach.',
      ItemsPath: itemsPath,
      ItemSelector: { 'resource.$': '$$.Map.Item.Value' },
      // The account-wide API budget paces the calls; this bounds how many wait for it at once.
      MaxConcurrency: 10,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: `${name}Attach`,
        States: {
          [`${name}Attach`]: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution.sync:2',
            Parameters: {
              StateMachineArn: ATTACH_MACHINE_PLACEHOLDER,
              Input: { 'resource.$': '$.resource', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
            },
            Retry: [retry(['StepFunctions.ExecutionLimitExceededException', 'StepFunctions.AWSStepFunctionsException', ...TRANSIENT_ERRORS], 5, 6, 120)],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name}Reported` }],
            End: true,
          },
          [`${name}Reported`]: { Type: 'Succeed', Comment: 'The attach execution reported its failure to the alerts topic itself.' },
        },
      },
      ResultPath: null,
      Next: next,
    },
  };
}

export function reconcileDefinition(): Definition {
  return {
    Comment:
      'sagewatch reconcile: runs hourly and after every deploy. Pages of endpoints and running jobs are checked against the inventory with reads only; each resource that differs is converged by a child execution of the attach machine. Then pages of the inventory: entries whose resource is gone or ended are converged away the same way. Then the metric stream is reconciled with what is attached. An unchanged account costs reads only.',
    StartAt: 'StartListing',
    States: {
      StartListing: { Type: 'Pass', Result: { cursor: null }, ResultPath: '$.listing', Next: 'ListResources' },
      ListResources: task({
        resource: FUNCTION_PLACEHOLDERS.list,
        timeoutSeconds: 120,
        comment: 'One page of endpoints or running training/processing/transform/tuning/labeling jobs or pipeline executions; the cursor moves through them.',
        parameters: { 'cursor.$': '$.listing.cursor' },
        resultPath: '$.listing',
        catchTo: 'ListResourcesFailed',
        next: 'CheckResources',
      }),
      CheckResources: task({
        resource: FUNCTION_PLACEHOLDERS.check,
        timeoutSeconds: 900,
        comment: 'Describes and classifies the page and compares it with the inventory, reading only: the resources that would change.',
        parameters: { 'resources.$': '$.listing.resources' },
        resultPath: '$.check',
        catchTo: 'CheckResourcesFailed',
        next: 'AttachChanged',
      }),
      ...attachEach('AttachChanged', '$.check.changed', 'MoreResources'),
      MoreResources: { Type: 'Choice', Choices: [{ Variable: '$.listing.cursor', IsPresent: true, Next: 'ListResources' }], Default: 'StartOrphans' },
      StartOrphans: { Type: 'Pass', Result: { cursor: null }, ResultPath: '$.orphans', Next: 'FindOrphans' },
      FindOrphans: task({
        resource: FUNCTION_PLACEHOLDERS.orphans,
        timeoutSeconds: 300,
        comment: 'One page of the inventory: attached entries whose resource is gone, ended or failed.',
        parameters: { 'cursor.$': '$.orphans.cursor' },
        resultPath: '$.orphans',
        catchTo: 'FindOrphansFailed',
        next: 'DetachOrphans',
      }),
      ...attachEach('DetachOrphans', '$.orphans.orphans', 'MoreOrphans'),
      MoreOrphans: { Type: 'Choice', Choices: [{ Variable: '$.orphans.cursor', IsPresent: true, Next: 'FindOrphans' }], Default: 'SweepStreams' },
      SweepStreams: task({
        resource: FUNCTION_PLACEHOLDERS.sweep,
        timeoutSeconds: 120,
        comment: 'The metric stream exists with the filters of what is attached, or not at all.',
        parameters: {},
        resultPath: '$.streams',
        catchTo: 'SweepStreamsFailed',
        next: 'StreamProblems',
      }),
      StreamProblems: { Type: 'Choice', Choices: [{ Variable: '$.streams.problems[0]', IsPresent: true, Next: 'ReportStreamProblems' }], Default: 'Done' },
      ReportStreamProblems: task({
        resource: FUNCTION_PLACEHOLDERS.report,
        timeoutSeconds: 60,
        parameters: { resource: null, 'problems.$': '$.streams.problems' },
        resultPath: null,
        next: 'Done',
      }),
      Done: { Type: 'Succeed' },
      ...failedSteps(['ListResources', 'CheckResources', 'FindOrphans', 'SweepStreams'], 'ReportFailure'),
      ...reportFailure(
        'A reconcile step failed after its retries: reported, then the execution fails.',
        'sagewatch.ReconcileFailed',
        'A reconcile step failed after its retries; the failure was reported to the alerts topic.',
      ),
    },
  };
}

export const DEFINITIONS = { attach: attachDefinition, reconcile: reconcileDefinition } as const;
export type MachineName = keyof typeof DEFINITIONS;

/** The file text of a definition: what `npm run statemachines` writes and the test compares. */
export function definitionText(name: MachineName): string {
  return `${JSON.stringify(DEFINITIONS[name](), null, 2)}\n`;
}
