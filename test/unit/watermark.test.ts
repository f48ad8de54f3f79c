import { describe, expect, it } from 'vitest';
import { LAG_HOLD_MS, watermarkOf } from '../../lib/detect/watermark';

const MINUTE = 60_000;
const T = Date.UTC(2026, 11, 2, 10, 0, 0);
const TOLERANCE = 2 * MINUTE;

describe('notification watermark', () => {
  it('is now for an input never seen or keeping up', () => {
    expect(watermarkOf(undefined, T, TOLERANCE)).toBe(T);
    expect(watermarkOf({ input: 'notifications', at: T - 5 * MINUTE, lagMs: MINUTE }, T, TOLERANCE)).toBe(T);
  });

  it('stays as far behind as the last batch said while its backlog may still be delivering', () => {
    const lag = { input: 'notifications', at: T, lagMs: 20 * MINUTE };
    expect(watermarkOf(lag, T + MINUTE, TOLERANCE)).toBe(T - 20 * MINUTE);
    // A quiet endpoint's delayed notifications come one batch every ten minutes: between two
    // of them the input is still behind.
    expect(watermarkOf(lag, T + 9 * MINUTE, TOLERANCE)).toBe(T - 20 * MINUTE);
    expect(watermarkOf(lag, T + 20 * MINUTE + LAG_HOLD_MS, TOLERANCE)).toBe(T - 20 * MINUTE);
  });

  it('is now again once no batch came for longer than the lag and its hold: the queue drained', () => {
    const lag = { input: 'notifications', at: T, lagMs: 20 * MINUTE };
    const later = T + 20 * MINUTE + LAG_HOLD_MS + 1;
    expect(watermarkOf(lag, later, TOLERANCE)).toBe(later);
  });
});
