import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * The traffic-scenario format of `sagewatch demo --scenario FILE` (README "Traffic scenarios").
 * Strict on purpose: a misspelt field would otherwise play a different scenario than the one
 * its author meant, so unknown fields are errors, and every error names the field it is about.
 */

export const ENDPOINT_KINDS = ['async', 'async-multi-model'] as const;
export const CONDITION_TYPES = ['error-burst', 'latency-shift', 'lost-notifications', 'expired-requests', 'notification-delay', 'log-delay'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Longest timeline a scenario may describe: two weeks of simulated minutes. */
const MAX_DURATION_MINUTES = 20_160;
/** SageMaker's endpoint-name rule (CreateEndpoint EndpointName). */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const share = z.number().min(0).max(1);
const positive = z.number().positive();

const Peak = z.strictObject({
  weight: positive,
  p50: positive,
  spread: z.number().min(0).max(5).optional(),
});

const Endpoint = z.strictObject({
  name: z.string().regex(ENDPOINT_NAME, 'must be a SageMaker endpoint name: 1-63 letters, digits and hyphens, not starting with a hyphen'),
  kind: z.enum(ENDPOINT_KINDS),
  requestsPerMinute: positive.max(100_000),
  failureRate: share.optional(),
  dailyCycle: share.optional(),
  latencyMs: z.array(Peak).min(1).max(10),
});

const Condition = z.strictObject({
  id: z.string().min(1).max(64),
  type: z.enum(CONDITION_TYPES),
  endpoint: z.string().min(1).optional(),
  fromMinute: z.number().min(0),
  toMinute: positive,
  expect: z.enum(['alert', 'none']),
  withinMinutes: positive.optional(),
  failureRate: share.optional(),
  factor: positive.max(1000).optional(),
  fraction: share.optional(),
  delayMinutes: positive.max(MAX_DURATION_MINUTES).optional(),
});

const File = z.strictObject({
  durationMinutes: z.number().int().positive().max(MAX_DURATION_MINUTES),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  endpoints: z.array(Endpoint).min(1).max(200),
  conditions: z.array(Condition).max(500).optional(),
});

export interface LatencyPeak {
  weight: number;
  p50: number;
  spread: number;
}

export interface ScenarioEndpoint {
  name: string;
  kind: (typeof ENDPOINT_KINDS)[number];
  requestsPerMinute: number;
  failureRate: number;
  dailyCycle: number;
  latencyMs: LatencyPeak[];
}

interface ConditionBase {
  id: string;
  /** Undefined for a delay that applies to every endpoint. */
  endpoint?: string;
  fromMinute: number;
  toMinute: number;
  expect: 'alert' | 'none';
  /** Set when `expect` is `alert`. */
  withinMinutes?: number;
}

export type ScenarioCondition = ConditionBase &
  (
    | { type: 'error-burst'; failureRate: number }
    | { type: 'latency-shift'; factor: number }
    | { type: 'lost-notifications'; fraction: number }
    | { type: 'expired-requests'; fraction: number }
    | { type: 'notification-delay'; delayMinutes: number }
    | { type: 'log-delay'; delayMinutes: number }
  );

export interface ScenarioFile {
  durationMinutes: number;
  seed: number;
  endpoints: ScenarioEndpoint[];
  conditions: ScenarioCondition[];
}

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
}

/** The field each condition type requires, beside the common ones. */
const TYPE_FIELD = {
  'error-burst': 'failureRate',
  'latency-shift': 'factor',
  'lost-notifications': 'fraction',
  'expired-requests': 'fraction',
  'notification-delay': 'delayMinutes',
  'log-delay': 'delayMinutes',
} as const satisfies Record<ConditionType, string>;

const NEEDS_ENDPOINT = new Set<ConditionType>(['error-burst', 'latency-shift', 'lost-notifications', 'expired-requests']);

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => fieldPath([...issue.path, k]));
    return `${keys.join(', ')}: unknown field${keys.length > 1 ? 's' : ''}`;
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return `${fieldPath(issue.path)}: required`;
  return `${fieldPath(issue.path)}: ${issue.message}`;
}

/** Validates a parsed JSON document; throws ScenarioFileError naming the first bad field. */
export function parseScenario(document: unknown): ScenarioFile {
  const parsed = File.safeParse(document);
  if (!parsed.success) throw new ScenarioFileError(describeIssue(parsed.error.issues[0]!));
  const file = parsed.data;
  const names = new Set<string>();
  file.endpoints.forEach((endpoint, i) => {
    if (names.has(endpoint.name)) throw new ScenarioFileError(`endpoints[${i}].name: "${endpoint.name}" is declared twice`);
    names.add(endpoint.name);
  });
  const ids = new Set<string>();
  const conditions = (file.conditions ?? []).map((c, i): ScenarioCondition => {
    const at = (field: string) => `conditions[${i}].${field}`;
    if (ids.has(c.id)) throw new ScenarioFileError(`${at('id')}: "${c.id}" is used twice`);
    ids.add(c.id);
    if (c.toMinute <= c.fromMinute) throw new ScenarioFileError(`${at('toMinute')}: must be after fromMinute (${c.fromMinute})`);
    if (c.fromMinute >= file.durationMinutes) throw new ScenarioFileError(`${at('fromMinute')}: must be before durationMinutes (${file.durationMinutes})`);
    if (c.endpoint !== undefined && !names.has(c.endpoint)) throw new ScenarioFileError(`${at('endpoint')}: "${c.endpoint}" is not one of the endpoints`);
    if (c.endpoint === undefined && NEEDS_ENDPOINT.has(c.type)) throw new ScenarioFileError(`${at('endpoint')}: required for ${c.type}`);
    if (c.expect === 'alert' && c.withinMinutes === undefined) throw new ScenarioFileError(`${at('withinMinutes')}: required when expect is "alert"`);
    const field = TYPE_FIELD[c.type];
    for (const other of new Set(Object.values(TYPE_FIELD))) {
      if (other !== field && c[other] !== undefined) throw new ScenarioFileError(`${at(other)}: not a field of ${c.type} (it takes ${field})`);
    }
    const value = c[field];
    if (value === undefined) throw new ScenarioFileError(`${at(field)}: required for ${c.type}`);
    const base: ConditionBase = {
      id: c.id,
      ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
      fromMinute: c.fromMinute,
      toMinute: Math.min(c.toMinute, file.durationMinutes),
      expect: c.expect,
      ...(c.withinMinutes !== undefined ? { withinMinutes: c.withinMinutes } : {}),
    };
    return { ...base, type: c.type, [field]: value } as ScenarioCondition;
  });
  return {
    durationMinutes: file.durationMinutes,
    seed: file.seed ?? 1,
    endpoints: file.endpoints.map((e) => ({
      name: e.name,
      kind: e.kind,
      requestsPerMinute: e.requestsPerMinute,
      failureRate: e.failureRate ?? 0,
      dailyCycle: e.dailyCycle ?? 0,
      latencyMs: e.latencyMs.map((p) => ({ weight: p.weight, p50: p.p50, spread: p.spread ?? 0.15 })),
    })),
    conditions,
  };
}

/** Reads and validates a scenario file; every problem is one ScenarioFileError line. */
export async function readScenarioFile(path: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : (error as Error).message);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFileError(`not valid JSON: ${(error as Error).message}`);
  }
  return parseScenario(document);
}
