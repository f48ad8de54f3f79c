// Over 300 lines on purpose: one concept, EventBridge's pattern semantics; the compiler and the
// matcher of every operator share one value model and are checked against one body of tests.
/**
 * Amazon EventBridge event pattern matching, done locally.
 *
 * No maintained npm package implements EventBridge's pattern semantics, and sagewatch needs them
 * to decide, without a round trip to AWS, which events its own rules would route (local runs,
 * replays, tests). The semantics follow AWS's EventBridge user guide; where the guide is silent
 * they follow AWS's reference implementation (aws/event-ruler).
 *
 * Known deviations, each because the documented behaviour cannot be seen or is not settled:
 * - AWS compares exact numbers by their JSON text (300, 300.0 and 3.0e2 differ). After JSON.parse
 *   they are one value, so numbers compare by value here.
 * - AWS joins nested keys with "." so `{"a.b": [..]}` and `{"a": {"b": [..]}}` are the same
 *   pattern; its engine's README says not to rely on it, and here a dotted key is a plain key.
 * - No numeric range limit, wildcard complexity limit or rule size limit is enforced.
 */
import { isObject } from '../util/is-object';

/** A literal matched exactly against a leaf of the event. */
export type MatchScalar = string | number | boolean | null;

type OneOrMany = string | readonly string[];

/** `{ "equals-ignore-case": "..." }` as the operand of `prefix` or `suffix`. */
export interface IgnoreCaseOperand {
  readonly 'equals-ignore-case': string;
}

export type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

/** One comparison, or a range: a lower bound (`>`/`>=`) then an upper bound (`<`/`<=`). */
export type NumericCondition = readonly [NumericOperator, number] | readonly ['>' | '>=', number, '<' | '<=', number];

export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: OneOrMany }
  | { readonly suffix: OneOrMany }
  | { readonly 'equals-ignore-case': OneOrMany }
  | { readonly wildcard: OneOrMany };

export type MatchOperator =
  | { readonly prefix: string | IgnoreCaseOperand }
  | { readonly suffix: string | IgnoreCaseOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: NumericCondition }
  | { readonly exists: boolean }
  | { readonly cidr: string }
  | { readonly wildcard: string };

export type MatchValue = MatchScalar | MatchOperator;

/**
 * An EventBridge event pattern: every field maps to an array of match values (any may match) or
 * to a nested pattern; all fields must match. `$or` holds alternative sub-patterns.
 */
export interface EventPattern {
  readonly $or?: readonly EventPattern[];
  readonly [field: string]: readonly MatchValue[] | readonly EventPattern[] | EventPattern | undefined;
}

type JsonObject = { readonly [key: string]: unknown };
type Leaf = string | number | boolean | null;
type LeafTest = (leaf: Leaf) => boolean;

const OR = '$or';

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/**
 * Whether `event` matches `pattern`. Assumes `pattern` passed `validatePattern`; never throws,
 * whatever `event` is. Anything that is not a JSON object is not an EventBridge event and
 * matches nothing.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return matchObject(pattern, event);
}

/** `event` undefined stands for "nothing here": a missing field, a scalar, an empty array. */
function matchObject(pattern: JsonObject, event: JsonObject | undefined): boolean {
  for (const key of Object.keys(pattern)) {
    const rule = pattern[key];
    if (key === OR) {
      if (!isArray(rule) || !rule.some((alternative) => isObject(alternative) && matchObject(alternative, event))) {
        return false;
      }
      continue;
    }
    // Own properties only, so that a field named "constructor" is not found on every event.
    const value = event !== undefined && Object.hasOwn(event, key) ? event[key] : undefined;
    if (isArray(rule)) {
      if (!matchField(rule, value)) return false;
    } else if (isObject(rule)) {
      if (!matchNested(rule, value)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchNested(pattern: JsonObject, value: unknown): boolean {
  if (isObject(value)) return matchObject(pattern, value);
  if (isArray(value)) {
    const elements = flatten(value);
    // Each element is matched on its own, so that two fields of the pattern are never satisfied
    // by two different elements (event-ruler's "array-consistent" matching).
    if (elements.length > 0) {
      return elements.some((element) => matchObject(pattern, isObject(element) ? element : undefined));
    }
  }
  return matchObject(pattern, undefined);
}

function matchField(matchValues: readonly unknown[], value: unknown): boolean {
  const leaves = leavesOf(value);
  return matchValues.some((matchValue) => matchOne(matchValue, leaves));
}

function matchOne(matchValue: unknown, leaves: readonly Leaf[]): boolean {
  // Strict equality: "80" is not 80, "true" is not true, "" is not null, as AWS documents.
  if (isLeaf(matchValue)) return leaves.some((leaf) => leaf === matchValue);
  const operator = operatorOf(matchValue);
  if (operator === undefined) return false;
  const [name, operand] = operator;
  if (name === 'exists') {
    if (operand === true) return leaves.length > 0;
    if (operand === false) return leaves.length === 0;
    return false;
  }
  if (name === 'anything-but') {
    const excluded = anythingButTest(operand);
    // A missing field has no value to be "anything but" something: AWS requires every field of
    // a pattern to be present, and only `exists: false` is defined on absence.
    return excluded !== undefined && leaves.some((leaf) => !excluded(leaf));
  }
  const test = leafTest(name, operand);
  return test !== undefined && leaves.some(test);
}

/**
 * The values a field contributes to matching. Only scalars are leaves: an object (or an array of
 * objects) at the field means the field is an intermediate node, which AWS treats as absent.
 */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined) return [];
  return (isArray(value) ? flatten(value) : [value]).filter(isLeaf);
}

/** Nested arrays are crushed, as AWS does; iterative and cycle-safe so no event can throw. */
function flatten(root: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<readonly unknown[]>([root]);
  const stack: unknown[] = [];
  for (let i = root.length - 1; i >= 0; i--) stack.push(root[i]);
  while (stack.length > 0) {
    const item = stack.pop();
    if (isArray(item)) {
      if (seen.has(item)) continue;
      seen.add(item);
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else {
      out.push(item);
    }
  }
  return out;
}

function leafTest(name: string, operand: unknown): LeafTest | undefined {
  switch (name) {
    case 'prefix':
      return affixTest(operand, (value, affix) => value.startsWith(affix));
    case 'suffix':
      return affixTest(operand, (value, affix) => value.endsWith(affix));
    case 'equals-ignore-case':
      if (typeof operand !== 'string') return undefined;
      return (leaf) => typeof leaf === 'string' && foldCase(leaf) === foldCase(operand);
    case 'wildcard': {
      const wildcard = typeof operand === 'string' ? parseWildcard(operand) : undefined;
      if (wildcard === undefined || typeof wildcard === 'string') return undefined;
      return (leaf) => typeof leaf === 'string' && wildcardMatches(wildcard, leaf);
    }
    case 'numeric': {
      const test = numericTest(operand);
      if (test === undefined) return undefined;
      // Only JSON numbers: "5" in an event is a string and never satisfies a numeric filter.
      return (leaf) => typeof leaf === 'number' && test(leaf);
    }
    case 'cidr': {
      const range = typeof operand === 'string' ? parseCidr(operand) : undefined;
      if (range === undefined || typeof range === 'string') return undefined;
      return (leaf) => typeof leaf === 'string' && cidrContains(range, leaf);
    }
    default:
      return undefined;
  }
}

function affixTest(operand: unknown, test: (value: string, affix: string) => boolean): LeafTest | undefined {
  if (typeof operand === 'string') return (leaf) => typeof leaf === 'string' && test(leaf, operand);
  const inner = operatorOf(operand);
  if (inner === undefined || inner[0] !== 'equals-ignore-case' || typeof inner[1] !== 'string') return undefined;
  const folded = foldCase(inner[1]);
  return (leaf) => typeof leaf === 'string' && test(foldCase(leaf), folded);
}

/** The test a value must pass to be excluded by `anything-but`. */
function anythingButTest(operand: unknown): LeafTest | undefined {
  if (typeof operand === 'string' || typeof operand === 'number') return (leaf) => leaf === operand;
  if (isArray(operand)) return (leaf) => operand.some((excluded) => isLeaf(excluded) && excluded === leaf);
  const inner = operatorOf(operand);
  if (inner === undefined) return undefined;
  const [name, values] = inner;
  if (name !== 'prefix' && name !== 'suffix' && name !== 'equals-ignore-case' && name !== 'wildcard') return undefined;
  const list = typeof values === 'string' ? [values] : isArray(values) ? values : [];
  const tests: LeafTest[] = [];
  for (const value of list) {
    const test = leafTest(name, value);
    if (test === undefined) return undefined;
    tests.push(test);
  }
  // A number, boolean or null can never start with, end with or look like a string, so it is
  // "anything but" every string filter (event-ruler compares raw JSON text, with the same result).
  return tests.length === 0 ? undefined : (leaf) => tests.some((test) => test(leaf));
}

// AWS folds case per character; String#toLowerCase is the closest JS equivalent.
function foldCase(value: string): string {
  return value.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// numeric
// ---------------------------------------------------------------------------------------------

const COMPARATORS: Readonly<Record<NumericOperator, (value: number, bound: number) => boolean>> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};

function isNumericOperator(value: unknown): value is NumericOperator {
  return typeof value === 'string' && Object.hasOwn(COMPARATORS, value);
}

function numericTest(operand: unknown): ((value: number) => boolean) | undefined {
  if (!isArray(operand) || (operand.length !== 2 && operand.length !== 4)) return undefined;
  const checks: Array<(value: number) => boolean> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const operator = operand[i];
    const bound = operand[i + 1];
    if (!isNumericOperator(operator) || !isFiniteNumber(bound)) return undefined;
    const compare = COMPARATORS[operator];
    checks.push((value) => compare(value, bound));
  }
  return (value) => checks.every((check) => check(value));
}

// ---------------------------------------------------------------------------------------------
// wildcard
// ---------------------------------------------------------------------------------------------

/** The literal pieces between unescaped `*`: `a*b*c` is ["a", "b", "c"]. */
type Wildcard = readonly string[];

/** Parses a wildcard filter, or returns why it is invalid. */
function parseWildcard(pattern: string): Wildcard | string {
  const pieces: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        return `a backslash may only escape "*" or "\\" (position ${i + 1})`;
      }
      current += next;
      i++;
      previousWasStar = false;
    } else if (char === '*') {
      if (previousWasStar) return `consecutive wildcard characters are not allowed (position ${i + 1})`;
      pieces.push(current);
      current = '';
      previousWasStar = true;
    } else {
      current += char;
      previousWasStar = false;
    }
  }
  pieces.push(current);
  return pieces;
}

// Greedy leftmost search is exact for `*`-only globs and linear-ish: no regex, so no ReDoS.
function wildcardMatches(pieces: Wildcard, value: string): boolean {
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? '';
    const found = value.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// cidr
// ---------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

interface CidrRange {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly mask: bigint;
  readonly hostBitsSet: boolean;
}

function parseCidr(cidr: string): CidrRange | string {
  const parts = cidr.split('/');
  if (parts.length !== 2) return `malformed CIDR "${cidr}": exactly one "/" is required`;
  const [address = '', maskText = ''] = parts;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(maskText)) return `malformed CIDR "${cidr}": the prefix length must be an integer`;
  const ip = parseIp(address);
  if (ip === undefined) return `malformed CIDR "${cidr}": "${address}" is not an IPv4 or IPv6 address`;
  const length = Number(maskText);
  if (length > ip.bits) return `malformed CIDR "${cidr}": the prefix length must be at most ${ip.bits}`;
  const all = (1n << BigInt(ip.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(ip.bits - length)) - 1n);
  const network = ip.value & mask;
  return { bits: ip.bits, network, mask, hostBitsSet: network !== ip.value };
}

function cidrContains(range: CidrRange, text: string): boolean {
  const ip = parseIp(text);
  return ip !== undefined && ip.bits === range.bits && (ip.value & range.mask) === range.network;
}

function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { bits: 32, value };
}

function parseIPv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    // Leading zeros are rejected: some parsers read them as octal, so their meaning is unclear.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(octet)) return undefined;
    const number = Number(octet);
    if (number > 255) return undefined;
    value = (value << 8n) | BigInt(number);
  }
  return value;
}

function parseIPv6(input: string): bigint | undefined {
  let text = input;
  // An embedded IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const tail = parseIPv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return undefined;
  let groups: string[];
  if (gap >= 0) {
    const head = text.slice(0, gap);
    const tail = text.slice(gap + 2);
    const headGroups = head === '' ? [] : head.split(':');
    const tailGroups = tail === '' ? [] : tail.split(':');
    const missing = 8 - headGroups.length - tailGroups.length;
    if (missing < 1) return undefined;
    groups = [...headGroups, ...new Array<string>(missing).fill('0'), ...tailGroups];
  } else {
    groups = text.split(':');
    if (groups.length !== 8) return undefined;
  }
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard'];

/**
 * Operator names cannot be field names inside `$or`: AWS rejects them there, because
 * `"$or": [{ "prefix": ... }]` is almost always a misplaced operator rather than a field.
 */
const RESERVED_IN_OR = new Set([...OPERATORS, '=', '<', '<=', '>', '>=']);

/** sagewatch's own bound, far above any real pattern, so that hostile input cannot blow the stack. */
const MAX_DEPTH = 64;

/**
 * Problems that would make AWS reject `pattern` (or that make its meaning ambiguous), as
 * human-readable sentences prefixed with the path of the offending part. Empty means valid.
 * Never throws, whatever it is given.
 */
export function validatePattern(pattern: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(pattern)) {
    problems.push('the pattern must be a JSON object');
    return problems;
  }
  validateObject(pattern, '', { problems, ancestors: new Set(), insideOr: false, depth: 0 });
  return problems;
}

interface Walk {
  readonly problems: string[];
  readonly ancestors: Set<object>;
  readonly insideOr: boolean;
  readonly depth: number;
}

function validateObject(pattern: JsonObject, path: string, walk: Walk): void {
  const where = path === '' ? 'pattern' : path;
  if (walk.ancestors.has(pattern)) {
    walk.problems.push(`${where}: the pattern refers to itself`);
    return;
  }
  if (walk.depth >= MAX_DEPTH) {
    walk.problems.push(`${where}: the pattern is nested more than ${MAX_DEPTH} levels deep`);
    return;
  }
  const keys = Object.keys(pattern);
  if (keys.length === 0) {
    walk.problems.push(`${where}: empty objects are not allowed`);
    return;
  }
  walk.ancestors.add(pattern);
  const inner: Walk = { ...walk, depth: walk.depth + 1 };
  for (const key of keys) {
    const value = pattern[key];
    const fieldPath = path === '' ? key : `${path}.${key}`;
    if (key === OR) {
      validateOr(value, fieldPath, inner);
      continue;
    }
    if (walk.insideOr && RESERVED_IN_OR.has(key)) {
      walk.problems.push(`${fieldPath}: "${key}" is an operator and cannot be used as a field name inside $or`);
      continue;
    }
    if (isArray(value)) {
      validateMatchValues(value, fieldPath, walk.problems);
    } else if (isObject(value)) {
      validateObject(value, fieldPath, inner);
    } else {
      walk.problems.push(`${fieldPath}: must be an array of match values or a nested object, got ${describe(value)}`);
    }
  }
  walk.ancestors.delete(pattern);
}

function validateOr(value: unknown, path: string, walk: Walk): void {
  if (!isArray(value)) {
    walk.problems.push(`${path}: must be an array of at least 2 patterns, got ${describe(value)}`);
    return;
  }
  if (value.length < 2) {
    walk.problems.push(`${path}: must hold at least 2 patterns, got ${value.length}`);
  }
  value.forEach((alternative, index) => {
    const alternativePath = `${path}[${index}]`;
    if (isObject(alternative)) {
      validateObject(alternative, alternativePath, { ...walk, insideOr: true });
    } else {
      walk.problems.push(`${alternativePath}: each $or alternative must be an object, got ${describe(alternative)}`);
    }
  });
}

function validateMatchValues(values: readonly unknown[], path: string, problems: string[]): void {
  if (values.length === 0) {
    problems.push(`${path}: empty arrays are not allowed (an empty array would match nothing)`);
    return;
  }
  values.forEach((value, index) => {
    const problem = matchValueProblem(value);
    if (problem !== undefined) problems.push(`${path}[${index}]: ${problem}`);
  });
}

function matchValueProblem(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${value} is not a JSON number`;
  if (!isObject(value)) {
    return `a match value must be a string, number, true, false, null or an operator object, got ${describe(value)}`;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return `an operator object must have exactly one key, got ${keys.length === 0 ? 'none' : keys.map(quote).join(', ')}`;
  }
  const [name = ''] = keys;
  const operand = value[name];
  switch (name) {
    case 'prefix':
    case 'suffix':
      return affixProblem(name, operand);
    case 'equals-ignore-case':
      return typeof operand === 'string' ? undefined : `equals-ignore-case must be a string, got ${describe(operand)}`;
    case 'wildcard':
      return wildcardProblem(operand);
    case 'anything-but':
      return anythingButProblem(operand);
    case 'numeric':
      return numericProblem(operand);
    case 'exists':
      return typeof operand === 'boolean' ? undefined : `exists must be true or false, got ${describe(operand)}`;
    case 'cidr':
      return cidrProblem(operand);
    default:
      return `unknown operator ${quote(name)} (supported: ${OPERATORS.join(', ')})`;
  }
}

function affixProblem(name: string, operand: unknown): string | undefined {
  if (typeof operand === 'string') return undefined;
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      const inner = operand['equals-ignore-case'];
      return typeof inner === 'string' ? undefined : `${name}.equals-ignore-case must be a string, got ${describe(inner)}`;
    }
    return `${name} accepts a string or { "equals-ignore-case": string }, got an object with ${keys.map(quote).join(', ') || 'no keys'}`;
  }
  return `${name} must be a string or { "equals-ignore-case": string }, got ${describe(operand)}`;
}

function wildcardProblem(operand: unknown): string | undefined {
  if (typeof operand !== 'string') return `wildcard must be a string, got ${describe(operand)}`;
  const parsed = parseWildcard(operand);
  return typeof parsed === 'string' ? `wildcard ${JSON.stringify(operand)}: ${parsed}` : undefined;
}

function anythingButProblem(operand: unknown): string | undefined {
  if (typeof operand === 'string') return undefined;
  if (typeof operand === 'number') return Number.isFinite(operand) ? undefined : `${operand} is not a JSON number`;
  if (isArray(operand)) {
    if (operand.length === 0) return 'anything-but needs at least one value';
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every(isFiniteNumber);
    return allStrings || allNumbers ? undefined : 'anything-but lists must hold only strings or only numbers (no mix, no null or booleans)';
  }
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const [name = ''] = keys;
    if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(name)) {
      return `anything-but accepts one of prefix, suffix, equals-ignore-case or wildcard, got ${keys.map(quote).join(', ') || 'no keys'}`;
    }
    const inner = operand[name];
    const list = typeof inner === 'string' ? [inner] : isArray(inner) ? inner : undefined;
    if (list === undefined || list.length === 0 || !list.every((item) => typeof item === 'string')) {
      return `anything-but.${name} must be a string or a non-empty list of strings, got ${describe(inner)}`;
    }
    for (const item of list) {
      if (typeof item !== 'string') continue;
      if ((name === 'prefix' || name === 'suffix') && item === '') {
        return `anything-but.${name} must not be empty (it would exclude every string)`;
      }
      if (name === 'wildcard') {
        const problem = wildcardProblem(item);
        if (problem !== undefined) return `anything-but.${problem}`;
      }
    }
    return undefined;
  }
  return `anything-but must be a string, a number, a list of either, or an object, got ${describe(operand)}`;
}

function numericProblem(operand: unknown): string | undefined {
  if (!isArray(operand)) return `numeric must be an array like [">", 0, "<=", 5], got ${describe(operand)}`;
  if (operand.length !== 2 && operand.length !== 4) {
    return `numeric must hold one comparison or a two-sided range (2 or 4 elements), got ${operand.length}`;
  }
  for (let i = 0; i < operand.length; i += 2) {
    const operator = operand[i];
    const bound = operand[i + 1];
    if (!isNumericOperator(operator)) return `numeric: unknown operator ${describe(operator)} (use =, <, <=, >, >=)`;
    if (!isFiniteNumber(bound)) return `numeric: the value after "${operator}" must be a number, got ${describe(bound)}`;
  }
  if (operand.length === 4) {
    const [lowerOperator, lower, upperOperator, upper] = operand;
    if (lowerOperator !== '>' && lowerOperator !== '>=') return 'numeric: a range must start with ">" or ">="';
    if (upperOperator !== '<' && upperOperator !== '<=') return 'numeric: a range must end with "<" or "<="';
    if (isFiniteNumber(lower) && isFiniteNumber(upper) && !(lower < upper)) {
      return `numeric: the lower bound (${lower}) must be less than the upper bound (${upper})`;
    }
  }
  return undefined;
}

function cidrProblem(operand: unknown): string | undefined {
  if (typeof operand !== 'string') return `cidr must be a string, got ${describe(operand)}`;
  const parsed = parseCidr(operand);
  if (typeof parsed === 'string') return parsed;
  // AWS's reference engine (event-ruler) ranges from the written address, not the network, so
  // "10.0.0.9/24" would not mean what it says there; require the network address instead.
  return parsed.hostBitsSet ? `cidr "${operand}" has host bits set; write the network address` : undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function operatorOf(value: unknown): readonly [string, unknown] | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [name = ''] = keys;
  return [name, value[name]];
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return `a ${typeof value}`;
}
