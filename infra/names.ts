import type { TableNames } from '../lib/store/schema';

/**
 * Physical names of the stack's resources. Everything sagewatch creates starts with
 * `<service>-<stage>-`, which is what the IAM scoping and the README's removal steps rely on.
 */
export interface StackNames {
  service: string;
  stage: string;
  /** `sagewatch-<stage>` */
  prefix: string;
  tables: TableNames;
  /**
   * sagewatch's own health alarms and dashboard. Kept apart from the `<prefix>-*` names the
   * control plane attaches to users' resources, so that its orphan sweep can be denied them.
   */
  healthPrefix: string;
}

export function stackNames(service: string, stage: string): StackNames {
  const prefix = `${service}-${stage}`;
  return {
    service,
    stage,
    prefix,
    tables: {
      requests: `${prefix}-requests`,
      requestsByEndpointIndex: 'byEndpoint',
      inventory: `${prefix}-inventory`,
      state: `${prefix}-state`,
    },
    healthPrefix: `${prefix}-health`,
  };
}

/** The logical id osls gives a function's `AWS::Lambda::Function` (its key, capitalised). */
export function lambdaLogicalId(functionKey: string): string {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized[0]!.toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** The physical name osls gives a function: `<service>-<stage>-<key>`. */
export function lambdaFunctionName(names: StackNames, functionKey: string): string {
  return `${names.prefix}-${functionKey}`;
}

export const MANAGED_TAGS = [{ Key: 'sagewatch:managed', Value: 'true' }];
