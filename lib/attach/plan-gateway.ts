import type { ExistingSubscriptionFilter, MonitoringGateway, PlannedCall } from './gateway';
import { READ_ACTIONS } from './gateway';

/**
 * A gateway that calls nothing and records every call as `{ service, action, input }`, with
 * `action` the AWS API operation and `input` the request the real gateway would have sent.
 * Reads answer from what it is told exists (nothing, by default: a fresh account).
 */
export interface PlanWorld {
  /** Existing subscription filters per log group name; groups not listed exist with none. */
  subscriptionFilters?: Record<string, ExistingSubscriptionFilter[]>;
  /** Log groups that do not exist yet. */
  missingLogGroups?: string[];
  /** Topic ARNs that do not exist. */
  missingTopics?: string[];
  metricStreams?: string[];
  /** Where existing subscriptions deliver (`GetSubscriptionAttributes` Endpoint), by subscription ARN. */
  subscriptionEndpoints?: Record<string, string>;
}

class NotFound extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export class PlanGateway implements MonitoringGateway {
  readonly calls: PlannedCall[] = [];
  private subscriptions = 0;
  private readonly endpoints = new Map<string, string>();

  constructor(protected world: PlanWorld = {}) {}

  /** The calls that would change something (reads left out). */
  get actions(): PlannedCall[] {
    return this.calls.filter((call) => !READ_ACTIONS.has(call.action));
  }

  private record(service: PlannedCall['service'], action: string, input: unknown): void {
    this.calls.push({ service, action, input: structuredClone(input) });
  }

  async putMetricAlarm(input: Parameters<MonitoringGateway['putMetricAlarm']>[0]) {
    this.record('cloudwatch', 'PutMetricAlarm', input);
  }
  async deleteAlarms(input: Parameters<MonitoringGateway['deleteAlarms']>[0]) {
    this.record('cloudwatch', 'DeleteAlarms', input);
  }
  async putDashboard(input: Parameters<MonitoringGateway['putDashboard']>[0]) {
    this.record('cloudwatch', 'PutDashboard', input);
  }
  async deleteDashboards(input: Parameters<MonitoringGateway['deleteDashboards']>[0]) {
    this.record('cloudwatch', 'DeleteDashboards', input);
  }
  async putMetricStream(input: Parameters<MonitoringGateway['putMetricStream']>[0]) {
    this.record('cloudwatch', 'PutMetricStream', input);
  }
  async deleteMetricStream(input: Parameters<MonitoringGateway['deleteMetricStream']>[0]) {
    this.record('cloudwatch', 'DeleteMetricStream', input);
  }
  async listMetricStreams(input: Parameters<MonitoringGateway['listMetricStreams']>[0]) {
    this.record('cloudwatch', 'ListMetricStreams', input);
    return [...(this.world.metricStreams ?? [])];
  }
  async putMetricData(input: Parameters<MonitoringGateway['putMetricData']>[0]) {
    this.record('cloudwatch', 'PutMetricData', input);
  }
  async describeSubscriptionFilters(input: Parameters<MonitoringGateway['describeSubscriptionFilters']>[0]) {
    this.record('logs', 'DescribeSubscriptionFilters', input);
    const group = input.logGroupName ?? '';
    if (this.world.missingLogGroups?.includes(group)) throw new NotFound('ResourceNotFoundException', 'The specified log group does not exist.');
    return [...(this.world.subscriptionFilters?.[group] ?? [])];
  }
  // What it is asked to put or delete, it answers later reads with, as AWS would.
  async putSubscriptionFilter(input: Parameters<MonitoringGateway['putSubscriptionFilter']>[0]) {
    this.record('logs', 'PutSubscriptionFilter', input);
    const filters = ((this.world.subscriptionFilters ??= {})[input.logGroupName ?? ''] ??= []);
    const filter = { filterName: input.filterName ?? '', ...(input.destinationArn ? { destinationArn: input.destinationArn } : {}) };
    const at = filters.findIndex((f) => f.filterName === filter.filterName);
    if (at >= 0) filters[at] = filter;
    else filters.push(filter);
  }
  async deleteSubscriptionFilter(input: Parameters<MonitoringGateway['deleteSubscriptionFilter']>[0]) {
    this.record('logs', 'DeleteSubscriptionFilter', input);
    const group = input.logGroupName ?? '';
    const filters = this.world.subscriptionFilters?.[group];
    if (filters) this.world.subscriptionFilters![group] = filters.filter((f) => f.filterName !== input.filterName);
  }
  async subscribe(input: Parameters<MonitoringGateway['subscribe']>[0]) {
    this.record('sns', 'Subscribe', input);
    if (input.TopicArn && this.world.missingTopics?.includes(input.TopicArn)) throw new NotFound('NotFoundException', 'Topic does not exist');
    // SNS answers with `<topic-arn>:<uuid>`; the plan cannot know the uuid.
    const subscriptionArn = `${input.TopicArn}:planned-subscription-${++this.subscriptions}`;
    if (input.Endpoint) this.endpoints.set(subscriptionArn, input.Endpoint);
    return { subscriptionArn };
  }
  async unsubscribe(input: Parameters<MonitoringGateway['unsubscribe']>[0]) {
    this.record('sns', 'Unsubscribe', input);
  }
  async topicExists(topicArn: string) {
    this.record('sns', 'GetTopicAttributes', { TopicArn: topicArn });
    return !this.world.missingTopics?.includes(topicArn);
  }
  /** What the plan subscribed delivers where it was asked to; anything else is unknown to it. */
  async subscriptionEndpoint(subscriptionArn: string) {
    this.record('sns', 'GetSubscriptionAttributes', { SubscriptionArn: subscriptionArn });
    return this.world.subscriptionEndpoints?.[subscriptionArn] ?? this.endpoints.get(subscriptionArn);
  }
  async publish(input: Parameters<MonitoringGateway['publish']>[0]) {
    this.record('sns', 'Publish', input);
  }
}
