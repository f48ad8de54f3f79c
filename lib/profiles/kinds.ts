// The kinds are the profiles' vocabulary: SageMaker classification (lib/sagemaker/classify.ts)
// decides which apply to a resource, the profiles say what each needs, so both import them from here.
/**
 * The endpoint kinds, in the order a variant's kinds are listed (classification, plans,
 * dashboards): one list, which the profiles (endpoints.ts) give a profile each.
 * A variant can be several kinds at once (async + multi-model, real-time + inference pipeline).
 */
export const ENDPOINT_KINDS = ['real-time', 'serverless', 'serverless-provisioned-concurrency', 'async', 'multi-model', 'inference-pipeline', 'inference-components'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const JOB_KINDS = ['training-job', 'processing-job', 'transform-job', 'hyper-parameter-tuning-job', 'pipeline-execution', 'labeling-job'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const RESOURCE_KINDS = ['endpoint', ...JOB_KINDS] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
