import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { AlertPublisher } from '../lib/alerts/publish';
import { PlanGateway } from '../lib/attach/plan-gateway';
import { planSettings, type ConvergeSettings } from '../lib/attach/settings';

/**
 * What a planned `sagewatch invoke` uses instead of the AWS services that have no emulator:
 * the plan gateway for CloudWatch, Logs and SNS (as `sagewatch plan` and the demo), a
 * SageMaker that answers reads from describe files, and an alerts publisher that records.
 * No request can leave the process: the SageMaker stand-in is a client (the SDK's paginators
 * insist) whose own `send` answers before any middleware, signer or socket.
 */
export interface RecordedCall {
  service: string;
  action: string;
  input: unknown;
}

const PLAN_ACCOUNT = '123456789012';
const SAMPLE_DESCRIBES = resolve(import.meta.dirname, '..', 'events', 'sagemaker', 'describe');

export class InvokePlan {
  readonly gateway = new PlanGateway({ subscriptionFilters: {}, metricStreams: [] });
  private readonly own: RecordedCall[] = [];

  constructor(
    readonly region: string,
    private readonly describes: DescribeBundle[],
    /** Where the SageMaker answers come from, for the summary line. */
    readonly describeSource: string,
  ) {}

  /** Every request the invocation would have sent, in order of the services (SageMaker reads first). */
  get calls(): RecordedCall[] {
    return [...this.own, ...this.gateway.calls];
  }

  get settings(): ConvergeSettings {
    return planSettings({ region: this.region, account: PLAN_ACCOUNT });
  }

  get publisher(): AlertPublisher {
    return {
      publish: async (alert) => {
        this.own.push({ service: 'sns', action: 'Publish', input: { TopicArn: this.settings.alertsTopicArn, Subject: alert.title, Message: alert } });
        return {};
      },
    };
  }

  get sagemaker(): SageMakerClient {
    const record = (call: RecordedCall) => this.own.push(call);
    return new PlannedSageMaker(this.region, (action, input) => {
      record({ service: 'sagemaker', action, input });
      return answer(this.describes, action, input);
    });
  }
}

class PlannedSageMaker extends SageMakerClient {
  constructor(region: string, answerFor: (action: string, input: Record<string, unknown>) => unknown) {
    super({ region, credentials: { accessKeyId: 'plan', secretAccessKey: 'plan' }, maxAttempts: 1 });
    const send = async (command: { input?: Record<string, unknown>; constructor: { name: string } }) => answerFor(command.constructor.name.replace(/Command$/, ''), command.input ?? {});
    // An own property: the prototype's send (middleware, signing, HTTP) is never reached.
    Object.defineProperty(this, 'send', { value: send });
  }
}

export type DescribeBundle = Record<string, unknown>;

/** `--describe FILE`, or else every sample describe output in events/sagemaker/describe. */
export async function loadDescribes(given: unknown | undefined): Promise<{ bundles: DescribeBundle[]; source: string }> {
  if (given !== undefined) return { bundles: [given as DescribeBundle], source: '--describe' };
  const files = (await readdir(SAMPLE_DESCRIBES)).filter((f) => f.endsWith('.json')).sort();
  const bundles = await Promise.all(files.map(async (f) => JSON.parse(await readFile(resolve(SAMPLE_DESCRIBES, f), 'utf8')) as DescribeBundle));
  return { bundles, source: 'events/sagemaker/describe' };
}

type Described = Record<string, unknown>;

function answer(bundles: DescribeBundle[], action: string, input: Record<string, unknown>): unknown {
  const endpoints = bundles.filter((b) => b.endpoint) as Array<{ endpoint: Described; endpointConfig?: Described; models?: Described[]; inferenceComponents?: Described[] }>;
  const jobs = bundles.map((b) => b.job as Described | undefined).filter((j): j is Described => j !== undefined);
  const find = <T extends Described>(items: T[], key: string, value: unknown, what: string): unknown => {
    const found = items.find((item) => item[key] === value);
    if (!found) throw notFound(`${what} "${String(value)}"`);
    return revive(found);
  };
  const jobOf = (field: string) => find(jobs, field, input[field], 'job');
  switch (action) {
    case 'DescribeEndpoint':
      return find(
        endpoints.map((e) => e.endpoint),
        'EndpointName',
        input.EndpointName,
        'endpoint',
      );
    case 'DescribeEndpointConfig':
      return find(
        endpoints.flatMap((e) => (e.endpointConfig ? [e.endpointConfig] : [])),
        'EndpointConfigName',
        input.EndpointConfigName,
        'endpoint configuration',
      );
    case 'DescribeModel':
      return find(
        endpoints.flatMap((e) => e.models ?? []),
        'ModelName',
        input.ModelName,
        'model',
      );
    case 'ListInferenceComponents':
      return {
        InferenceComponents: endpoints
          .flatMap((e) => e.inferenceComponents ?? [])
          .filter((c) => c.EndpointName === input.EndpointNameEquals)
          .map(revive),
      };
    case 'DescribeInferenceComponent':
      return find(
        endpoints.flatMap((e) => e.inferenceComponents ?? []),
        'InferenceComponentName',
        input.InferenceComponentName,
        'inference component',
      );
    case 'ListTags':
      return { Tags: [] };
    case 'DescribeTrainingJob':
      return jobOf('TrainingJobName');
    case 'DescribeProcessingJob':
      return jobOf('ProcessingJobName');
    case 'DescribeTransformJob':
      return jobOf('TransformJobName');
    case 'ListEndpoints':
      return {
        Endpoints: endpoints.map(({ endpoint: e }) =>
          revive({ EndpointName: e.EndpointName, EndpointArn: e.EndpointArn, EndpointStatus: e.EndpointStatus, CreationTime: e.CreationTime, LastModifiedTime: e.LastModifiedTime }),
        ),
      };
    case 'ListTrainingJobs':
      return { TrainingJobSummaries: jobs.filter((j) => j.TrainingJobStatus === 'InProgress').map(revive) };
    case 'ListProcessingJobs':
      return { ProcessingJobSummaries: jobs.filter((j) => j.ProcessingJobStatus === 'InProgress').map(revive) };
    case 'ListTransformJobs':
      return { TransformJobSummaries: jobs.filter((j) => j.TransformJobStatus === 'InProgress').map(revive) };
    case 'ListHyperParameterTuningJobs':
      return { HyperParameterTuningJobSummaries: [] };
    case 'ListLabelingJobs':
      return { LabelingJobSummaryList: [] };
    case 'ListPipelines':
      return { PipelineSummaries: [] };
    default:
      throw Object.assign(new Error(`a planned invoke cannot answer SageMaker ${action}; use --live to call the account`), { name: 'UnsupportedOperation' });
  }
}

function notFound(what: string): Error {
  return Object.assign(new Error(`Could not find ${what}.`), { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** The SDK hands back timestamps as Date objects; describe files hold them as ISO strings. */
function revive<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) => (typeof v === 'string' && /(Time|Timestamp)$/.test(key) && !Number.isNaN(Date.parse(v)) ? new Date(v) : v));
}

/** One line per call: `cloudwatch PutMetricAlarm sagewatch_doc-ocr-async_...`. */
export function describeCall(call: RecordedCall): string {
  const input = (call.input ?? {}) as Record<string, unknown>;
  const keys = [
    'AlarmName',
    'DashboardName',
    'Name',
    'filterName',
    'logGroupName',
    'EndpointName',
    'EndpointConfigName',
    'ModelName',
    'TrainingJobName',
    'ProcessingJobName',
    'Subject',
    'TopicArn',
    'SubscriptionArn',
  ];
  const subject = keys.map((k) => input[k]).find((v) => typeof v === 'string');
  const names = Array.isArray(input.AlarmNames) ? input.AlarmNames.join(', ') : Array.isArray(input.DashboardNames) ? input.DashboardNames.join(', ') : undefined;
  return `  ${call.service.padEnd(10)} ${call.action}${(subject ?? names) ? ` ${subject ?? names}` : ''}`;
}
