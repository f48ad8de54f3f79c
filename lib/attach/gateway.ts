import type {
  DeleteAlarmsCommandInput,
  DeleteDashboardsCommandInput,
  DeleteMetricStreamCommandInput,
  ListMetricStreamsCommandInput,
  PutDashboardCommandInput,
  PutMetricAlarmCommandInput,
  PutMetricDataCommandInput,
  PutMetricStreamCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { DeleteSubscriptionFilterCommandInput, DescribeSubscriptionFiltersCommandInput, PutSubscriptionFilterCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import type { PublishCommandInput, SubscribeCommandInput, UnsubscribeCommandInput } from '@aws-sdk/client-sns';

/**
 * Every AWS call converging makes, behind one interface: the real gateway sends them through
 * the SDK (with retries and pacing), the plan gateway records them. Both receive the very same
 * request objects, so a plan shows exactly what a deployment would send.
 */
export type AwsService = 'cloudwatch' | 'logs' | 'sns';

/** One call, named like IAM names it: `cloudwatch:PutMetricAlarm`. */
export interface PlannedCall {
  service: AwsService;
  /** The AWS API operation name. */
  action: string;
  /** The exact request. */
  input: unknown;
}

export interface ExistingSubscriptionFilter {
  filterName: string;
  destinationArn?: string;
}

export interface MonitoringGateway {
  putMetricAlarm(input: PutMetricAlarmCommandInput): Promise<void>;
  deleteAlarms(input: DeleteAlarmsCommandInput): Promise<void>;
  putDashboard(input: PutDashboardCommandInput): Promise<void>;
  deleteDashboards(input: DeleteDashboardsCommandInput): Promise<void>;
  putMetricStream(input: PutMetricStreamCommandInput): Promise<void>;
  deleteMetricStream(input: DeleteMetricStreamCommandInput): Promise<void>;
  /** All metric stream names of the account and region (every page). */
  listMetricStreams(input: ListMetricStreamsCommandInput): Promise<string[]>;
  putMetricData(input: PutMetricDataCommandInput): Promise<void>;
  /** All subscription filters of the log group (every page). */
  describeSubscriptionFilters(input: DescribeSubscriptionFiltersCommandInput): Promise<ExistingSubscriptionFilter[]>;
  putSubscriptionFilter(input: PutSubscriptionFilterCommandInput): Promise<void>;
  deleteSubscriptionFilter(input: DeleteSubscriptionFilterCommandInput): Promise<void>;
  subscribe(input: SubscribeCommandInput): Promise<{ subscriptionArn: string }>;
  unsubscribe(input: UnsubscribeCommandInput): Promise<void>;
  /** Whether the topic exists (GetTopicAttributes); false only when SNS says it does not. */
  topicExists(topicArn: string): Promise<boolean>;
  /** Where a subscription delivers (GetSubscriptionAttributes `Endpoint`); undefined when it no longer exists. */
  subscriptionEndpoint(subscriptionArn: string): Promise<string | undefined>;
  publish(input: PublishCommandInput): Promise<void>;
}

/** The read-only operations: never part of a plan's actions, never counted as changes. */
export const READ_ACTIONS = new Set(['DescribeSubscriptionFilters', 'ListMetricStreams', 'GetTopicAttributes', 'GetSubscriptionAttributes']);
