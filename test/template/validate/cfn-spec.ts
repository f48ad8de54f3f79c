import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { CfnTemplate } from '../../support/template';
import { getAttParts, INTRINSIC_FUNCTIONS, intrinsicName, isPlainObject, PSEUDO_PARAMETERS, subVariables, walk } from './intrinsics';

/**
 * Checks a template against the CloudFormation resource specification
 * (`@aws-cdk/aws-service-spec`, the registry schemas CDK generates its L1s from): resource
 * types, property names and value shapes (recursively into property types), required
 * properties, allowed values; and the template's own references: `Ref`, `Fn::GetAtt`, `Fn::Sub`
 * variables, `DependsOn`, conditions. Returns readable problems; empty means valid.
 */
export type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
export interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}
interface SpecProperty {
  required?: boolean;
  type: SpecType;
  previousTypes?: SpecType[];
  deprecated?: string;
}
type SpecType =
  | { type: 'string'; allowedValues?: string[] }
  | { type: 'number' }
  | { type: 'integer'; allowedValues?: number[] }
  | { type: 'boolean' }
  | { type: 'json' }
  | { type: 'date-time' }
  | { type: 'null' }
  | { type: 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array'; element: SpecType }
  | { type: 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };

let database: Promise<SpecDatabase> | undefined;
export const specDatabase = (): Promise<SpecDatabase> => (database ??= loadAwsServiceSpec());

const TEMPLATE_SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs', 'Rules']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata', 'CreationPolicy', 'UpdatePolicy']);
const DELETION_POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);

export function findResourceType(db: SpecDatabase, type: string): SpecResource | undefined {
  const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? (found[0] as unknown as SpecResource) : undefined;
}

export function checkTemplate(template: CfnTemplate, db: SpecDatabase): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const parameters = isPlainObject(template.Parameters) ? template.Parameters : {};
  const conditions = isPlainObject(template.Conditions) ? template.Conditions : {};
  const mappings = isPlainObject(template.Mappings) ? template.Mappings : {};

  for (const section of Object.keys(template)) {
    if (!TEMPLATE_SECTIONS.has(section)) problems.push(`${section}: not a template section`);
  }
  if (Object.keys(resources).length === 0) problems.push('Resources: a template needs at least one resource');

  const typeOf = (id: string): SpecResource | undefined => {
    const resource = resources[id];
    return resource ? findResourceType(db, resource.Type) : undefined;
  };
  const isCustom = (id: string) => {
    const type = resources[id]?.Type ?? '';
    return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
  };

  const checkRef = (target: unknown, where: string) => {
    if (typeof target !== 'string') return problems.push(`${where}: Ref takes a logical id, got ${JSON.stringify(target)}`);
    if (!(target in resources) && !(target in parameters) && !PSEUDO_PARAMETERS.has(target)) {
      problems.push(`${where}: Ref ${target} names no resource, parameter or pseudo parameter`);
    }
    return undefined;
  };
  const checkGetAtt = (id: string, attribute: unknown, where: string) => {
    if (!(id in resources)) return problems.push(`${where}: Fn::GetAtt ${id} names no resource`);
    if (typeof attribute !== 'string' || isCustom(id)) return undefined;
    const spec = typeOf(id);
    if (spec && !(attribute in spec.attributes)) {
      problems.push(`${where}: Fn::GetAtt ${id}.${attribute}: ${resources[id]!.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ') || 'none'})`);
    }
    return undefined;
  };

  // Intrinsic functions and references, anywhere they may appear.
  const checkIntrinsics = (root: unknown, rootPath: string) => {
    for (const { value, path } of walk(root, rootPath)) {
      const name = intrinsicName(value);
      if (!name) {
        if (isPlainObject(value)) {
          for (const key of Object.keys(value)) {
            if (key.startsWith('Fn::') && !INTRINSIC_FUNCTIONS.has(key)) problems.push(`${path}: unknown intrinsic function ${key}`);
          }
        }
        continue;
      }
      if (!INTRINSIC_FUNCTIONS.has(name)) {
        problems.push(`${path}: unknown intrinsic function ${name}`);
        continue;
      }
      const arg = (value as Record<string, unknown>)[name];
      if (name === 'Ref') checkRef(arg, path);
      else if (name === 'Fn::GetAtt') {
        const parts = getAttParts(arg);
        if (!parts) problems.push(`${path}: Fn::GetAtt takes [logicalId, attribute] or "logicalId.attribute"`);
        else checkGetAtt(parts.id, parts.attribute, path);
      } else if (name === 'Fn::Sub') {
        const [text, variables] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, undefined];
        if (typeof text !== 'string' || !isPlainObject(variables)) {
          problems.push(`${path}: Fn::Sub takes a string or [string, { variables }]`);
          continue;
        }
        for (const variable of subVariables(text)) {
          if (variable in variables) continue;
          const dot = variable.indexOf('.');
          if (dot < 0) checkRef(variable, `${path} \${${variable}}`);
          else checkGetAtt(variable.slice(0, dot), variable.slice(dot + 1), `${path} \${${variable}}`);
        }
      } else if (name === 'Fn::If' || name === 'Condition') {
        const condition = name === 'Condition' ? arg : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof condition !== 'string' || !(condition in conditions)) problems.push(`${path}: ${name} names no condition: ${JSON.stringify(condition)}`);
      } else if (name === 'Fn::FindInMap') {
        const mapName = Array.isArray(arg) ? arg[0] : undefined;
        if (typeof mapName === 'string' && !(mapName in mappings)) problems.push(`${path}: Fn::FindInMap names no mapping ${mapName}`);
      } else if (name === 'Fn::Join') {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') problems.push(`${path}: Fn::Join takes [delimiter, [values]]`);
      }
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    const where = `Resources.${id}`;
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) problems.push(`${where}: logical ids are alphanumeric, at most 255 characters`);
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) problems.push(`${where}.${key}: not a resource attribute`);
    }
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const value = resource[policy];
      if (value !== undefined && (typeof value !== 'string' || !DELETION_POLICIES.has(value))) problems.push(`${where}.${policy}: ${JSON.stringify(value)} is not a policy`);
    }
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const target of dependsOn) {
      if (typeof target !== 'string' || !(target in resources)) problems.push(`${where}.DependsOn: ${JSON.stringify(target)} names no resource`);
    }
    if (resource.Condition !== undefined && (typeof resource.Condition !== 'string' || !(resource.Condition in conditions))) {
      problems.push(`${where}.Condition: ${JSON.stringify(resource.Condition)} names no condition`);
    }
    checkIntrinsics(resource.Properties ?? {}, `${where}.Properties`);

    if (typeof resource.Type !== 'string') {
      problems.push(`${where}.Type: missing`);
      continue;
    }
    if (isCustom(id)) {
      if (resource.Properties?.ServiceToken === undefined) problems.push(`${where}: a custom resource needs a ServiceToken`);
      continue;
    }
    const spec = findResourceType(db, resource.Type);
    if (!spec) {
      problems.push(`${where}.Type: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    checkObject(db, resource.Properties ?? {}, spec.properties, `${where}.Properties`, problems);
  }

  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (!isPlainObject(output) || !('Value' in output)) problems.push(`Outputs.${id}: needs a Value`);
    checkIntrinsics(output, `Outputs.${id}`);
  }
  checkIntrinsics(conditions, 'Conditions');
  return problems;
}

/** An object against a set of property definitions: unknown names, required ones, each value. */
function checkObject(db: SpecDatabase, value: unknown, properties: Record<string, SpecProperty>, path: string, problems: string[]): void {
  if (intrinsicName(value)) return;
  if (!isPlainObject(value)) {
    problems.push(`${path}: expected an object, got ${describe(value)}`);
    return;
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && value[name] === undefined) problems.push(`${path}.${name}: required property missing`);
  }
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${path}.${name}: no such property (known: ${Object.keys(properties).sort().join(', ')})`);
      continue;
    }
    const types = [property.type, ...(property.previousTypes ?? [])];
    const attempts = types.map((type) => {
      const found: string[] = [];
      checkValue(db, item, type, `${path}.${name}`, found);
      return found;
    });
    if (!attempts.some((found) => found.length === 0)) problems.push(...attempts[0]!);
  }
}

function checkValue(db: SpecDatabase, value: unknown, type: SpecType, path: string, problems: string[]): void {
  // The value is computed at deploy time; its reference was checked separately.
  if (intrinsicName(value)) return;
  switch (type.type) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${path}: expected a string, got ${describe(value)}`);
      else if (type.allowedValues && type.allowedValues.length > 0 && !type.allowedValues.includes(String(value))) {
        problems.push(`${path}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
      }
      return;
    case 'number':
      if (!isNumeric(value)) problems.push(`${path}: expected a number, got ${describe(value)}`);
      return;
    case 'integer':
      if (!isNumeric(value) || !Number.isInteger(Number(value))) problems.push(`${path}: expected an integer, got ${describe(value)}`);
      else if (type.allowedValues && type.allowedValues.length > 0 && !type.allowedValues.includes(Number(value))) {
        problems.push(`${path}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problems.push(`${path}: expected a boolean, got ${describe(value)}`);
      return;
    case 'json':
      if (!isPlainObject(value) && typeof value !== 'string' && !Array.isArray(value)) problems.push(`${path}: expected JSON, got ${describe(value)}`);
      return;
    case 'date-time':
      if (typeof value !== 'string') problems.push(`${path}: expected a timestamp, got ${describe(value)}`);
      return;
    case 'null':
      if (value !== null) problems.push(`${path}: expected null, got ${describe(value)}`);
      return;
    case 'tag':
      checkObject(db, value, { Key: { required: true, type: { type: 'string' } }, Value: { required: true, type: { type: 'string' } } }, path, problems);
      return;
    case 'ref': {
      const definition = db.get('typeDefinition', type.reference.$ref) as unknown as { properties: Record<string, SpecProperty> };
      checkObject(db, value, definition.properties, path, problems);
      return;
    }
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path}: expected a list, got ${describe(value)}`);
      else for (const [i, item] of value.entries()) checkValue(db, item, type.element, `${path}[${i}]`, problems);
      return;
    case 'map':
      if (!isPlainObject(value)) problems.push(`${path}: expected a map, got ${describe(value)}`);
      else for (const [key, item] of Object.entries(value)) checkValue(db, item, type.element, `${path}.${key}`, problems);
      return;
    case 'union': {
      const attempts = type.types.map((member) => {
        const found: string[] = [];
        checkValue(db, value, member, path, found);
        return found;
      });
      if (!attempts.some((found) => found.length === 0)) problems.push(...attempts.reduce((best, found) => (found.length < best.length ? found : best)));
      return;
    }
  }
}

const isNumeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
