import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSettings, type ConvergeSettings } from '../../lib/attach/settings';
import { EndpointBundleSchema, type EndpointBundle } from '../../lib/sagemaker/descriptions';

/** Shared by the control plane's tests: fixtures from events/sagemaker and a stack's settings. */
const ROOT = fileURLToPath(new URL('../../events/sagemaker/', import.meta.url));

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${ROOT}${name}`, 'utf8')) as Record<string, unknown>;
}

export function bundle(name: string): EndpointBundle {
  return EndpointBundleSchema.parse(fixture(`describe/${name}.json`));
}

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export const SETTINGS: ConvergeSettings = parseSettings({
  region: REGION,
  alertsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:sw-test-alerts`,
  logDestinationArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/sw-test-logs`,
  logRoleArn: `arn:aws:iam::${ACCOUNT}:role/sw-test-cwl-to-kinesis`,
  metricStreamFirehoseArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/sw-test-metrics`,
  metricStreamRoleArn: `arn:aws:iam::${ACCOUNT}:role/sw-test-metric-streams`,
  notificationsQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:sw-test-notifications`,
  metricsNamespace: 'sagewatch-test',
});

/** 2024-06-01T12:00:00Z: after every fixture's times. */
export const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

/**
 * The inference-components endpoint (DescribeEndpoint, DescribeEndpointConfig and
 * DescribeInferenceComponent outputs) hosting `count` components, `ic-001`, `ic-002`...
 */
export function endpointWithComponents(count: number, name = 'llm-shared'): EndpointBundle {
  const raw = fixture('describe/inference-components.json') as { endpoint: Record<string, unknown>; inferenceComponents: Array<Record<string, unknown>> };
  const template = raw.inferenceComponents[0]!;
  raw.endpoint.EndpointName = name;
  raw.endpoint.EndpointArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}`;
  raw.inferenceComponents = Array.from({ length: count }, (_, i) => {
    const component = `ic-${String(i + 1).padStart(3, '0')}`;
    return {
      ...template,
      InferenceComponentName: component,
      InferenceComponentArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:inference-component/${component}`,
      EndpointName: name,
      EndpointArn: raw.endpoint.EndpointArn,
    };
  });
  return EndpointBundleSchema.parse(raw);
}
