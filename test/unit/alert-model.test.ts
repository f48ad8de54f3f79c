import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_LIMITS, AlertSchema, createAlert, cut, fingerprintOf, InvalidAlertError, resolveAlert, resourceArn, type AlertInput } from '../../lib/alert-model/alert';

const base: AlertInput = {
  kind: 'latency-shift',
  severity: 'warning',
  title: 'Latency of churn-model is 4x its baseline',
  description: 'p90 end-to-end latency 8.2 s against a 2.0 s baseline over the last hour.',
  resource: { type: 'endpoint', name: 'churn-model', variant: 'blue', region: 'us-west-2', account: '444455556666' },
  detectedAt: '2024-02-10T08:00:00Z',
};

describe('createAlert', () => {
  it('fills defaults, normalizes times and computes identity', () => {
    const alert = createAlert(base);
    expect(alert).toEqual({
      schemaVersion: 1,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      fingerprint: expect.stringMatching(/^latency-shift:[0-9a-f]{32}$/),
      kind: 'latency-shift',
      severity: 'warning',
      status: 'firing',
      title: base.title,
      description: base.description,
      resource: base.resource,
      evidence: { numbers: [], facts: [], inferenceIds: [], links: [], commands: [] },
      detectedAt: '2024-02-10T08:00:00.000Z',
    });
    expect(AlertSchema.parse(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  });

  it('accepts times as Date and epoch milliseconds', () => {
    const at = Date.UTC(2024, 1, 10, 8);
    expect(createAlert({ ...base, detectedAt: at, windowStart: new Date(at - 3_600_000) })).toMatchObject({
      detectedAt: '2024-02-10T08:00:00.000Z',
      windowStart: '2024-02-10T07:00:00.000Z',
    });
  });

  it('keeps the fingerprint when only time, numbers, severity or wording change', () => {
    const first = createAlert(base);
    const later = createAlert({
      ...base,
      severity: 'critical',
      title: 'Latency of churn-model is 9x its baseline',
      description: 'worse',
      detectedAt: '2024-02-10T09:30:00Z',
      evidence: { numbers: [{ name: 'p90', value: 18.4, unit: 's' }] },
    });
    expect(later.fingerprint).toBe(first.fingerprint);
    expect(later.id).not.toBe(first.id);
  });

  it('gives other kinds, keys and resources other fingerprints', () => {
    const fp = createAlert(base).fingerprint;
    const others = [
      createAlert({ ...base, kind: 'failure-burst' }),
      createAlert({ ...base, key: 'p99' }),
      createAlert({ ...base, resource: { ...base.resource, variant: 'green' } }),
      createAlert({ ...base, resource: { ...base.resource, name: 'churn-model-2' } }),
      createAlert({ ...base, resource: { ...base.resource, region: 'eu-west-1' } }),
      createAlert({ ...base, resource: { ...base.resource, account: '777788889999' } }),
      createAlert({ ...base, resource: { ...base.resource, type: 'inference-component' } }),
    ].map((a) => a.fingerprint);
    expect(new Set([fp, ...others]).size).toBe(others.length + 1);
  });

  it('does not let separators in names collide', () => {
    const a = fingerprintOf('job-failed', { type: 'training-job', name: 'a', variant: 'b-c' });
    const b = fingerprintOf('job-failed', { type: 'training-job', name: 'a-b', variant: 'c' });
    expect(a).not.toBe(b);
  });

  it('rejects invalid input with every problem named', () => {
    const bad = { ...base, title: '  ', kind: 'meltdown', resource: { type: 'endpoint', name: '' }, detectedAt: 'yesterday' };
    let error: unknown;
    try {
      createAlert(bad as unknown as AlertInput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidAlertError);
    const message = (error as Error).message;
    for (const path of ['kind:', 'title:', 'resource.name:', 'detectedAt:']) expect(message).toContain(path);
  });

  it('rejects links that are not http(s)', () => {
    expect(() => createAlert({ ...base, evidence: { links: [{ label: 'x', url: 'javascript:alert(1)' }] } })).toThrow(/evidence\.links/);
  });

  it('drops non-finite numbers instead of failing the alert', () => {
    const alert = createAlert({
      ...base,
      evidence: {
        numbers: [
          { name: 'rate', value: Number.NaN },
          { name: 'count', value: 3 },
          { name: 'inf', value: Infinity },
        ],
      },
    });
    expect(alert.evidence.numbers).toEqual([{ name: 'count', value: 3 }]);
  });

  it('caps every list and text', () => {
    const alert = createAlert({
      ...base,
      title: 't'.repeat(500),
      description: 'd'.repeat(10_000),
      evidence: {
        numbers: Array.from({ length: 50 }, (_, i) => ({ name: `n${i}`, value: i })),
        facts: Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(5000) })),
        inferenceIds: Array.from({ length: 50 }, (_, i) => `id-${i}`),
        links: [{ label: 'long', url: `https://example.com/${'a'.repeat(4000)}` }, ...Array.from({ length: 20 }, (_, i) => ({ label: `l${i}`, url: `https://example.com/${i}` }))],
        commands: Array.from({ length: 20 }, (_, i) => `sagewatch query --endpoint e${i}`),
      },
    });
    expect(alert.title).toHaveLength(ALERT_LIMITS.title);
    expect(alert.title.endsWith('…')).toBe(true);
    expect(alert.description).toHaveLength(ALERT_LIMITS.description);
    expect(alert.evidence.numbers).toHaveLength(ALERT_LIMITS.numbers);
    expect(alert.evidence.facts).toHaveLength(ALERT_LIMITS.facts);
    expect(alert.evidence.facts[0]!.value).toHaveLength(ALERT_LIMITS.factValue);
    expect(alert.evidence.inferenceIds).toHaveLength(ALERT_LIMITS.inferenceIds);
    // The over-long URL is dropped, not cut into a broken link.
    expect(alert.evidence.links).toHaveLength(ALERT_LIMITS.links);
    expect(alert.evidence.links[0]!.label).toBe('l0');
    expect(alert.evidence.commands).toHaveLength(ALERT_LIMITS.commands);
  });
});

describe('resolveAlert', () => {
  it('keeps identity, severity and resource; changes status, time and id', () => {
    const firing = createAlert({ ...base, evidence: { numbers: [{ name: 'p90', value: 8.2, unit: 's' }] } });
    const resolved = resolveAlert(firing, { at: '2024-02-10T10:00:00Z' });
    expect(resolved).toEqual({
      ...firing,
      status: 'resolved',
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      detectedAt: '2024-02-10T10:00:00.000Z',
      description: 'The condition has cleared.',
    });
    expect(resolved.id).not.toBe(firing.id);
  });
});

describe('cut', () => {
  it('never exceeds the limit and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (value, max) => {
        const out = cut(value, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(hasLoneSurrogate(out)).toBe(false);
        if (value.length <= max) expect(out).toBe(value);
        else expect(out.endsWith('…')).toBe(true);
      }),
    );
  });

  it('cuts before an emoji rather than through it', () => {
    expect(cut('ab😀cd', 4)).toBe('ab…');
  });
});

describe('resourceArn', () => {
  it('builds SageMaker ARNs (lower-cased names) in the right partition', () => {
    expect(resourceArn({ type: 'endpoint', name: 'Churn-Model', region: 'us-west-2', account: '444455556666' })).toBe('arn:aws:sagemaker:us-west-2:444455556666:endpoint/churn-model');
    expect(resourceArn({ type: 'training-job', name: 'train-1', region: 'cn-north-1', account: '444455556666' })).toBe('arn:aws-cn:sagemaker:cn-north-1:444455556666:training-job/train-1');
    expect(resourceArn({ type: 'endpoint', name: 'x' })).toBeUndefined();
  });
});

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
