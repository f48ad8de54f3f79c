import { z } from 'zod';
import { TagsSchema } from './resource';

/**
 * The parts of SageMaker's Describe outputs that classification reads. The schemas are loose
 * (unknown fields pass through) and accept times as Dates (SDK), ISO strings (Step Functions'
 * JSON) or epoch numbers (hand-written files), so the same bundle works from the SDK, from a
 * state machine payload and from `sagewatch plan --describe FILE`.
 */
const Time = z.union([z.date(), z.string(), z.number()]);

const ServerlessConfig = z.looseObject({
  MemorySizeInMB: z.number().optional(),
  MaxConcurrency: z.number().optional(),
  ProvisionedConcurrency: z.number().optional(),
});

const AsyncInferenceConfig = z.looseObject({
  ClientConfig: z.looseObject({ MaxConcurrentInvocationsPerInstance: z.number().optional() }).optional(),
  OutputConfig: z
    .looseObject({
      S3OutputPath: z.string().optional(),
      S3FailurePath: z.string().optional(),
      NotificationConfig: z
        .looseObject({
          SuccessTopic: z.string().optional(),
          ErrorTopic: z.string().optional(),
          IncludeInferenceResponseIn: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type AsyncInferenceConfig = z.infer<typeof AsyncInferenceConfig>;

export const EndpointDescriptionSchema = z.looseObject({
  EndpointName: z.string().min(1),
  EndpointArn: z.string().optional(),
  EndpointConfigName: z.string().optional(),
  EndpointStatus: z.string().optional(),
  FailureReason: z.string().optional(),
  ProductionVariants: z
    .array(
      z.looseObject({
        VariantName: z.string().min(1),
        CurrentInstanceCount: z.number().optional(),
        DesiredInstanceCount: z.number().optional(),
        CurrentServerlessConfig: ServerlessConfig.optional(),
        DesiredServerlessConfig: ServerlessConfig.optional(),
      }),
    )
    .optional(),
  AsyncInferenceConfig: AsyncInferenceConfig.optional(),
  CreationTime: Time.optional(),
  LastModifiedTime: Time.optional(),
});
export type EndpointDescription = z.infer<typeof EndpointDescriptionSchema>;

export const EndpointConfigDescriptionSchema = z.looseObject({
  EndpointConfigName: z.string().min(1),
  EndpointConfigArn: z.string().optional(),
  ProductionVariants: z
    .array(
      z.looseObject({
        VariantName: z.string().min(1),
        ModelName: z.string().optional(),
        InstanceType: z.string().optional(),
        InitialInstanceCount: z.number().optional(),
        ServerlessConfig: ServerlessConfig.optional(),
      }),
    )
    .default([]),
  AsyncInferenceConfig: AsyncInferenceConfig.optional(),
});
export type EndpointConfigDescription = z.infer<typeof EndpointConfigDescriptionSchema>;

const ContainerDescription = z.looseObject({
  ContainerHostname: z.string().optional(),
  Image: z.string().optional(),
  Mode: z.string().optional(),
  ModelDataUrl: z.string().optional(),
});

export const ModelDescriptionSchema = z.looseObject({
  ModelName: z.string().min(1),
  ModelArn: z.string().optional(),
  PrimaryContainer: ContainerDescription.optional(),
  Containers: z.array(ContainerDescription).optional(),
  InferenceExecutionConfig: z.looseObject({ Mode: z.string().optional() }).optional(),
});
export type ModelDescription = z.infer<typeof ModelDescriptionSchema>;

export const InferenceComponentDescriptionSchema = z.looseObject({
  InferenceComponentName: z.string().min(1),
  InferenceComponentArn: z.string().optional(),
  EndpointName: z.string().optional(),
  VariantName: z.string().optional(),
  InferenceComponentStatus: z.string().optional(),
  Specification: z
    .looseObject({
      ModelName: z.string().optional(),
      BaseInferenceComponentName: z.string().optional(),
      ComputeResourceRequirements: z
        .looseObject({
          NumberOfAcceleratorDevicesRequired: z.number().optional(),
          NumberOfCpuCoresRequired: z.number().optional(),
          MinMemoryRequiredInMb: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  RuntimeConfig: z.looseObject({ DesiredCopyCount: z.number().optional(), CurrentCopyCount: z.number().optional() }).optional(),
});
export type InferenceComponentDescription = z.infer<typeof InferenceComponentDescriptionSchema>;

/** `sagewatch plan --describe FILE` for an endpoint, and the describe step's output. */
export const EndpointBundleSchema = z.object({
  endpoint: EndpointDescriptionSchema,
  endpointConfig: EndpointConfigDescriptionSchema,
  models: z.array(ModelDescriptionSchema).default([]),
  inferenceComponents: z.array(InferenceComponentDescriptionSchema).default([]),
  /** ListTags of the endpoint; when absent the event's tags are used. */
  tags: TagsSchema.optional(),
});
export type EndpointBundle = z.infer<typeof EndpointBundleSchema>;

/** A Describe*Job (or DescribePipelineExecution) output, kept whole: fields differ per kind. */
export const JobBundleSchema = z.object({
  job: z.record(z.string(), z.unknown()),
  tags: TagsSchema.optional(),
});
export type JobBundle = z.infer<typeof JobBundleSchema>;
