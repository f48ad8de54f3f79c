// Over 300 lines on purpose: one concept, the desired state of a resource from its model alone;
// every kind's attachments are built side by side from the same profiles and settings.
import type { Dimension, PutDashboardCommandInput, PutMetricAlarmCommandInput, PutMetricDataCommandInput, PutMetricStreamCommandInput } from '@aws-sdk/client-cloudwatch';
import type { PutSubscriptionFilterCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import type { PublishCommandInput, SubscribeCommandInput } from '@aws-sdk/client-sns';
import { createAlert, type ResourceType } from '../alert-model/alert';
import { buildPublishInput } from '../alerts/publish';
import { logGroupForEndpoint, logGroupForInferenceComponent } from '../logs/source';
import { composeEndpointProfile, publishingKinds } from '../profiles/compose';
import { JOB_PROFILES } from '../profiles/jobs';
import { hasStream, type StreamKind } from '../profiles/streams';
import { resolveThresholds, type Thresholds } from '../profiles/thresholds';
import { SCOPE_DIMENSIONS, type AlarmSpec } from '../profiles/types';
import type { EndpointModel, JobModel, ResourceModel } from '../sagemaker/model';
import type { ResourceRef } from '../sagemaker/resource';
import type { JobKind, ResourceKind } from '../profiles/kinds';
import type { JobOutcome, Lifecycle } from '../sagemaker/status';
import type { GapRecord } from '../store/inventory';
import { alarmInput, MAX_METRICS_PER_ALARM, type InsightsQuery } from './alarms';
import { dashboardInputs } from './dashboards';
import { streamInput } from './metric-stream';
import { alarmName, managedTags, subscriptionFilterName } from '../names/owned';
import { sharedHostAlarm, type SharedAlarmAttachment } from './shared-alarms';
import type { ConvergeSettings } from './settings';

/**
 * The desired state of one resource, computed from its model alone (pure): which attachments
 * must exist, with the exact request that creates each, which instrumentation gaps are known
 * before touching AWS, and, for a job that ended, the effects of its end.
 */
export type DesiredAttachment =
  | { type: 'alarm'; id: string; input: PutMetricAlarmCommandInput }
  | { type: 'dashboard'; id: string; input: PutDashboardCommandInput }
  | { type: 'log-subscription'; id: string; input: PutSubscriptionFilterCommandInput }
  | { type: 'sns-subscription'; id: string; input: SubscribeCommandInput }
  | { type: 'metric-stream'; id: string; kinds: StreamKind[]; input: PutMetricStreamCommandInput }
  | SharedAlarmAttachment;

export interface OutcomeEffects {
  outcome: JobOutcome;
  /** ISO time the job ended (or was found ended). */
  at: string;
  metrics: PutMetricDataCommandInput;
  /** The failure alert, for failed jobs. */
  alert?: PublishCommandInput;
}

export interface DesiredState {
  attachments: DesiredAttachment[];
  gaps: GapRecord[];
  kinds: string[];
  outcome?: OutcomeEffects;
}

export interface DesiredContext {
  resource: ResourceRef;
  lifecycle: Lifecycle;
  model?: ResourceModel | undefined;
  settings: ConvergeSettings;
  now: number;
}

export function desiredState(context: DesiredContext): DesiredState {
  const { model, lifecycle } = context;
  const kinds = model ? (model.type === 'endpoint' ? [...model.kinds] : [model.kind]) : [];
  if (!model) return { attachments: [], gaps: [], kinds };
  const gaps: GapRecord[] = model.issues.map((issue) => ({ code: issue.code, key: `${issue.code}:${issue.message}`, message: issue.message }));
  if (model.ignored) return { attachments: [], gaps: [], kinds };
  if (model.type === 'endpoint') {
    if (lifecycle !== 'attach') return { attachments: [], gaps: [], kinds };
    const endpoint = endpointAttachments(model, context.settings);
    return { attachments: endpoint.attachments, gaps: [...gaps, ...endpoint.gaps], kinds };
  }
  if (lifecycle === 'attach') return { attachments: jobAttachments(model, context.settings), gaps, kinds };
  const outcome = model.outcome ? outcomeEffects(model, model.outcome, context) : undefined;
  return { attachments: [], gaps: [], kinds, ...(outcome ? { outcome } : {}) };
}

function thresholdsOf(model: ResourceModel, settings: ConvergeSettings): Thresholds {
  return resolveThresholds(settings.thresholds, model.overrides);
}

function dims(pairs: Array<[string, string]>): Dimension[] {
  return pairs.map(([Name, Value]) => ({ Name, Value }));
}

function endpointAttachments(model: EndpointModel, settings: ConvergeSettings): { attachments: DesiredAttachment[]; gaps: GapRecord[] } {
  const thresholds = thresholdsOf(model, settings);
  const prefix = settings.namePrefix;
  const alarms = new Map<string, PutMetricAlarmCommandInput>();
  const actions = [settings.alertsTopicArn];
  const tags = managedTags('endpoint', model.name);
  const add = (spec: AlarmSpec, name: string, dimensions: Dimension[], where: string, query?: InsightsQuery) => {
    if (!alarms.has(name)) alarms.set(name, alarmInput(spec, { alarmName: name, dimensions: [dimensions], where, thresholds, actions, tags, ...(query ? { query } : {}) }));
  };

  for (const variant of model.variants) {
    for (const spec of composeEndpointProfile(variant.kinds).alarms) {
      const endpointDim: [string, string] = ['EndpointName', model.name];
      const variantDim: [string, string] = ['VariantName', variant.name];
      switch (spec.scope) {
        case 'endpoint':
          add(spec, alarmName(prefix, 'endpoint', model.name, spec.id), dims([endpointDim]), `Endpoint ${model.name}`);
          break;
        case 'variant':
          if (spec.requires === 'gpu' && !variant.gpu) break;
          add(spec, alarmName(prefix, 'endpoint', model.name, 'variant', variant.name, spec.id), dims([endpointDim, variantDim]), `Endpoint ${model.name}, variant ${variant.name}`);
          break;
        case 'container':
          // Without ContainerHostname SageMaker picks the ContainerName: one Metrics Insights alarm watches each container.
          if (variant.containers.some((container) => !container.name)) {
            const query = { schema: SCOPE_DIMENSIONS.container, where: dims([endpointDim, variantDim]), groupBy: ['ContainerName'] };
            add(spec, alarmName(prefix, 'endpoint', model.name, 'variant', variant.name, 'containers', spec.id), [], `Endpoint ${model.name}, variant ${variant.name}, every container`, query);
            break;
          }
          for (const container of variant.containers) {
            if (!container.name) continue;
            add(
              spec,
              alarmName(prefix, 'endpoint', model.name, 'variant', variant.name, 'container', container.name, spec.id),
              dims([endpointDim, variantDim, ['ContainerName', container.name]]),
              `Endpoint ${model.name}, variant ${variant.name}, container ${container.name}`,
            );
          }
          break;
        case 'component':
          for (const component of variant.inferenceComponents) {
            if (spec.requires === 'gpu' && !component.gpu) continue;
            add(
              spec,
              alarmName(prefix, 'endpoint', model.name, 'component', component.name, spec.id),
              dims([['InferenceComponentName', component.name]]),
              `Endpoint ${model.name}, inference component ${component.name}`,
            );
          }
          break;
        default:
          break;
      }
    }
  }

  const attachments: DesiredAttachment[] = [...alarms.entries()].map(([id, input]) => ({ type: 'alarm', id, input }));
  for (const dashboard of dashboardInputs(model, settings.region, prefix)) attachments.push({ type: 'dashboard', id: dashboard.DashboardName!, input: dashboard });

  // The endpoint's group, then each inference component's own group: the same filter and the
  // same ownership rules per group (lib/attach/log-subscription.ts). A component that is gone
  // (or Deleting) is no longer in the model, so converge removes our filter from its group.
  const components = [...new Set(model.variants.flatMap((variant) => variant.inferenceComponents.map((component) => component.name)))].sort();
  for (const logGroupName of [logGroupForEndpoint(model.name), ...components.map(logGroupForInferenceComponent)]) {
    attachments.push({
      type: 'log-subscription',
      id: logGroupName,
      input: {
        logGroupName,
        filterName: subscriptionFilterName(prefix),
        filterPattern: settings.logFilterPattern,
        destinationArn: settings.logDestinationArn,
        roleArn: settings.logRoleArn,
        distribution: 'ByLogStream',
      },
    });
  }

  const gaps: GapRecord[] = [];
  if (model.kinds.includes('async')) {
    const topics = [...new Set([model.async?.successTopic, model.async?.errorTopic].filter((t): t is string => !!t))];
    for (const topic of topics) {
      attachments.push({
        type: 'sns-subscription',
        id: topic,
        input: { TopicArn: topic, Protocol: 'sqs', Endpoint: settings.notificationsQueueArn, ReturnSubscriptionArn: true },
      });
    }
    const missing = [!model.async?.successTopic ? 'SuccessTopic' : undefined, !model.async?.errorTopic ? 'ErrorTopic' : undefined].filter((m): m is string => !!m);
    if (missing.length > 0) {
      gaps.push({
        code: 'AsyncNotificationTopicsMissing',
        key: `AsyncNotificationTopicsMissing:${missing.join(',')}`,
        message: `async endpoint ${model.name} has no ${missing.join(' and ')} in its NotificationConfig: requests cannot be correlated with their ${missing.length === 2 ? 'outcomes' : missing[0] === 'SuccessTopic' ? 'successes' : 'failures'}`,
      });
    }
  }

  // Only what the variants publish (lib/profiles/compose.ts): not the model-loading metrics of an async multi-model endpoint.
  const streamed = model.kinds.filter((kind) => hasStream(kind) && model.variants.some((variant) => publishingKinds(variant.kinds).includes(kind)));
  if (streamed.length > 0) attachments.push(streamAttachment(streamed, settings));
  return { attachments, gaps };
}

function jobAttachments(model: JobModel, settings: ConvergeSettings): DesiredAttachment[] {
  const profile = JOB_PROFILES[model.kind];
  const thresholds = thresholdsOf(model, settings);
  const actions = [settings.alertsTopicArn];
  const tags = managedTags(model.kind, model.name);
  const attachments: DesiredAttachment[] = [];
  for (const spec of profile.alarms) {
    if (spec.requires === 'gpu' && !model.gpu) continue;
    if (spec.scope === 'job-hosts' && profile.hosts === 'instance-id') {
      attachments.push(sharedHostAlarm(model.kind, spec, settings));
    } else if (spec.scope === 'job-hosts') {
      const chunks: string[][] = [];
      for (let i = 0; i < model.hosts.length; i += MAX_METRICS_PER_ALARM) chunks.push(model.hosts.slice(i, i + MAX_METRICS_PER_ALARM));
      chunks.forEach((hosts, i) => {
        const suffix = chunks.length > 1 ? [`hosts-${i * MAX_METRICS_PER_ALARM + 1}-${i * MAX_METRICS_PER_ALARM + hosts.length}`] : [];
        const name = alarmName(settings.namePrefix, model.kind, model.name, spec.id, ...suffix);
        const input = alarmInput(spec, {
          alarmName: name,
          dimensions: hosts.map((host) => [{ Name: 'Host', Value: host }]),
          where: `${model.kind} ${model.name}, ${hosts.length === 1 ? `host ${hosts[0]}` : `hosts ${hosts[0]} to ${hosts[hosts.length - 1]}`}`,
          thresholds,
          actions,
          tags,
        });
        attachments.push({ type: 'alarm', id: name, input });
      });
    } else if (spec.scope === 'job') {
      const dimensionName = SCOPE_DIMENSIONS.job[0]!;
      const name = alarmName(settings.namePrefix, model.kind, model.name, spec.id);
      attachments.push({
        type: 'alarm',
        id: name,
        input: alarmInput(spec, { alarmName: name, dimensions: [[{ Name: dimensionName, Value: model.name }]], where: `${model.kind} ${model.name}`, thresholds, actions, tags }),
      });
    }
  }
  if (hasStream(model.kind)) attachments.push(streamAttachment([model.kind], settings));
  return attachments;
}

/**
 * The resource's share of the one metric stream: the request for its own kinds, so its record
 * changes only when its kinds do; converge puts the union of every member's kinds.
 */
export function streamAttachment(kinds: StreamKind[], settings: ConvergeSettings): Extract<DesiredAttachment, { type: 'metric-stream' }> {
  const input = streamInput(kinds, settings);
  return { type: 'metric-stream', id: input.Name!, kinds, input };
}

const ALERT_RESOURCE_TYPES: Record<JobKind, ResourceType> = {
  'training-job': 'training-job',
  'processing-job': 'processing-job',
  'transform-job': 'transform-job',
  'hyper-parameter-tuning-job': 'tuning-job',
  'pipeline-execution': 'pipeline',
  'labeling-job': 'labeling-job',
};

export function alertResourceType(kind: ResourceKind): ResourceType {
  return kind === 'endpoint' ? 'endpoint' : ALERT_RESOURCE_TYPES[kind];
}

const JOB_LABELS: Record<JobKind, string> = {
  'training-job': 'Training job',
  'processing-job': 'Processing job',
  'transform-job': 'Transform job',
  'hyper-parameter-tuning-job': 'Tuning job',
  'pipeline-execution': 'Pipeline execution',
  'labeling-job': 'Labeling job',
};

// PutMetricData refuses data points older than two weeks or more than two hours ahead.
const OLDEST_METRIC_MS = 14 * 24 * 3600_000 - 3600_000;
const NEWEST_METRIC_MS = 2 * 3600_000 - 60_000;

function outcomeEffects(model: JobModel, outcome: JobOutcome, context: DesiredContext): OutcomeEffects {
  const { settings, now, resource } = context;
  const endedMs = model.endedAt ? Date.parse(model.endedAt) : now;
  const timestamp = new Date(endedMs >= now - OLDEST_METRIC_MS && endedMs <= now + NEWEST_METRIC_MS ? endedMs : now);
  const dimensions = [{ Name: 'JobKind', Value: model.kind }];
  const metrics: PutMetricDataCommandInput = {
    Namespace: settings.metricsNamespace,
    MetricData: [
      { MetricName: `Jobs${outcome}`, Dimensions: dimensions, Timestamp: timestamp, Value: 1, Unit: 'Count' },
      ...(model.durationMs !== undefined ? [{ MetricName: 'JobDuration', Dimensions: dimensions, Timestamp: timestamp, Value: model.durationMs, Unit: 'Milliseconds' as const }] : []),
    ],
  };
  const at = new Date(endedMs).toISOString();
  if (outcome !== 'Failed') return { outcome, at, metrics };

  const alert = createAlert({
    kind: 'job-failed',
    severity: 'critical',
    title: `${JOB_LABELS[model.kind]} ${model.name} failed`,
    description: model.failureReason ?? 'SageMaker gave no FailureReason.',
    resource: {
      type: alertResourceType(model.kind),
      name: model.name,
      ...(resource.region ? { region: resource.region } : {}),
      ...(resource.account ? { account: resource.account } : {}),
    },
    evidence: {
      facts: [
        { name: 'FailureReason', value: model.failureReason ?? '(none)' },
        { name: 'Status', value: model.status },
        ...(model.startedAt ? [{ name: 'Started', value: model.startedAt }] : []),
        ...(model.endedAt ? [{ name: 'Ended', value: model.endedAt }] : []),
        ...(model.instanceType ? [{ name: 'Instances', value: `${model.instanceCount ?? 1} × ${model.instanceType}` }] : []),
      ],
      numbers: model.durationMs !== undefined ? [{ name: 'Duration', value: Math.round(model.durationMs / 1000), unit: 's' }] : [],
    },
    detectedAt: at,
  });
  return { outcome, at, metrics, alert: buildPublishInput(alert, settings.alertsTopicArn) };
}
