import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioFileError } from '../../local/scenario-file';
import { Traffic } from '../../local/traffic';
import { cli } from '../support/cli';

const EXAMPLE = {
  durationMinutes: 240,
  seed: 1,
  endpoints: [
    {
      name: 'invoice-ocr-async',
      kind: 'async',
      requestsPerMinute: 0.2,
      failureRate: 0.01,
      dailyCycle: 0.5,
      latencyMs: [
        { weight: 0.7, p50: 900 },
        { weight: 0.3, p50: 7000 },
      ],
    },
  ],
  conditions: [
    { id: 'F1', type: 'error-burst', endpoint: 'invoice-ocr-async', fromMinute: 60, toMinute: 120, failureRate: 0.9, expect: 'alert', withinMinutes: 30 },
    { id: 'C1', type: 'notification-delay', fromMinute: 150, toMinute: 170, delayMinutes: 15, expect: 'none' },
  ],
};

const problem = (document: unknown) => {
  try {
    parseScenario(document);
    return 'accepted';
  } catch (error) {
    if (error instanceof ScenarioFileError) return error.message;
    throw error;
  }
};
const edit = (change: (doc: typeof EXAMPLE & Record<string, unknown>) => void) => {
  const doc = structuredClone(EXAMPLE) as typeof EXAMPLE & Record<string, unknown>;
  change(doc);
  return problem(doc);
};

describe('scenario file format', () => {
  it("accepts the issue's example and fills the defaults", () => {
    const file = parseScenario(EXAMPLE);
    expect(file.endpoints[0]!.latencyMs).toEqual([
      { weight: 0.7, p50: 900, spread: 0.15 },
      { weight: 0.3, p50: 7000, spread: 0.15 },
    ]);
    expect(file.conditions.map((c) => [c.id, c.type, c.expect])).toEqual([
      ['F1', 'error-burst', 'alert'],
      ['C1', 'notification-delay', 'none'],
    ]);
  });

  it('names the field of every mistake, in one line', () => {
    expect(edit((d) => (d.endpoints[0]!.requestsPerMinute = -1))).toMatch(/^endpoints\[0\]\.requestsPerMinute: /);
    expect(edit((d) => (d.endpoints[0]!.kind = 'real-time'))).toMatch(/^endpoints\[0\]\.kind: /);
    expect(edit((d) => ((d.endpoints[0] as Record<string, unknown>).latency = []))).toBe('endpoints[0].latency: unknown field');
    expect(edit((d) => delete (d as Record<string, unknown>).durationMinutes)).toBe('durationMinutes: required');
    expect(edit((d) => ((d.conditions[0] as Record<string, unknown>).type = 'meteor'))).toMatch(/^conditions\[0\]\.type: /);
    expect(edit((d) => delete (d.conditions[0] as Record<string, unknown>).withinMinutes)).toBe('conditions[0].withinMinutes: required when expect is "alert"');
    expect(edit((d) => delete (d.conditions[0] as Record<string, unknown>).failureRate)).toBe('conditions[0].failureRate: required for error-burst');
    expect(edit((d) => ((d.conditions[0] as Record<string, unknown>).factor = 2))).toBe('conditions[0].factor: not a field of error-burst (it takes failureRate)');
    expect(edit((d) => (d.conditions[0]!.endpoint = 'nope'))).toBe('conditions[0].endpoint: "nope" is not one of the endpoints');
    expect(edit((d) => (d.conditions[1]!.toMinute = 100))).toBe('conditions[1].toMinute: must be after fromMinute (150)');
    expect(edit((d) => (d.conditions[1]!.id = 'F1'))).toBe('conditions[1].id: "F1" is used twice');
    expect(edit((d) => d.endpoints.push(structuredClone(d.endpoints[0]!)))).toBe('endpoints[1].name: "invoice-ocr-async" is declared twice');
    expect(problem([])).toMatch(/^\(top level\): /);
  });

  it('plays the same traffic for the same seed, Poisson around the rate, with the conditions applied', () => {
    const file = parseScenario({ ...EXAMPLE, endpoints: [{ ...EXAMPLE.endpoints[0]!, requestsPerMinute: 5, dailyCycle: 0 }] });
    const play = () => {
      const traffic = new Traffic({ seed: 3, start: 0, durationMinutes: 240, endpoints: file.endpoints, conditions: file.conditions });
      return Array.from({ length: 240 }, (_, m) => traffic.arrivals(m)).flat();
    };
    const a = play();
    expect(a).toEqual(play());
    expect(a.length).toBeGreaterThan(1100);
    expect(a.length).toBeLessThan(1300);
    const during = a.filter((r) => r.receivedAt >= 60 * 60_000 && r.receivedAt < 120 * 60_000);
    expect(during.filter((r) => r.status === 'Failed').length / during.length).toBeGreaterThan(0.8);
    // The burst changed the requests it made fail, and only those.
    expect(during.every((r) => r.conditions.includes('F1') === (r.status === 'Failed'))).toBe(true);
    const late = a.filter((r) => r.completedAt >= 150 * 60_000 && r.completedAt < 170 * 60_000);
    expect(late.every((r) => r.notificationDeliverAt === r.completedAt + 15 * 60_000)).toBe(true);
  });
});

describe('sagewatch demo --scenario', () => {
  it('refuses a malformed file with one line naming the field, exit 2, before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sagewatch-scenario-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...EXAMPLE, conditions: [{ ...EXAMPLE.conditions[0], fromMinute: 'sixty' }] }));
    const result = await cli(['demo', '--scenario', file], { ...process.env, SAGEWATCH_HOME: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/conditions\[0\]\.fromMinute/);
    writeFileSync(file, '{ "durationMinutes": ');
    const broken = await cli(['demo', '--scenario', file], { ...process.env, SAGEWATCH_HOME: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not valid JSON/);
    const both = await cli(['demo', '--scenario', file, '--requests', '10'], { ...process.env, SAGEWATCH_HOME: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--requests cannot be combined with --scenario/);
  });
});
