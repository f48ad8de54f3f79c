import type { PutSubscriptionFilterCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import type { ExistingSubscriptionFilter, MonitoringGateway } from './gateway';
import { errorName } from '../aws/errors';
import { fitName } from '../names/owned';

/**
 * Which subscription filter of a log group is sagewatch's, decided by where it delivers (the
 * stack's Kinesis stream) and what the inventory recorded, never by its name alone: a user's
 * filter that happens to be called `sagewatch_logs` is neither overwritten nor deleted. When
 * such a filter holds sagewatch's usual name and a slot is free, sagewatch's own filter takes
 * the second name (`<name>-2`); with both slots held by filters of others, the gap is reported.
 */
export interface FilterOwnership {
  /** The stack's destination now, and the one recorded when the filter was put (if it changed since). */
  destinations: ReadonlyArray<string | undefined>;
  /** The name recorded in the inventory when sagewatch put the filter. */
  recordedName?: string | undefined;
}

export function alternateFilterName(name: string): string {
  return fitName('subscriptionFilter', `${name}-2`);
}

function ownNames(canonical: string, ownership: FilterOwnership): string[] {
  return [ownership.recordedName, canonical, alternateFilterName(canonical)].filter((n): n is string => !!n);
}

export function isOwnFilter(filter: ExistingSubscriptionFilter, canonical: string, ownership: FilterOwnership): boolean {
  const destinations = ownership.destinations.filter((d): d is string => !!d);
  return filter.destinationArn !== undefined && destinations.includes(filter.destinationArn) && ownNames(canonical, ownership).includes(filter.filterName);
}

export type PutLogSubscriptionOutcome = { type: 'put'; filterName: string } | { type: 'pending' } | { type: 'full'; filters: string[] };

/** Whether a log group has no slot for sagewatch: two filters, neither of them its own. */
export function slotsFull(filters: ExistingSubscriptionFilter[], canonical: string, ownership: FilterOwnership): boolean {
  return !filters.some((filter) => isOwnFilter(filter, canonical, ownership)) && filters.length >= 2;
}

export async function putLogSubscription(gateway: MonitoringGateway, input: PutSubscriptionFilterCommandInput, ownership: FilterOwnership): Promise<PutLogSubscriptionOutcome> {
  const logGroupName = input.logGroupName ?? '';
  const canonical = input.filterName ?? '';
  let filters: ExistingSubscriptionFilter[];
  try {
    filters = await gateway.describeSubscriptionFilters({ logGroupName });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { type: 'pending' };
    throw error;
  }
  const names = filters.map((f) => f.filterName);
  const own = filters.find((filter) => isOwnFilter(filter, canonical, ownership));
  // Two filters per log group: when both are someone else's, the gap is reported, never "fixed".
  if (!own && filters.length >= 2) return { type: 'full', filters: names };
  // Ours is updated in place; otherwise the usual name, unless someone else's filter holds it.
  const filterName = own?.filterName ?? (names.includes(canonical) ? alternateFilterName(canonical) : canonical);
  try {
    await gateway.putSubscriptionFilter({ ...input, filterName });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { type: 'pending' };
    if (errorName(error) === 'LimitExceededException') return { type: 'full', filters: names };
    throw error;
  }
  return { type: 'put', filterName };
}

/** Deletes sagewatch's filter, if it is still there and still sagewatch's (someone may have replaced it). */
export async function removeLogSubscription(gateway: MonitoringGateway, logGroupName: string, canonical: string, ownership: FilterOwnership): Promise<void> {
  let filters: ExistingSubscriptionFilter[];
  try {
    filters = await gateway.describeSubscriptionFilters({ logGroupName });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return;
    throw error;
  }
  const name = ownership.recordedName ?? canonical;
  const own = filters.find((filter) => filter.filterName === name && isOwnFilter(filter, canonical, ownership));
  if (!own) return;
  try {
    await gateway.deleteSubscriptionFilter({ logGroupName, filterName: own.filterName });
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
}
