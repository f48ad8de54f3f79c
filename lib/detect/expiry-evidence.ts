import { binomialUpperTail } from './statistics';
import { inside, recentEvidence, type RecoverySettings } from './failure-evidence';
import { SLOT_MS, WINDOW_SLOTS, type Slot, type Span } from './slots';

/**
 * Are requests expiring in the queue? An expired request waited past its TTL: the endpoint is
 * not keeping up with its queue. On an endpoint whose baseline has no expiries, `minCount` of
 * them alert; where expiries are part of normal life, they must be significantly more frequent
 * than usual (the same binomial test as failures, with a one-point floor).
 */
export interface ExpirySettings {
  minCount: number;
  significance: number;
  baselineHours: number;
}

export interface ExpiryWindow extends Span {
  expired: number;
  finished: number;
  baselineExpired: number;
  baselineFinished: number;
}

const EXPIRED = 'Expired';
const MIN_EXCESS = 0.01;

export function expiryEvidence(slots: readonly Slot[], watermark: number, settings: ExpirySettings, options: { notBefore?: number; exclude?: readonly Span[] } = {}): { firing?: ExpiryWindow } {
  const last = Math.floor(watermark / SLOT_MS) * SLOT_MS;
  for (const length of WINDOW_SLOTS) {
    const from = last - (length - 1) * SLOT_MS;
    if (options.notBefore !== undefined && from < options.notBefore) break;
    let expired = 0;
    let finished = 0;
    let baselineExpired = 0;
    let baselineFinished = 0;
    let to = last + SLOT_MS;
    for (const slot of slots) {
      if (slot.start >= from) {
        expired += slot.byCategory[EXPIRED] ?? 0;
        finished += slot.finished;
        to = Math.max(to, slot.start + SLOT_MS);
      } else if (slot.start >= from - settings.baselineHours * 3_600_000 && !inside(slot.start, options.exclude)) {
        baselineExpired += slot.byCategory[EXPIRED] ?? 0;
        baselineFinished += slot.finished;
      }
    }
    if (expired < settings.minCount) continue;
    // A window that takes in all the history there is has no baseline to be compared with.
    if (baselineFinished === 0 && length > 1) continue;
    const window = { from, to, expired, finished, baselineExpired, baselineFinished };
    if (baselineExpired === 0) return { firing: window };
    const rate = (baselineExpired + 0.5) / (baselineFinished + 1) + MIN_EXCESS;
    if (binomialUpperTail(expired, finished, Math.min(0.999, rate)) <= settings.significance) return { firing: window };
  }
  return {};
}

/**
 * Over when none of the recent requests expired, the recent requests being as many as any
 * incident's recovery needs (RECOVERY_MINUTES over RECOVERY_MIN_REQUESTS, recentEvidence): on a
 * quiet endpoint whose every other request expires, three clean ones in a row are chance.
 */
export function expiryRecovered(slots: readonly Slot[], watermark: number, settings: RecoverySettings): { since: number } | undefined {
  const recent = recentEvidence(slots, watermark, settings);
  if (!recent) return undefined;
  for (const slot of recent.slots) if ((slot.byCategory[EXPIRED] ?? 0) > 0) return undefined;
  return { since: recent.from };
}
