import type { TableNames } from '../lib/store/schema';
import { ownedPrefix } from '../lib/names/owned';
import { FUNCTION_SPECS } from './functions';

/**
 * Physical names of the stack's resources. Everything sagewatch creates starts with
 * `<service>-<stage>-`, which is what the IAM scoping and the README's removal steps rely on.
 */
export interface StackNames {
  service: string;
  stage: string;
  /** `sagewatch-<stage>`: the stack's own resources are `<prefix>-*`. */
  prefix: string;
  /** `sagewatch-<stage>_`: what the control plane attaches to users' resources starts with it. */
  ownedPrefix: string;
  tables: TableNames;
  /**
   * sagewatch's own health alarms and dashboard. Kept apart from the `<prefix>-*` names the
   * control plane attaches to users' resources, so that its orphan sweep can be denied them.
   */
  healthPrefix: string;
}

/** Lambda function names (`<service>-<stage>-<key>`) and EventBridge rule names stop at 64 characters. */
const NAME_LIMIT = 64;

export class StageError extends Error {
  override name = 'StageError';
}

/**
 * A stage is letters, digits and `-` only: `_` ends the stage in every name the control plane
 * owns (lib/names/owned.ts), so no stage can be a prefix of another's owned names. Its length
 * is bounded by the longest function name it produces, checked here at package time rather
 * than by a failed deploy.
 */
export function validateStage(service: string, stage: string): void {
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new StageError(`stage "${stage}" may contain only letters, digits and "-"`);
  const longest = Object.keys(FUNCTION_SPECS).reduce((a, b) => (b.length > a.length ? b : a));
  const max = NAME_LIMIT - `${service}--${longest}`.length;
  if (stage.length > max) throw new StageError(`stage "${stage}" is ${stage.length} characters; at most ${max} keep function names such as ${service}-${stage}-${longest} within ${NAME_LIMIT}`);
}

export function stackNames(service: string, stage: string): StackNames {
  validateStage(service, stage);
  const prefix = `${service}-${stage}`;
  return {
    service,
    stage,
    prefix,
    ownedPrefix: ownedPrefix(prefix),
    tables: {
      requests: `${prefix}-requests`,
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
