// zod/mini: full zod adds ~440 KB to every control-plane bundle for the same checks.
import * as z from 'zod/mini';
import { TagsSchema } from './resource';

/**
 * The parts of SageMaker's Describe outputs that classification reads. The schemas are loose
 * (unknown fields pass through) and accept times as Dates (SDK), ISO strings (Step Functions'
 * JSON) or epoch numbers (hand-written files), so the same bundle works from the SDK, from a
 * state machine payload and from `sagewatch plan --describe FILE`.
 */
const Time = z.union([z.date(), z.string(), z.number()]);
const optionalNumber = () => z.optional(z.number());
const optionalString = () => z.optional(z.string());
const name = () => z.string().check(z.minLength(1));

const ServerlessConfig = z.looseObject({
  MemorySizeInMB: optionalNumber(),
  MaxConcurrency: optionalNumber(),
  ProvisionedConcurrency: optionalNumber(),
});

const AsyncInferenceConfig = z.looseObject({
  ClientConfig: z.optional(z.looseObject({ MaxConcurrentInvocationsPerInstance: optionalNumber() })),
  OutputConfig: z.optional(
    z.looseObject({
      S3OutputPath: optionalString(),
      S3FailurePath: optionalString(),
      NotificationConfig: z.optional(
        z.looseObject({
          SuccessTopic: optionalString(),
          ErrorTopic: optionalString(),
          IncludeInferenceResponseIn: z.optional(z.array(z.string())),
        }),
      ),
    }),
  ),
});
export type AsyncInferenceConfig = z.infer<typeof AsyncInferenceConfig>;

export const EndpointDescriptionSchema = z.looseObject({
  EndpointName: name(),
  EndpointArn: optionalString(),
  EndpointConfigName: optionalString(),
  EndpointStatus: optionalString(),
  FailureReason: optionalString(),
  ProductionVariants: z.optional(
    z.array(
      z.looseObject({
        VariantName: name(),
        CurrentInstanceCount: optionalNumber(),
        DesiredInstanceCount: optionalNumber(),
        CurrentServerlessConfig: z.optional(ServerlessConfig),
        DesiredServerlessConfig: z.optional(ServerlessConfig),
      }),
    ),
  ),
  AsyncInferenceConfig: z.optional(AsyncInferenceConfig),
  CreationTime: z.optional(Time),
  LastModifiedTime: z.optional(Time),
});
export type EndpointDescription = z.infer<typeof EndpointDescriptionSchema>;

export const EndpointConfigDescriptionSchema = z.looseObject({
  EndpointConfigName: name(),
  EndpointConfigArn: optionalString(),
  ProductionVariants: z._default(
    z.array(
      z.looseObject({
        VariantName: name(),
        ModelName: optionalString(),
        InstanceType: optionalString(),
        InitialInstanceCount: optionalNumber(),
        ServerlessConfig: z.optional(ServerlessConfig),
      }),
    ),
    [],
  ),
  AsyncInferenceConfig: z.optional(AsyncInferenceConfig),
});
export type EndpointConfigDescription = z.infer<typeof EndpointConfigDescriptionSchema>;

const ContainerDescription = z.looseObject({
  ContainerHostname: optionalString(),
  Image: optionalString(),
  Mode: optionalString(),
  ModelDataUrl: optionalString(),
});

export const ModelDescriptionSchema = z.looseObject({
  ModelName: name(),
  ModelArn: optionalString(),
  PrimaryContainer: z.optional(ContainerDescription),
  Containers: z.optional(z.array(ContainerDescription)),
  InferenceExecutionConfig: z.optional(z.looseObject({ Mode: optionalString() })),
});
export type ModelDescription = z.infer<typeof ModelDescriptionSchema>;

export const InferenceComponentDescriptionSchema = z.looseObject({
  InferenceComponentName: name(),
  InferenceComponentArn: optionalString(),
  EndpointName: optionalString(),
  VariantName: optionalString(),
  InferenceComponentStatus: optionalString(),
  Specification: z.optional(
    z.looseObject({
      ModelName: optionalString(),
      BaseInferenceComponentName: optionalString(),
      ComputeResourceRequirements: z.optional(
        z.looseObject({
          NumberOfAcceleratorDevicesRequired: optionalNumber(),
          NumberOfCpuCoresRequired: optionalNumber(),
          MinMemoryRequiredInMb: optionalNumber(),
        }),
      ),
    }),
  ),
  RuntimeConfig: z.optional(z.looseObject({ DesiredCopyCount: optionalNumber(), CurrentCopyCount: optionalNumber() })),
});
export type InferenceComponentDescription = z.infer<typeof InferenceComponentDescriptionSchema>;

/** `sagewatch plan --describe FILE` for an endpoint, and the describe step's output. */
export const EndpointBundleSchema = z.object({
  endpoint: EndpointDescriptionSchema,
  endpointConfig: EndpointConfigDescriptionSchema,
  models: z._default(z.array(ModelDescriptionSchema), []),
  inferenceComponents: z._default(z.array(InferenceComponentDescriptionSchema), []),
  /** ListTags of the endpoint; when absent the event's tags are used. */
  tags: z.optional(TagsSchema),
});
export type EndpointBundle = z.infer<typeof EndpointBundleSchema>;

/** A Describe*Job (or DescribePipelineExecution) output, kept whole: fields differ per kind. */
export const JobBundleSchema = z.object({
  job: z.record(z.string(), z.unknown()),
  tags: z.optional(TagsSchema),
});
export type JobBundle = z.infer<typeof JobBundleSchema>;
