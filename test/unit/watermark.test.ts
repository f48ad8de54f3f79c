import { describe, expect, it } from 'vitest';
import { LAG_HOLD_MS, LagRecorder, notificationWatermark, watermarkOf } from '../../lib/detect/watermark';
import { laggingWithSilence } from '../../lib/alerts/pipeline-alerts';
import { judgeCutoff, stuckCutoff } from '../../lib/detect/sweeper';
import type { InputLag } from '../../lib/store/windows';

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

describe('notification watermark from the newest event delivered', () => {
  it('calls nothing stuck past the newest notification event when a delay starts with no batch flowing', () => {
    // The last batch was on time (lag 5 s) at T - 10 min; since then nothing came: the lag says
    // idle, the newest event says the path delivered nothing after T - 10 min.
    const lag = { input: 'notifications', at: T - 10 * MINUTE, lagMs: 5_000, newestEventAt: T - 10 * MINUTE - 5_000 };
    const watermark = notificationWatermark(lag, T, TOLERANCE);
    expect(watermark).toBe(T);
    expect(stuckCutoff(T, watermark, 15)).toBe(T - 15 * MINUTE);
    expect(judgeCutoff(T, watermark, lag.newestEventAt, 15)).toBe(T - 25 * MINUTE - 5_000);
    expect(judgeCutoff(T, watermark, undefined, 15)).toBe(T - 15 * MINUTE);
  });

  it('records the newest event time with the lag', async () => {
    const written: InputLag[] = [];
    const recorder = new LagRecorder('notifications', async (lag) => void written.push(lag));
    await recorder.record(recorder.observe(1_000, T, T - 1_000), T);
    await recorder.record(recorder.observe(1_000, T + 1_000, T - 5 * MINUTE), T + 1_000);
    expect(written).toEqual([{ input: 'notifications', at: T, lagMs: 1_000, newestEventAt: T - 1_000 }]);
    await recorder.record(recorder.observe(1_000, T + 2_000, T + MINUTE), T + 2_000);
    expect(written.at(-1)?.newestEventAt).toBe(T + MINUTE);
  });

  it('holds a lag of L for the watermark L longer than for the alert: older messages may still be out while fresh ones flow', async () => {
    const written: InputLag[] = [];
    const recorder = new LagRecorder('notifications', async (lag) => void written.push(lag));
    recorder.observe(20 * MINUTE, T);
    const later = T + LAG_HOLD_MS + 5 * MINUTE;
    expect(recorder.observe(5_000, later, later - 5_000)).toBe(5_000);
    await recorder.record(5_000, later);
    expect(written.at(-1)).toEqual({ input: 'notifications', at: later, lagMs: 5_000, newestEventAt: later - 5_000, backlogMs: 20 * MINUTE });
    expect(notificationWatermark(written.at(-1), later, TOLERANCE)).toBe(later - 20 * MINUTE);
    const drained = T + LAG_HOLD_MS + 21 * MINUTE;
    recorder.observe(5_000, drained, drained - 5_000);
    await recorder.record(5_000, drained);
    expect(written.at(-1)?.backlogMs).toBeUndefined();
    expect(notificationWatermark(written.at(-1), drained, TOLERANCE)).toBe(drained);
  });
});

describe('notification path silent while the data log shows completions', () => {
  const lag = { input: 'notifications', at: T - 30 * MINUTE, lagMs: 1_000, newestEventAt: T - 30 * MINUTE };
  it('is the input as far behind as its newest event when completions wait, else its queue lag', () => {
    expect(laggingWithSilence(lag, T, true, T)).toEqual({ input: 'notifications', at: T, lagMs: 30 * MINUTE });
    expect(laggingWithSilence(lag, T, false, T)).toBe(lag);
    expect(laggingWithSilence(undefined, T, true, T)).toBeUndefined();
  });
});
