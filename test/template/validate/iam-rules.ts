import type { IdentityRules, ResourcePolicyRules } from './iam';

/**
 * The reviewed exceptions of the IAM rules, shared by iam.test.ts and wiring.test.ts: each
 * entry carries its reason.
 */

/**
 * The only actions that may be granted on `Resource: "*"`: each supports no resource-level
 * permissions in the Service Authorization Reference ("Resource types" column empty), so "*"
 * is the only thing IAM accepts for them. Anything else must name ARNs.
 */
export const RESOURCE_STAR_ALLOWED = new Map<string, string>([
  // CloudWatch metric data is not a resource; PutMetricData is narrowed by namespace instead.
  ['cloudwatch:PutMetricData', 'no resource types; must carry a cloudwatch:namespace condition (enforced below)'],
  ['cloudwatch:GetMetricData', 'no resource types: metric reads are not resource-scoped'],
  ['cloudwatch:ListMetrics', 'no resource types: listing metrics is account-wide'],
  ['cloudwatch:ListDashboards', 'no resource types: listing is account-wide; reading/writing one dashboard is scoped to sagewatch-*'],
  ['cloudwatch:ListMetricStreams', 'no resource types: listing is account-wide; writing one stream is scoped to metric-stream/sagewatch-*'],
  // The reconcile sweep lists what exists; SageMaker's List* calls have no resource types.
  ['sagemaker:ListEndpoints', 'no resource types (List access level)'],
  ['sagemaker:ListTrainingJobs', 'no resource types (List access level)'],
  ['sagemaker:ListProcessingJobs', 'no resource types (List access level)'],
  ['sagemaker:ListTransformJobs', 'no resource types (List access level)'],
  ['sagemaker:ListHyperParameterTuningJobs', 'no resource types (List access level)'],
  ['sagemaker:ListLabelingJobs', 'no resource types (List access level)'],
  ['sagemaker:ListPipelines', 'no resource types (List access level); ListPipelineExecutions is granted on pipeline/*'],
  ['sagemaker:ListInferenceComponents', 'no resource types (List access level)'],
  // Finding what sagewatch tagged (alarms, filters, streams) across services.
  ['tag:GetResources', 'no resource types: the Resource Groups Tagging API is account-wide'],
  // Tracing, if a function or state machine enables X-Ray.
  ['xray:PutTraceSegments', 'no resource types'],
  ['xray:PutTelemetryRecords', 'no resource types'],
  ['xray:GetSamplingRules', 'no resource types'],
  ['xray:GetSamplingTargets', 'no resource types'],
  // State machine logging: the vended-logs delivery APIs, which the Step Functions developer
  // guide ("IAM policies for logging to CloudWatch Logs") says must be granted on "*".
  ['logs:CreateLogDelivery', 'vended log delivery: no resource-level scoping'],
  ['logs:GetLogDelivery', 'vended log delivery: no resource-level scoping'],
  ['logs:UpdateLogDelivery', 'vended log delivery: no resource-level scoping'],
  ['logs:DeleteLogDelivery', 'vended log delivery: no resource-level scoping'],
  ['logs:ListLogDeliveries', 'vended log delivery: no resource-level scoping'],
  ['logs:PutResourcePolicy', 'vended log delivery: the account-level log resource policy'],
  ['logs:DescribeResourcePolicies', 'vended log delivery: no resource-level scoping'],
  ['logs:DescribeLogGroups', 'vended log delivery: listing is account-wide'],
]);

/**
 * The only actions that may name every resource of a type in the account: the async endpoints'
 * success/error topics are the users' and have any name. Subscribe must be narrowed to
 * sagewatch's queue by `sns:Endpoint` (a condition key of sns:Subscribe in the Service
 * Authorization Reference); Unsubscribe has no condition key of its own.
 */
const ACCOUNT_WIDE_ALLOWED = new Map<string, string | undefined>([
  ['sns:Subscribe', 'sns:Endpoint'],
  ['sns:Unsubscribe', undefined],
  // Reads: is a missing topic back, and does a recorded subscription deliver to sagewatch's queue?
  ['sns:GetTopicAttributes', undefined],
  ['sns:GetSubscriptionAttributes', undefined],
]);

export const IDENTITY_RULES: IdentityRules = {
  resourceStarActions: new Set(RESOURCE_STAR_ALLOWED.keys()),
  requiredConditions: new Map([['cloudwatch:PutMetricData', 'cloudwatch:namespace']]),
  accountWideActions: ACCOUNT_WIDE_ALLOWED,
};

export const RESOURCE_POLICY_RULES: ResourcePolicyRules = {
  unconditionedServices: [
    {
      resourceType: 'AWS::KMS::Key',
      service: 'cloudwatch.amazonaws.com',
      reason:
        "AWS's documented key statement for alarms publishing to an encrypted topic has no condition, and a caller-account condition makes deliveries fail; the topic policy restricts the sources",
    },
  ],
};
