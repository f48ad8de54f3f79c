import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { StateMachine } from 'aws-local-stepfunctions';
import { createHandler as classifyHandler } from '../functions/classify-resource';
import { createHandler as convergeHandler } from '../functions/converge-resource';
import { createHandler as describeHandler } from '../functions/describe-resource';
import { createHandler as reportHandler } from '../functions/report-problems';
import { PlanGateway } from '../lib/attach/plan-gateway';
import type { MonitoringGateway } from '../lib/attach/gateway';
import { planSettings } from '../lib/attach/settings';
import { createSnsPublisher } from '../lib/alerts/publish';
import { createDocumentClient } from '../lib/aws/clients';
import type { Config } from '../lib/config';
import { matchesPattern } from '../lib/events/pattern';
import { DynamoInventory } from '../lib/store/inventory';
import { SAGEMAKER_RULES } from '../infra/rules';
import type { Scenario } from './simulator';

/** What the local control plane did for each simulated resource. */
export interface ControlPlaneRun {
  attached: Array<{ resource: string; type: string; kinds: string[]; actions: Array<{ service: string; action: string }> }>;
}

/**
 * The plan adapter of local runs: records every CloudWatch, Logs and SNS call like
 * `sagewatch plan`, except alerts (SNS Publish to the alerts topic), which really go to the
 * local topic so the Slack function receives them.
 */
class LocalGateway extends PlanGateway {
  constructor(private readonly sns: SNSClient) {
    super();
  }

  override async publish(input: Parameters<MonitoringGateway['publish']>[0]): Promise<void> {
    await super.publish(input);
    await this.sns.send(new PublishCommand(input));
  }
}

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/**
 * SageMaker answered from the simulator's describe outputs: a real SDK client whose request
 * never leaves the process (a middleware answers before signing and sending).
 */
function fixtureSageMaker(scenario: Scenario, region: string): SageMakerClient {
  const endpoints = new Map(scenario.endpoints.map((e) => [e.name, e.describe]));
  const configs = new Map(scenario.endpoints.map((e) => [e.describe.endpoint.EndpointConfigName, e.describe.endpointConfig]));
  const models = new Map(scenario.endpoints.flatMap((e) => e.describe.models.map((m) => [String(m.ModelName), m] as const)));
  const components = scenario.endpoints.flatMap((e) => e.describe.inferenceComponents);
  const jobs = new Map(scenario.jobs.map((j) => [j.spec.name, j.describe]));
  const notFound = (what: string) =>
    Object.assign(new Error(`Could not find ${what}.`), { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  const revive = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) => (typeof v === 'string' && /(Time|Timestamp)$/.test(key) && !Number.isNaN(Date.parse(v)) ? new Date(v) : v));

  const answer = (name: string, input: Record<string, unknown>): unknown => {
    switch (name) {
      case 'DescribeEndpointCommand': {
        const bundle = endpoints.get(String(input.EndpointName));
        if (!bundle) throw notFound(`endpoint "${String(input.EndpointName)}"`);
        return bundle.endpoint;
      }
      case 'DescribeEndpointConfigCommand': {
        const config = configs.get(String(input.EndpointConfigName));
        if (!config) throw notFound(`endpoint configuration "${String(input.EndpointConfigName)}"`);
        return config;
      }
      case 'DescribeModelCommand': {
        const model = models.get(String(input.ModelName));
        if (!model) throw notFound(`model "${String(input.ModelName)}"`);
        return model;
      }
      case 'ListInferenceComponentsCommand':
        return {
          InferenceComponents: components
            .filter((c) => c.EndpointName === input.EndpointNameEquals)
            .map((c) => ({ InferenceComponentName: c.InferenceComponentName, InferenceComponentArn: c.InferenceComponentArn, EndpointName: c.EndpointName, InferenceComponentStatus: c.InferenceComponentStatus })),
        };
      case 'DescribeInferenceComponentCommand': {
        const component = components.find((c) => c.InferenceComponentName === input.InferenceComponentName);
        if (!component) throw notFound(`inference component "${String(input.InferenceComponentName)}"`);
        return component;
      }
      case 'ListTagsCommand':
        return { Tags: [{ Key: 'team', Value: 'ml-platform' }] };
      case 'DescribeTrainingJobCommand':
      case 'DescribeProcessingJobCommand': {
        const jobName = String(input.TrainingJobName ?? input.ProcessingJobName);
        const job = jobs.get(jobName);
        if (!job) throw notFound(`job "${jobName}"`);
        return job;
      }
      default:
        throw Object.assign(new Error(`the local SageMaker stand-in does not answer ${name}`), { name: 'UnsupportedOperation' });
    }
  };

  const client = new SageMakerClient({ region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = { constructor: { name: `${String(context.commandName)}` }, input: args.input as Record<string, unknown> } satisfies Command;
      return { output: { $metadata: { httpStatusCode: 200 }, ...(revive(answer(command.constructor.name, command.input)) as object) }, response: {} } as never;
    },
    { step: 'initialize', name: 'sagewatchLocalSageMaker' },
  );
  return client;
}

const PLACEHOLDERS = ['DescribeFunctionArn', 'ClassifyFunctionArn', 'ConvergeFunctionArn', 'ReportFunctionArn', 'ListResourcesFunctionArn', 'FindOrphansFunctionArn', 'SweepStreamsFunctionArn'];

function attachDefinition(region: string): Record<string, unknown> {
  let text = readFileSync(resolve(import.meta.dirname, '..', 'statemachines', 'attach.asl.json'), 'utf8');
  for (const placeholder of PLACEHOLDERS) {
    text = text.replaceAll(`\${${placeholder}}`, `arn:aws:lambda:${region}:000000000000:function:sagewatch-local-${placeholder.replace(/FunctionArn$/, '')}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Routes the scenario's SageMaker events through the template's EventBridge rules (with
 * sagewatch's own pattern matcher) into the real attach state machine, executed by
 * aws-local-stepfunctions with each Task bound to its real handler.
 */
export async function runControlPlane(scenario: Scenario, options: { config: Config; snsEndpoint: string; topicArn: string }): Promise<ControlPlaneRun> {
  const { config } = options;
  const region = config.region;
  const sns = new SNSClient({ region, endpoint: options.snsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const gateway = new LocalGateway(sns);
  const inventory = new DynamoInventory(createDocumentClient({ region }), config.inventoryTable);
  const settings = planSettings({ region, account: scenario.endpoints[0]?.spec.account ?? '123456789012', overrides: { alertsTopicArn: options.topicArn } });
  const describe = describeHandler({ sagemaker: fixtureSageMaker(scenario, region) });
  const classify = classifyHandler();
  const converge = convergeHandler({ gateway, inventory, settings });
  const report = reportHandler({ publisher: createSnsPublisher({ client: sns, topicArn: options.topicArn }) });
  type Handler = (input: unknown) => Promise<unknown>;
  const bind = (names: string[], handler: Handler) => Object.fromEntries(names.map((n) => [n, handler]));
  const handlers: Record<string, Handler> = {
    ...bind(['Describe', 'DescribeItem', 'DescribeOrphan'], describe),
    ...bind(['Classify', 'ClassifyItem', 'ClassifyOrphan'], classify),
    ...bind(['Converge', 'ConvergeItem', 'ConvergeOrphan'], converge),
    ...bind(['ReportProblems', 'ReportFailure', 'ReportItemProblems', 'ReportItemFailure', 'ReportOrphanProblems', 'ReportOrphanFailure', 'ReportStreamProblems'], report),
  };
  const machine = new StateMachine(attachDefinition(region) as never);

  const events = [
    ...scenario.endpoints.map((e) => ({ at: Date.parse(String(e.event.time)), event: e.event, resource: e.name, type: 'endpoint' })),
    ...scenario.jobs.flatMap((j) => j.events.map((event) => ({ at: Date.parse(String(event.time)), event, resource: j.spec.name, type: `${j.spec.type}-job` }))),
  ].sort((a, b) => a.at - b.at);

  const attached = new Map<string, ControlPlaneRun['attached'][number]>();
  try {
    for (const { event, resource, type } of events) {
      if (!SAGEMAKER_RULES.some((rule) => matchesPattern(rule.pattern, event))) continue;
      const before = gateway.actions.length;
      const execution = machine.run(event as never, {
        overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: { WaitToSettle: 0 } },
      });
      const output = (await execution.result) as { kinds?: string[] };
      const entry = attached.get(resource) ?? { resource, type, kinds: [], actions: [] };
      entry.kinds = output?.kinds ?? entry.kinds;
      entry.actions.push(...gateway.actions.slice(before).map(({ service, action }) => ({ service, action })));
      attached.set(resource, entry);
    }
  } finally {
    sns.destroy();
  }
  return { attached: [...attached.values()] };
}
