import { describe, expect, it } from 'vitest';
import { PRICES, costUsd, type Price } from '../../lib/pricing';

const entries: Array<[string, Price]> = Object.entries(PRICES).flatMap(([service, prices]) =>
  Object.entries(prices as Record<string, Price>).map(([name, price]): [string, Price] => [`${service}.${name}`, price]),
);

describe('price table', () => {
  it.each(entries)('%s says what it costs, per what, where it was read and when', (_name, price) => {
    expect(Number.isFinite(price.usd) && price.usd >= 0).toBe(true);
    expect(price.per).toBeGreaterThan(0);
    expect(price.unit.trim()).not.toBe('');
    expect(price.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    expect(new URL(price.source).protocol).toBe('https:');
    expect(new URL(price.source).hostname).toMatch(/(^|\.)aws\.amazon\.com$/);
    expect(price.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const checked = Date.parse(`${price.checked}T00:00:00Z`);
    expect(new Date(checked).toISOString().slice(0, 10)).toBe(price.checked);
    expect(checked).toBeLessThanOrEqual(Date.now());
  });

  it('prices a quantity in the unit the entry is quoted per', () => {
    expect(costUsd(PRICES.dynamodb.writeRequestUnits, 1_000_000)).toBeCloseTo(0.625, 10);
    expect(costUsd(PRICES.dynamodb.readRequestUnits, 2_000_000)).toBeCloseTo(0.25, 10);
    // 1,000 invocations of 100 ms at 1024 MB on arm64.
    expect(costUsd(PRICES.lambda.arm64Duration, 1_000 * 0.1 * 1)).toBeCloseTo(0.00133334, 10);
  });
});
