import type { NotificationHalf } from '../requests/halves';
import { addInto, latencyBucket, type Histogram } from './histogram';

/**
 * The detectors' evidence: per endpoint, counts of finished async requests in five-minute slots
 * of event time (the notification's `eventTime`, when the request finished), so a late
 * notification lands in the slot it belongs to and is judged with its peers, late, instead of
 * never. Slots only ever grow (DynamoDB ADD), so parallel writers and redelivered batches that
 * reach the detectors once each compose without reads.
 */
export const SLOT_MS = 5 * 60_000;

export interface Slot {
  /** Epoch ms at the start of the slot. */
  start: number;
  finished: number;
  failed: number;
  byCategory: Record<string, number>;
  /** End-to-end latency of the completed requests, in log buckets. */
  latency: Histogram;
}

export const slotOf = (ms: number): number => Math.floor(ms / SLOT_MS) * SLOT_MS;

export function emptySlot(start: number): Slot {
  return { start, finished: 0, failed: 0, byCategory: {}, latency: new Map() };
}

export function addSlot(target: Slot, delta: Slot): void {
  target.finished += delta.finished;
  target.failed += delta.failed;
  for (const [category, count] of Object.entries(delta.byCategory)) target.byCategory[category] = (target.byCategory[category] ?? 0) + count;
  addInto(target.latency, delta.latency);
}

/** The sum of slots, as one slot-shaped total (its `start` is the earliest one's). */
export function totalOf(slots: Iterable<Slot>): Slot {
  const total = emptySlot(Number.POSITIVE_INFINITY);
  for (const slot of slots) {
    addSlot(total, slot);
    total.start = Math.min(total.start, slot.start);
  }
  return total;
}

/**
 * This batch's finished requests as slot deltas per endpoint (each notification once: the
 * caller passes only the ones whose conditional write applied). A notification without a
 * readable event time counts at `now`.
 */
export function slotDeltas(applied: readonly NotificationHalf[], now: number): Map<string, Map<number, Slot>> {
  const out = new Map<string, Map<number, Slot>>();
  for (const half of applied) {
    const at = half.completedAt ? Date.parse(half.completedAt) : Number.NaN;
    const start = slotOf(Number.isFinite(at) ? at : now);
    let slots = out.get(half.endpointName);
    if (!slots) out.set(half.endpointName, (slots = new Map()));
    let slot = slots.get(start);
    if (!slot) slots.set(start, (slot = emptySlot(start)));
    slot.finished++;
    if (half.status === 'Failed') {
      slot.failed++;
      const category = half.failureCategory ?? 'Other';
      slot.byCategory[category] = (slot.byCategory[category] ?? 0) + 1;
    } else if (half.endToEndLatencyMs !== undefined) {
      const bucket = latencyBucket(half.endToEndLatencyMs);
      slot.latency.set(bucket, (slot.latency.get(bucket) ?? 0) + 1);
    }
  }
  return out;
}

/** A time span of event time, [from, to). */
export interface Span {
  from: number;
  to: number;
}

/**
 * The windows the detectors test, ending at the watermark's slot: from one slot (a burst on a
 * busy endpoint) to 32 (2 h 40 min: a handful of requests of a quiet one). Testing several
 * lengths finds the burst whatever the traffic rate, with no fixed count to reach.
 */
export const WINDOW_SLOTS = [1, 2, 4, 8, 16, 32] as const;

/** The longest window: 2 h 40 min. */
export const MAX_WINDOW_SLOTS = 32;
