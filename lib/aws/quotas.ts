/**
 * The account-wide request budget of every AWS API the control plane calls, one place, from
 * AWS's published quotas (per account and Region; the default of each adjustable quota). The
 * API budget (lib/attach/api-budget.ts) paces every execution of the account to these rates,
 * and the local run converts its calls into time under them.
 *
 * SageMaker publishes no per-operation rate for its control-plane reads (Describe*, List*):
 * they are "throttled per account and Region" with values that Service Quotas does not list.
 * sagewatch budgets them at 10 per second each, well inside what accounts see in practice;
 * raise them here if your account has more.
 */
export interface ApiQuota {
  service: 'cloudwatch' | 'logs' | 'sns' | 'sagemaker' | 'states';
  /** Requests per second, account-wide. */
  perSecond: number;
  source: string;
  checked: string;
  /** True for calls that change something (what "an unchanged account costs reads only" counts). */
  write: boolean;
}

const CW = 'https://docs.aws.amazon.com/general/latest/gr/cw_region.html (Amazon CloudWatch endpoints and quotas)';
const LOGS = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html (control plane APIs: 5 TPS per account per Region unless listed)';
const SNS = 'https://docs.aws.amazon.com/general/latest/gr/sns.html (Subscribe/Unsubscribe: 100 TPS; Publish: at least 300 TPS in every Region)';
const SM = 'not published per operation by SageMaker: sagewatch default';
const SFN = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (StartExecution: bucket 1,300, refill 300/s in the largest Regions, 800/150 elsewhere)';
const CHECKED = '2026-12-02';

const q = (service: ApiQuota['service'], perSecond: number, source: string, write: boolean): ApiQuota => ({ service, perSecond, source, checked: CHECKED, write });

export const API_QUOTAS = {
  PutMetricAlarm: q('cloudwatch', 3, CW, true),
  DeleteAlarms: q('cloudwatch', 3, CW, true),
  PutDashboard: q('cloudwatch', 10, CW, true),
  DeleteDashboards: q('cloudwatch', 10, CW, true),
  PutMetricStream: q('cloudwatch', 10, CW, true),
  DeleteMetricStream: q('cloudwatch', 10, CW, true),
  ListMetricStreams: q('cloudwatch', 10, CW, false),
  PutMetricData: q('cloudwatch', 500, CW, true),
  TagResource: q('cloudwatch', 20, CW, true),
  PutSubscriptionFilter: q('logs', 5, LOGS, true),
  DeleteSubscriptionFilter: q('logs', 5, LOGS, true),
  DescribeSubscriptionFilters: q('logs', 5, LOGS, false),
  Subscribe: q('sns', 100, SNS, true),
  Unsubscribe: q('sns', 100, SNS, true),
  Publish: q('sns', 300, SNS, true),
  // A read of reconcile's gap check (lib/attach/converge.ts): budgeted low, its published figure not confirmed here.
  GetTopicAttributes: q('sns', 30, SNS, false),
  GetSubscriptionAttributes: q('sns', 30, SNS, false),
  DescribeEndpoint: q('sagemaker', 10, SM, false),
  DescribeEndpointConfig: q('sagemaker', 10, SM, false),
  DescribeModel: q('sagemaker', 10, SM, false),
  DescribeInferenceComponent: q('sagemaker', 10, SM, false),
  ListInferenceComponents: q('sagemaker', 10, SM, false),
  ListTags: q('sagemaker', 10, SM, false),
  DescribeTrainingJob: q('sagemaker', 10, SM, false),
  DescribeProcessingJob: q('sagemaker', 10, SM, false),
  DescribeTransformJob: q('sagemaker', 10, SM, false),
  DescribeHyperParameterTuningJob: q('sagemaker', 10, SM, false),
  DescribeLabelingJob: q('sagemaker', 10, SM, false),
  DescribePipelineExecution: q('sagemaker', 10, SM, false),
  ListEndpoints: q('sagemaker', 10, SM, false),
  ListTrainingJobs: q('sagemaker', 10, SM, false),
  ListProcessingJobs: q('sagemaker', 10, SM, false),
  ListTransformJobs: q('sagemaker', 10, SM, false),
  ListHyperParameterTuningJobs: q('sagemaker', 10, SM, false),
  ListLabelingJobs: q('sagemaker', 10, SM, false),
  ListPipelines: q('sagemaker', 10, SM, false),
  ListPipelineExecutions: q('sagemaker', 10, SM, false),
  StartExecution: q('states', 150, SFN, true),
} as const satisfies Record<string, ApiQuota>;

export type BudgetedOperation = keyof typeof API_QUOTAS;

export function isBudgeted(operation: string): operation is BudgetedOperation {
  return Object.hasOwn(API_QUOTAS, operation);
}

/** DynamoDB writes are not rate-budgeted (on-demand tables), but they are writes. */
export const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
