import { uuidFrom } from './builders';

/**
 * SageMaker describe outputs and EventBridge state-change events, in AWS's formats, for the
 * resources the simulator invents. The local control plane reads these instead of calling
 * SageMaker.
 */
export interface EndpointKindSpec {
  kind: 'async' | 'async-multi-model' | 'real-time' | 'serverless' | 'serverless-provisioned' | 'multi-model' | 'pipeline' | 'inference-components';
  name: string;
  region: string;
  account: string;
}

export interface JobSpec {
  type: 'training' | 'processing';
  name: string;
  status: 'Completed' | 'Failed' | 'Stopped';
  start: number;
  end: number;
  failureReason?: string;
  region: string;
  account: string;
}

const arn = (spec: { region: string; account: string }, resource: string) => `arn:aws:sagemaker:${spec.region}:${spec.account}:${resource}`;
const image = (spec: { region: string }, repo: string) => `763104351884.dkr.ecr.${spec.region}.amazonaws.com/${repo}`;

export function describeBundle(spec: EndpointKindSpec, created: number) {
  const createdIso = new Date(created).toISOString();
  const configName = `${spec.name}-config`;
  const role = `arn:aws:iam::${spec.account}:role/sagemaker-execution`;
  const isAsync = spec.kind === 'async' || spec.kind === 'async-multi-model';
  const serverless = spec.kind === 'serverless' || spec.kind === 'serverless-provisioned';
  const components = spec.kind === 'inference-components';
  const modelName = `${spec.name}-model`;

  const variant: Record<string, unknown> = { VariantName: 'AllTraffic', InitialVariantWeight: 1 };
  if (serverless) {
    variant.ServerlessConfig = { MemorySizeInMB: 4096, MaxConcurrency: 20, ...(spec.kind === 'serverless-provisioned' ? { ProvisionedConcurrency: 5 } : {}) };
    variant.ModelName = modelName;
  } else if (components) {
    Object.assign(variant, { InstanceType: 'ml.g5.12xlarge', InitialInstanceCount: 2, RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' } });
  } else {
    Object.assign(variant, { ModelName: modelName, InstanceType: isAsync ? 'ml.g5.xlarge' : 'ml.m5.xlarge', InitialInstanceCount: 2 });
  }

  const endpointConfig: Record<string, unknown> = {
    EndpointConfigName: configName,
    EndpointConfigArn: arn(spec, `endpoint-config/${configName}`),
    ProductionVariants: [variant],
    CreationTime: createdIso,
    ...(components ? { ExecutionRoleArn: role } : {}),
  };
  if (isAsync) {
    endpointConfig.AsyncInferenceConfig = {
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
      OutputConfig: {
        S3OutputPath: `s3://ml-async-${spec.account}/${spec.name}/output`,
        S3FailurePath: `s3://ml-async-${spec.account}/${spec.name}/failures`,
        NotificationConfig: {
          SuccessTopic: `arn:aws:sns:${spec.region}:${spec.account}:${spec.name}-success`,
          ErrorTopic: `arn:aws:sns:${spec.region}:${spec.account}:${spec.name}-error`,
        },
      },
    };
  }

  const endpoint = {
    EndpointName: spec.name,
    EndpointArn: arn(spec, `endpoint/${spec.name}`),
    EndpointConfigName: configName,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        CurrentWeight: 1,
        DesiredWeight: 1,
        ...(serverless ? { CurrentServerlessConfig: variant.ServerlessConfig, DesiredServerlessConfig: variant.ServerlessConfig } : { CurrentInstanceCount: 2, DesiredInstanceCount: 2 }),
      },
    ],
    EndpointStatus: 'InService',
    CreationTime: createdIso,
    LastModifiedTime: createdIso,
  };

  const models: Array<Record<string, unknown>> = [];
  if (spec.kind === 'pipeline') {
    models.push({
      ModelName: modelName,
      ModelArn: arn(spec, `model/${modelName}`),
      Containers: [
        { ContainerHostname: 'preprocess', Image: image(spec, 'sagemaker-scikit-learn:1.2-1-cpu-py3'), Mode: 'SingleModel' },
        { ContainerHostname: 'xgboost', Image: image(spec, 'sagemaker-xgboost:1.7-1'), Mode: 'SingleModel' },
        { ContainerHostname: 'postprocess', Image: image(spec, 'sagemaker-scikit-learn:1.2-1-cpu-py3'), Mode: 'SingleModel' },
      ],
      InferenceExecutionConfig: { Mode: 'Serial' },
      ExecutionRoleArn: role,
      CreationTime: createdIso,
    });
  } else if (components) {
    models.push({
      ModelName: `${spec.name}-llama`,
      ModelArn: arn(spec, `model/${spec.name}-llama`),
      PrimaryContainer: { Image: image(spec, 'djl-inference:0.29.0-lmi11.0.0-cu124'), Mode: 'SingleModel' },
      ExecutionRoleArn: role,
      CreationTime: createdIso,
    });
  } else {
    const multi = spec.kind === 'multi-model' || spec.kind === 'async-multi-model';
    models.push({
      ModelName: modelName,
      ModelArn: arn(spec, `model/${modelName}`),
      PrimaryContainer: {
        Image: image(spec, multi ? 'mxnet-inference:1.8.0-cpu-py37' : 'pytorch-inference:2.3.0-gpu-py311'),
        Mode: multi ? 'MultiModel' : 'SingleModel',
        ModelDataUrl: multi ? `s3://ml-models-${spec.account}/${spec.name}/` : `s3://ml-models-${spec.account}/${spec.name}/model.tar.gz`,
      },
      ExecutionRoleArn: role,
      CreationTime: createdIso,
    });
  }

  const inferenceComponents = components
    ? ['chat', 'embed'].map((part, i) => ({
        InferenceComponentName: `${spec.name}-${part}`,
        InferenceComponentArn: arn(spec, `inference-component/${spec.name}-${part}`),
        EndpointName: spec.name,
        EndpointArn: endpoint.EndpointArn,
        VariantName: 'AllTraffic',
        Specification: {
          ModelName: `${spec.name}-llama`,
          ComputeResourceRequirements: { NumberOfAcceleratorDevicesRequired: i === 0 ? 2 : 1, MinMemoryRequiredInMb: 8192 },
        },
        RuntimeConfig: { DesiredCopyCount: 1, CurrentCopyCount: 1 },
        InferenceComponentStatus: 'InService',
        CreationTime: createdIso,
        LastModifiedTime: createdIso,
      }))
    : [];

  return { endpoint, endpointConfig, models, inferenceComponents };
}

export function endpointEvent(spec: EndpointKindSpec, status: string, at: number): Record<string, unknown> {
  return {
    version: '0',
    id: uuidFrom(`endpoint-event|${spec.name}|${status}|${at}`),
    'detail-type': 'SageMaker Endpoint State Change',
    source: 'aws.sagemaker',
    account: spec.account,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: spec.region,
    resources: [arn(spec, `endpoint/${spec.name}`)],
    detail: {
      EndpointName: spec.name,
      EndpointArn: arn(spec, `endpoint/${spec.name}`),
      EndpointConfigName: `${spec.name}-config`,
      ProductionVariants: [{ VariantName: 'AllTraffic', DesiredWeight: 1.0, DesiredInstanceCount: 2.0 }],
      EndpointStatus: status,
      CreationTime: at - 600_000,
      LastModifiedTime: at,
      Tags: { team: 'ml-platform' },
    },
  };
}

const JOB_DETAIL_TYPE: Record<JobSpec['type'], string> = {
  training: 'SageMaker Training Job State Change',
  processing: 'SageMaker Processing Job State Change',
};

export function jobEvent(spec: JobSpec, status: string, at: number): Record<string, unknown> {
  const resource = spec.type === 'training' ? `training-job/${spec.name}` : `processing-job/${spec.name}`;
  const detail: Record<string, unknown> =
    spec.type === 'training'
      ? {
          TrainingJobName: spec.name,
          TrainingJobArn: arn(spec, resource),
          TrainingJobStatus: status,
          SecondaryStatus: status === 'InProgress' ? 'Training' : status,
          ...(status === 'Failed' && spec.failureReason ? { FailureReason: spec.failureReason } : {}),
          AlgorithmSpecification: { TrainingImage: image(spec, 'huggingface-pytorch-training:2.1.0'), TrainingInputMode: 'File' },
          RoleArn: `arn:aws:iam::${spec.account}:role/sagemaker-execution`,
          ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 },
          StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
          CreationTime: String(spec.start - 60_000),
          TrainingStartTime: String(spec.start),
          ...(status !== 'InProgress' ? { TrainingEndTime: String(spec.end) } : {}),
          LastModifiedTime: String(at),
          Tags: { team: 'ml-platform' },
        }
      : {
          ProcessingJobName: spec.name,
          ProcessingJobArn: arn(spec, resource),
          ProcessingJobStatus: status,
          ...(status === 'Failed' && spec.failureReason ? { FailureReason: spec.failureReason } : {}),
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
          AppSpecification: { ImageUri: image(spec, 'sagemaker-scikit-learn:1.2-1-cpu-py3') },
          RoleArn: `arn:aws:iam::${spec.account}:role/sagemaker-execution`,
          ProcessingStartTime: spec.start,
          ...(status !== 'InProgress' ? { ProcessingEndTime: spec.end } : {}),
          LastModifiedTime: at,
          CreationTime: spec.start - 60_000,
        };
  return {
    version: '0',
    id: uuidFrom(`job-event|${spec.name}|${status}`),
    'detail-type': JOB_DETAIL_TYPE[spec.type],
    source: 'aws.sagemaker',
    account: spec.account,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: spec.region,
    resources: [arn(spec, resource)],
    detail,
  };
}

/** The Describe*Job output of a finished job. */
export function jobDescribe(spec: JobSpec): Record<string, unknown> {
  const event = jobEvent(spec, spec.status, spec.end).detail as Record<string, unknown>;
  const iso = (value: unknown) => new Date(Number(value)).toISOString();
  if (spec.type === 'training') {
    return {
      ...event,
      CreationTime: iso(event.CreationTime),
      TrainingStartTime: iso(event.TrainingStartTime),
      TrainingEndTime: iso(event.TrainingEndTime),
      LastModifiedTime: iso(event.LastModifiedTime),
      Tags: undefined,
    };
  }
  return {
    ...event,
    ProcessingStartTime: iso(event.ProcessingStartTime),
    ProcessingEndTime: iso(event.ProcessingEndTime),
    LastModifiedTime: iso(event.LastModifiedTime),
    CreationTime: iso(event.CreationTime),
  };
}
