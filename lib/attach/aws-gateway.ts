import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DeleteMetricStreamCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  PutMetricStreamCommand,
  paginateListMetricStreams,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DeleteSubscriptionFilterCommand, PutSubscriptionFilterCommand, paginateDescribeSubscriptionFilters } from '@aws-sdk/client-cloudwatch-logs';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type { ExistingSubscriptionFilter, MonitoringGateway } from './gateway';
import { errorName } from '../aws/errors';
import type { ApiBudget } from '../aws/api-budget';
import { DEFAULT_RETRY, Pacer, withRetry, type RetryOptions } from './retry';

/**
 * The gateway over the AWS SDK. Clients are built with one SDK attempt: the retry policy here
 * (backoff with full jitter on throttling and transient errors) is the only one, so attempts do
 * not multiply and tests can count them.
 */
export interface AwsClients {
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  sns: SNSClient;
}

export function createAwsClients(region: string): AwsClients {
  const options = { region, maxAttempts: 1 };
  return { cloudwatch: new CloudWatchClient(options), logs: new CloudWatchLogsClient(options), sns: new SNSClient(options) };
}

export interface AwsGatewayOptions {
  retry?: RetryOptions;
  /** The account-wide budget every call waits for (lib/aws/api-budget.ts); without it, only this process's pacer. */
  budget?: ApiBudget;
  /** Pace of alarm writes in this process (PutMetricAlarm's regional limit is about 3/s). */
  alarmWritesPerSecond?: number;
  pacer?: Pacer;
}

export function createAwsGateway(clients: AwsClients, options: AwsGatewayOptions = {}): MonitoringGateway {
  const retry = options.retry ?? DEFAULT_RETRY;
  const pacer = options.pacer ?? new Pacer(options.alarmWritesPerSecond ?? 3);
  const budget = options.budget;
  // Each attempt takes its own token: a retry is a call the quota counts too.
  const call = <T>(fn: () => Promise<T>, operation?: string) =>
    withRetry(async () => {
      if (budget && operation) await budget.acquire(operation);
      return fn();
    }, retry);

  return {
    async putMetricAlarm(input) {
      await call(async () => {
        // The account-wide budget replaces the per-process pacer when there is one.
        if (!budget) await pacer.wait();
        return clients.cloudwatch.send(new PutMetricAlarmCommand(input));
      }, 'PutMetricAlarm');
    },
    async deleteAlarms(input) {
      await call(() => clients.cloudwatch.send(new DeleteAlarmsCommand(input)), 'DeleteAlarms');
    },
    async putDashboard(input) {
      await call(() => clients.cloudwatch.send(new PutDashboardCommand(input)), 'PutDashboard');
    },
    async deleteDashboards(input) {
      await call(() => clients.cloudwatch.send(new DeleteDashboardsCommand(input)), 'DeleteDashboards');
    },
    async putMetricStream(input) {
      await call(() => clients.cloudwatch.send(new PutMetricStreamCommand(input)), 'PutMetricStream');
    },
    async deleteMetricStream(input) {
      await call(() => clients.cloudwatch.send(new DeleteMetricStreamCommand(input)), 'DeleteMetricStream');
    },
    async listMetricStreams(input) {
      return call(async () => {
        const names: string[] = [];
        for await (const page of paginateListMetricStreams({ client: clients.cloudwatch }, input)) {
          for (const entry of page.Entries ?? []) if (entry.Name) names.push(entry.Name);
        }
        return names;
      }, 'ListMetricStreams');
    },
    async putMetricData(input) {
      await call(() => clients.cloudwatch.send(new PutMetricDataCommand(input)), 'PutMetricData');
    },
    async describeSubscriptionFilters(input) {
      return call(async () => {
        const filters: ExistingSubscriptionFilter[] = [];
        for await (const page of paginateDescribeSubscriptionFilters({ client: clients.logs }, input)) {
          for (const filter of page.subscriptionFilters ?? []) {
            if (filter.filterName) {
              filters.push({ filterName: filter.filterName, ...(filter.destinationArn ? { destinationArn: filter.destinationArn } : {}) });
            }
          }
        }
        return filters;
      }, 'DescribeSubscriptionFilters');
    },
    async putSubscriptionFilter(input) {
      await call(() => clients.logs.send(new PutSubscriptionFilterCommand(input)), 'PutSubscriptionFilter');
    },
    async deleteSubscriptionFilter(input) {
      await call(() => clients.logs.send(new DeleteSubscriptionFilterCommand(input)), 'DeleteSubscriptionFilter');
    },
    async subscribe(input) {
      const output = await call(() => clients.sns.send(new SubscribeCommand(input)), 'Subscribe');
      if (!output.SubscriptionArn) throw new Error(`Subscribe to ${input.TopicArn} returned no SubscriptionArn`);
      return { subscriptionArn: output.SubscriptionArn };
    },
    async unsubscribe(input) {
      await call(() => clients.sns.send(new UnsubscribeCommand(input)), 'Unsubscribe');
    },
    async topicExists(topicArn) {
      try {
        await call(() => clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })), 'GetTopicAttributes');
        return true;
      } catch (error) {
        if (errorName(error) === 'NotFoundException' || errorName(error) === 'NotFound') return false;
        throw error;
      }
    },
    async subscriptionEndpoint(subscriptionArn) {
      try {
        const output = await call(() => clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn })), 'GetSubscriptionAttributes');
        return output.Attributes?.Endpoint;
      } catch (error) {
        if (errorName(error) === 'NotFoundException' || errorName(error) === 'NotFound') return undefined;
        throw error;
      }
    },
    async publish(input) {
      await call(() => clients.sns.send(new PublishCommand(input)), 'Publish');
    },
  };
}
