import type { InputLag } from '../store/windows';

/**
 * How far behind each of sagewatch's own inputs is, and the watermark that follows from it:
 * the event time up to which that input's data has arrived. Detectors judge windows up to the
 * watermark (late data is judged late, not never), and nothing is declared missing while the
 * input that would bring it is behind.
 */

/** One queued message: when it entered sagewatch's queue, and when its event happened. */
export interface QueuedMessage {
  /** SQS `SentTimestamp`, epoch ms. */
  sentAt?: number;
  /** The notification's own event time, epoch ms. */
  eventAt?: number;
}

/**
 * The batch's queue lag: how long its oldest message waited in sagewatch's queue. A message
 * cannot have been queued before its event happened, so the later of the two counts.
 */
export function queueLag(messages: readonly QueuedMessage[], now: number): number {
  let lag = 0;
  for (const m of messages) {
    const queued = Math.max(m.sentAt ?? Number.NEGATIVE_INFINITY, m.eventAt ?? Number.NEGATIVE_INFINITY);
    if (Number.isFinite(queued)) lag = Math.max(lag, now - queued);
  }
  return lag;
}

/** How long a batch's lag is held at its worst (see LagRecorder). */
export const LAG_HOLD_MS = 10 * 60_000;

/**
 * The input's watermark from its last recorded lag. An input that was keeping up (lag under
 * `toleranceMs`) and has been quiet since is idle, not behind: its watermark is now. One that
 * was behind stays as far behind as it last said until a newer batch says otherwise, but not
 * for ever: a queue that was `lagMs` behind has delivered everything queued before its last
 * batch within `lagMs` more (plus the hold that kept the worst lag), so when no batch has come
 * since then it is empty, not behind. Without that, the last batch of a drained backlog would
 * freeze the watermark and no request would ever be called stuck again, which is exactly when
 * notifications have stopped. A consumer that stopped taking batches at all is the native
 * age-of-oldest-message health alarm's to report.
 */
export function watermarkOf(lag: InputLag | undefined, now: number, toleranceMs: number, holdMs = LAG_HOLD_MS): number {
  if (!lag || lag.lagMs <= toleranceMs || drainedSince(lag, now, holdMs)) return now;
  return Math.min(now, lag.at) - lag.lagMs;
}

/**
 * The notification input's watermark with its backlog: the lag watermark, the lag held longer
 * (see LagRecorder) because fresh notifications flowing on time do not say that older ones of
 * a backlog are in. The sweeper caps it, for calling a request stuck, at the newest event the
 * input has delivered (lib/detect/sweeper.ts).
 */
export function notificationWatermark(lag: InputLag | undefined, now: number, toleranceMs: number, holdMs = LAG_HOLD_MS): number {
  const backlog = lag && (lag.backlogMs ?? 0) > lag.lagMs ? { ...lag, lagMs: lag.backlogMs! } : lag;
  return watermarkOf(backlog, now, toleranceMs, holdMs);
}

/** No batch since the recorded lag for longer than that lag and its hold: the queue is empty. */
export function drainedSince(lag: InputLag, now: number, holdMs = LAG_HOLD_MS): boolean {
  return now - lag.at > lag.lagMs + holdMs;
}

/**
 * The input's lag as its batches report it, held at its worst over the last `holdMs`: a queue
 * that was 20 minutes behind a moment ago is not caught up because one batch of fresh messages
 * went through, so nothing is declared lost and no alert resolves until it has stayed caught up.
 * Beside it the backlog: a lag `L` held for `L` plus `holdMs`, for the watermark only. Messages
 * queued just before that batch may arrive up to `L` later, and on a quiet endpoint no backlog
 * message need come in between to say so (fresh notifications on time while older ones are
 * still 20 minutes out); the self-monitoring alert still resolves on the shorter hold.
 * Written to the store only when it changed enough to matter or its record is getting old: a
 * few writes a minute at most.
 */
export class LagRecorder {
  private last?: InputLag;
  private newestEventAt?: number;
  private backlogMs = 0;
  /** Worst lag per minute of the hold period. */
  private readonly recent = new Map<number, number>();

  constructor(
    private readonly input: string,
    private readonly write: (lag: InputLag) => Promise<void>,
    private readonly holdMs = LAG_HOLD_MS,
  ) {}

  /** Notes a batch's lag; returns the lag held (the worst of the hold period). */
  observe(lagMs: number, now: number, newestEventAt?: number): number {
    if (newestEventAt !== undefined && newestEventAt > (this.newestEventAt ?? Number.NEGATIVE_INFINITY)) this.newestEventAt = newestEventAt;
    const minute = Math.floor(now / 60_000);
    this.recent.set(minute, Math.max(this.recent.get(minute) ?? 0, lagMs));
    let held = 0;
    let backlog = 0;
    for (const [m, lag] of this.recent) {
      const age = (minute - m) * 60_000;
      if (age > this.holdMs + lag || m > minute) {
        this.recent.delete(m);
        continue;
      }
      backlog = Math.max(backlog, lag);
      if (age <= this.holdMs) held = Math.max(held, lag);
    }
    this.backlogMs = backlog;
    return held;
  }

  /** Records the held lag if it changed enough since the last write. */
  async record(heldMs: number, now: number): Promise<void> {
    const last = this.last;
    const newest = this.newestEventAt;
    const eventMoved = newest !== undefined && (last?.newestEventAt === undefined || newest - last.newestEventAt >= 30_000);
    const backlog = this.backlogMs > heldMs ? this.backlogMs : undefined;
    const backlogMoved = Math.abs((last?.backlogMs ?? 0) - (backlog ?? 0)) >= 30_000;
    if (last && !eventMoved && !backlogMoved && Math.abs(last.lagMs - heldMs) < 30_000 && now - last.at < 60_000 && now >= last.at) return;
    const lag: InputLag = { input: this.input, at: now, lagMs: heldMs, ...(newest !== undefined ? { newestEventAt: newest } : {}), ...(backlog !== undefined ? { backlogMs: backlog } : {}) };
    await this.write(lag);
    this.last = lag;
  }
}
