import type { Slot } from './slots';

/**
 * What the failure detector reads: the requests that reached the model. An expired request
 * waited out its TTL in the queue and never ran, so it says nothing about how often the model
 * fails, and the expiry detector already pages on it (more sensitively: a one-point floor
 * where failures need five). Counting it again as a failure paged the on-call twice for one
 * cause, a full queue; with expiries taken out, a queue that backs up is one expired-requests
 * incident and a model that breaks at the same time is its own failure burst.
 */
const EXPIRED = 'Expired';

export function withoutExpiries(slots: readonly Slot[]): Slot[] {
  return slots.map((slot) => {
    const expired = slot.byCategory[EXPIRED] ?? 0;
    if (expired === 0) return slot;
    const { [EXPIRED]: _, ...byCategory } = slot.byCategory;
    return { ...slot, finished: slot.finished - expired, failed: slot.failed - expired, byCategory };
  });
}
