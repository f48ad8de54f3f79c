/**
 * Reading CloudFormation intrinsic functions in a packaged template, shared by the validators.
 */

export const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

export const INTRINSIC_FUNCTIONS = new Set([
  'Ref',
  'Condition',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Length',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::ToJsonString',
  'Fn::Transform',
  'Fn::If',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
]);

export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ "Ref": ... }`, `{ "Fn::X": ... }`: the function name, else undefined. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/** The `${...}` variables of an `Fn::Sub` string, `${!Literal}` escapes excluded. */
export function subVariables(text: string): string[] {
  const variables: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1]!;
    if (!name.startsWith('!')) variables.push(name.trim());
  }
  return variables;
}

/** `Fn::GetAtt` in either form: `[id, attr]` or `"id.attr"`. */
export function getAttParts(value: unknown): { id: string; attribute: unknown } | undefined {
  if (typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot < 0 ? undefined : { id: value.slice(0, dot), attribute: value.slice(dot + 1) };
  }
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') return { id: value[0], attribute: value[1] };
  return undefined;
}

/**
 * Renders a value that ends up a string (an ARN, a definition) as text, keeping unresolved
 * parts as `${...}` placeholders: `Ref X` → `${X}`, `GetAtt X.Y` → `${X.Y}`, `Fn::Sub` with a
 * variable map → its variables rendered in place, `Fn::Join` joined. Undefined when the value
 * cannot be a string (a list-producing function, a condition).
 */
export function renderString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const name = intrinsicName(value);
  if (!name) return undefined;
  const arg = (value as Record<string, unknown>)[name];
  switch (name) {
    case 'Ref':
      return typeof arg === 'string' ? `\${${arg}}` : undefined;
    case 'Fn::GetAtt': {
      const parts = getAttParts(arg);
      return parts && typeof parts.attribute === 'string' ? `\${${parts.id}.${parts.attribute}}` : undefined;
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return arg;
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
      const variables = isPlainObject(arg[1]) ? arg[1] : {};
      return arg[0].replace(/\$\{([^}!][^}]*)\}/g, (whole, variable: string) => {
        if (!(variable in variables)) return whole;
        return renderString(variables[variable]) ?? whole;
      });
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
      const parts = arg[1].map(renderString);
      return parts.every((part) => part !== undefined) ? parts.join(arg[0]) : undefined;
    }
    default:
      return undefined;
  }
}

/** Every node of a JSON value with its path, depth first. */
export function* walk(value: unknown, path: string): Generator<{ value: unknown; path: string }> {
  yield { value, path };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, `${path}[${i}]`);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}.${key}`);
  }
}
