import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHandler as checkHandler } from '../functions/check-resources';
import { createHandler as classifyHandler } from '../functions/classify-resource';
import { createHandler as convergeHandler } from '../functions/converge-resource';
import { createHandler as describeHandler } from '../functions/describe-resource';
import { createHandler as orphansHandler } from '../functions/find-orphans';
import { createHandler as listHandler } from '../functions/list-resources';
import { createHandler as reportHandler } from '../functions/report-problems';
import { createHandler as sweepHandler } from '../functions/sweep-metric-streams';
import { accountMonthlyCost, monthlyCost, streamedSeries, type CostEstimate } from '../lib/attach/cost';
import { PlanGateway } from '../lib/attach/plan-gateway';
import { classifyBundle } from '../lib/attach/workflow';
import type { ResourceModel } from '../lib/sagemaker/model';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { planSettings } from '../lib/attach/settings';
import { createSnsPublisher } from '../lib/alerts/publish';
import { createDocumentClient } from '../lib/aws/clients';
import type { Config } from '../lib/config';
import { matchesPattern } from '../lib/eventbridge/pattern';
import { DynamoInventory } from '../lib/store/inventory';
import { SAGEMAKER_RULES } from '../infra/rules';
import { ApiCallCounter, type ApiCalls } from './api-calls';
import { fixtureSageMaker } from './sagemaker-stand-in';
import { LocalStateMachines } from './state-machines';
import type { Scenario } from './simulator';

/** What the local control plane did for each simulated resource, and what it cost in calls and history. */
export interface ControlPlaneRun {
  attached: Array<{ resource: string; type: string; kinds: string[]; actions: Array<{ service: string; action: string }> }>;
  controlPlane: ControlPlaneSummary;
}

export interface ControlPlaneSummary {
  resources: number;
  /** Every AWS call of the attach executions and the first reconcile, by operation (`DescribeEndpoint`, `PutMetricAlarm`, `UpdateItem` ...). */
  apiCalls: ApiCalls;
  /** The longest history of any execution (attach, reconcile, or a Distributed Map child), as AWS counts events. */
  maxHistoryEvents: number;
  reconcile: {
    /** The second reconcile, over an account nothing changed in since the first. */
    apiCallsWhenUnchanged: number;
    writesWhenUnchanged: number;
    /** Child attach executions the unchanged reconcile started. */
    childExecutionsWhenUnchanged: number;
  };
  /** How long the calls above take at the account-wide budget of each API (lib/aws/quotas.ts). */
  simulatedMinutesToConverge: number;
  /** The account's monthly CloudWatch cost of what was attached (lib/attach/cost.ts), the free tier subtracted once. */
  monthlyCostUsd: number;
  monthlyCost: CostEstimate['lines'];
}

/**
 * The plan adapter of local runs: records every CloudWatch, Logs and SNS call like
 * `sagewatch plan` and answers reads from what it was asked to create (a log group's filters,
 * the account's metric streams), as AWS would; alerts (SNS Publish to the alerts topic) really
 * go to the local topic so the Slack function receives them.
 */
class LocalGateway extends PlanGateway {
  constructor(private readonly sns: SNSClient) {
    super({ subscriptionFilters: {}, metricStreams: [] });
  }

  override async putMetricStream(input: Parameters<MonitoringGateway['putMetricStream']>[0]): Promise<void> {
    await super.putMetricStream(input);
    if (input.Name && !this.world.metricStreams!.includes(input.Name)) this.world.metricStreams!.push(input.Name);
  }

  override async deleteMetricStream(input: Parameters<MonitoringGateway['deleteMetricStream']>[0]): Promise<void> {
    await super.deleteMetricStream(input);
    this.world.metricStreams = this.world.metricStreams!.filter((name) => name !== input.Name);
  }

  override async publish(input: Parameters<MonitoringGateway['publish']>[0]): Promise<void> {
    await super.publish(input);
    await this.sns.send(new PublishCommand(input));
  }
}

/**
 * Routes the scenario's SageMaker events through the template's EventBridge rules (with
 * sagewatch's own pattern matcher) into the real attach state machine, then runs the real
 * reconcile state machine twice (the second over an unchanged account), all executed by
 * aws-local-stepfunctions with each Task bound to its real handler.
 */
export async function runControlPlane(scenario: Scenario, options: { config: Config; snsEndpoint: string; topicArn: string }): Promise<ControlPlaneRun> {
  const { config } = options;
  const region = config.region;
  const counter = new ApiCallCounter();
  const sns = new SNSClient({ region, endpoint: options.snsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const gateway = new LocalGateway(sns);
  const documents = counter.watch(createDocumentClient({ region }));
  const inventory = new DynamoInventory(documents, config.inventoryTable);
  const settings = planSettings({ region, account: scenario.endpoints[0]?.spec.account ?? '123456789012', overrides: { alertsTopicArn: options.topicArn } });
  const sagemaker: SageMakerClient = counter.watch(fixtureSageMaker(scenario, region));
  const machines = new LocalStateMachines(
    {
      describe: describeHandler({ sagemaker }),
      classify: classifyHandler(),
      converge: convergeHandler({ gateway, inventory, settings }),
      report: reportHandler({ publisher: createSnsPublisher({ client: sns, topicArn: options.topicArn }) }),
      list: listHandler({ sagemaker }),
      check: checkHandler({ sagemaker, gateway, inventory, settings }),
      orphans: orphansHandler({ sagemaker, inventory }),
      sweep: sweepHandler({ gateway, inventory, settings }),
    },
    { instant: true, region },
  );
  const gatewayCalls = () => counter.merge(gateway.calls.map((call) => call.action));

  const events = [
    ...scenario.endpoints.map((e) => ({ at: Date.parse(String(e.event.time)), event: e.event, resource: e.name, type: 'endpoint' })),
    ...scenario.jobs.flatMap((j) => j.events.map((event) => ({ at: Date.parse(String(event.time)), event, resource: j.spec.name, type: `${j.spec.type}-job` }))),
  ].sort((a, b) => a.at - b.at);

  const attached = new Map<string, ControlPlaneRun['attached'][number]>();
  // What each resource has attached now costs: a later change replaces it, a detach removes it.
  const costs = new Map<string, CostEstimate>();
  const models = modelsOf(scenario);
  try {
    for (const { event, resource, type } of events) {
      if (!SAGEMAKER_RULES.some((rule) => matchesPattern(rule.pattern, event))) continue;
      const before = gateway.actions.length;
      const output = (await machines.run('attach', event)) as { kinds?: string[]; lifecycle?: string };
      const entry = attached.get(resource) ?? { resource, type, kinds: [], actions: [] };
      entry.kinds = output?.kinds ?? entry.kinds;
      const actions = gateway.actions.slice(before);
      entry.actions.push(...actions.map(({ service, action }) => ({ service, action })));
      const model = models.get(resource);
      if (output?.lifecycle !== 'attach') costs.delete(resource);
      else if (actions.length > 0) costs.set(resource, monthlyCost(actions, model ? streamedSeries(model) : 0, model));
      attached.set(resource, entry);
    }
    // The hourly sweep: once to backfill (nothing to do after the events above), once more
    // over the same account, which must only read.
    await machines.run('reconcile', {});
    const converged = gatewayCalls();
    const executionsBefore = machines.stats.executionsByMachine.attach ?? 0;
    await machines.run('reconcile', {});
    const unchanged = counter.since(gatewayCalls(), converged);
    // Cost of what stays attached: a detach (a job that ended) leaves nothing to pay for.
    const account = accountMonthlyCost([...costs.values()]);
    return {
      attached: [...attached.values()],
      controlPlane: {
        resources: scenario.endpoints.length + scenario.jobs.length,
        apiCalls: converged,
        maxHistoryEvents: machines.stats.maxHistoryEvents,
        reconcile: {
          apiCallsWhenUnchanged: counter.total(unchanged),
          writesWhenUnchanged: counter.writes(unchanged),
          childExecutionsWhenUnchanged: (machines.stats.executionsByMachine.attach ?? 0) - executionsBefore,
        },
        simulatedMinutesToConverge: counter.simulatedMinutes(converged),
        monthlyCostUsd: account.monthlyCostUsd,
        monthlyCost: account.lines,
      },
    };
  } finally {
    sns.destroy();
  }
}

/** The simulated resources' models, from the same describe outputs the stand-in answers with. */
function modelsOf(scenario: Scenario): Map<string, ResourceModel> {
  const models = new Map<string, ResourceModel>();
  for (const endpoint of scenario.endpoints) models.set(endpoint.name, classifyBundle({ kind: 'endpoint', name: endpoint.name, tags: {} }, endpoint.describe));
  return models;
}
