/**
 * Where a log event came from. Only the platform data log of an endpoint carries async
 * request lines: `/aws/sagemaker/Endpoints/<EndpointName>`, stream `<variant>/<instance-id>/data-log`.
 */
export interface DataLogSource {
  endpointName: string;
  variantName: string;
  instanceId: string;
}

const ENDPOINT_GROUP_PREFIX = '/aws/sagemaker/Endpoints/';
const DATA_LOG_SUFFIX = '/data-log';

/** Returns the endpoint name of an endpoint log group, or undefined for any other group. */
export function endpointNameFromLogGroup(logGroup: string): string | undefined {
  if (!logGroup.startsWith(ENDPOINT_GROUP_PREFIX)) return undefined;
  const name = logGroup.slice(ENDPOINT_GROUP_PREFIX.length);
  return name.length > 0 && !name.includes('/') ? name : undefined;
}

export function logGroupForEndpoint(endpointName: string): string {
  return ENDPOINT_GROUP_PREFIX + endpointName;
}

/**
 * An inference component's containers log to a group of their own, not to their endpoint's.
 * Its lines are no data-log lines (those stay in the endpoint's group): dataLogSource ignores it.
 */
const COMPONENT_GROUP_PREFIX = '/aws/sagemaker/InferenceComponents/';

export function logGroupForInferenceComponent(componentName: string): string {
  return COMPONENT_GROUP_PREFIX + componentName;
}

/** Identifies a data-log stream; container streams (`<variant>/<instance-id>`) and others give undefined. */
export function dataLogSource(logGroup: string, logStream: string): DataLogSource | undefined {
  const endpointName = endpointNameFromLogGroup(logGroup);
  if (endpointName === undefined || !logStream.endsWith(DATA_LOG_SUFFIX)) return undefined;
  const parts = logStream.slice(0, -DATA_LOG_SUFFIX.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { endpointName, variantName: parts[0], instanceId: parts[1] };
}
