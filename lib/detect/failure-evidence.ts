import { binomialUpperTail, fisherUpperTail, shiftedBetaBinomialUpperTail } from './statistics';
import { MAX_WINDOW_SLOTS, SLOT_MS, type Slot, type Span } from './slots';

/**
 * Is this endpoint failing more than it normally does? For each window ending at the watermark
 * (every length from one slot to MAX_WINDOW_SLOTS, so one of them starts where the trouble
 * did, whatever the traffic rate), the failures of its finished requests are tested against the endpoint's own
 * baseline: the failure rate of the hours before the window (a weak Beta prior of 2% keeps a
 * new or quiet endpoint's baseline sane), plus a practical-significance floor that grows with
 * the rate's own spread. The window alerts when its rate is above the baseline's upper
 * plausible value plus that floor, k failures of n would happen with probability below
 * `significance` at the baseline's rate plus the floor (that rate only as certain as the
 * history behind it), and Fisher's exact test says the window differs from its own history.
 * So three failures in a row on a quiet endpoint that never fails alert, a steady 30% endpoint
 * never does, and a busy endpoint going from 3% to 4% never does, however many
 * requests show it.
 */
export interface FailureSettings {
  /** How much the failure rate must rise above the baseline to matter at all (0.05 = 5 points). */
  minExcess: number;
  /** How improbable the failures must be under the baseline (one-sided binomial p-value). */
  significance: number;
  /** At least this many failures in the window. */
  minFailures: number;
  /** A window whose failure rate is at least this is critical. */
  criticalRate: number;
  /** Hours of history the baseline is taken from. */
  baselineHours: number;
}

/** What the endpoint's history says its failure rate is. */
export interface FailureBaseline {
  finished: number;
  failed: number;
  /** The rate the window is tested against: upper plausible baseline rate + minExcess. */
  threshold: number;
  /** The baseline's rate (posterior mean). */
  rate: number;
}

export interface FailureWindow extends Span {
  finished: number;
  failed: number;
  pValue: number;
  baseline: FailureBaseline;
  severity: 'warning' | 'critical';
  byCategory: Record<string, number>;
}

export interface FailureEvidence {
  /** The most significant window that alerts, if any. */
  firing?: FailureWindow;
}

// Beta(0.08, 3.92): a 2% failure rate worth four requests of evidence. Enough that a quiet
// endpoint's few clean requests do not read as a certain 0%, too little to talk an endpoint's
// own history down: a steady 30% endpoint with 40 requests of history is tested against ~35%,
// not against the prior's 2% (with a prior worth 20 requests it was ~20%, and fired).
const PRIOR_FAILED = 0.08;
const PRIOR_WEIGHT = 4;
/**
 * Finished requests a history needs before a window failing less than `criticalRate` is judged
 * against it: a 30% endpoint's first 30 are all fine about once in 40,000.
 */
const TRUSTED_HISTORY = 30;
/** The two-sample check is a sanity check on a short history, looser than the main test. */
const DIFFERENCE_FACTOR = 10;

export function failureBaseline(finished: number, failed: number, settings: Pick<FailureSettings, 'minExcess' | 'criticalRate'>): FailureBaseline {
  const weight = finished + PRIOR_WEIGHT;
  const rate = (failed + PRIOR_FAILED) / weight;
  // One standard error up: a baseline read from few requests is not trusted to be low.
  const upper = rate + Math.sqrt((rate * (1 - rate)) / weight);
  // With no history at all nothing says what is normal for this endpoint (a new one, or one
  // whose whole history was an incident): only most requests failing is evidence then.
  const excess = excessAt(rate, settings.minExcess);
  const threshold = finished === 0 ? Math.max(upper + excess, settings.criticalRate) : upper + excess;
  return { finished, failed, rate, threshold: Math.min(0.999, threshold) };
}

/**
 * `slots` in time order; `watermark` is the event time up to which the notification input is
 * complete; windows never start before `notBefore` (the end of the last incident, so its
 * requests do not raise the next one); slots inside `exclude` never count as baseline.
 * `frozen`, when given, replaces the history as the baseline (an open incident's).
 */
export function failureEvidence(
  slots: readonly Slot[],
  watermark: number,
  settings: FailureSettings,
  options: { notBefore?: number; exclude?: readonly Span[]; frozen?: FailureBaseline } = {},
): FailureEvidence {
  const last = Math.floor(watermark / SLOT_MS) * SLOT_MS;
  // Slots past the watermark hold requests that arrived early: evidence all the same.
  let to = last + SLOT_MS;
  let finished = 0;
  let failed = 0;
  const byCategory: Record<string, number> = {};
  let recent = slots.length;
  for (let i = slots.length - 1; i >= 0 && slots[i]!.start > last; i--) {
    finished += slots[i]!.finished;
    failed += slots[i]!.failed;
    to = Math.max(to, slots[i]!.start + SLOT_MS);
    addCategories(byCategory, slots[i]!.byCategory);
    recent = i;
  }
  let firing: FailureWindow | undefined;
  let critical: FailureWindow | undefined;
  for (let length = 1; length <= MAX_WINDOW_SLOTS; length++) {
    const from = last - (length - 1) * SLOT_MS;
    if (options.notBefore !== undefined && from < options.notBefore) break;
    // Take in the slot that starts this window (slots are in time order).
    while (recent > 0 && slots[recent - 1]!.start >= from) {
      recent--;
      finished += slots[recent]!.finished;
      failed += slots[recent]!.failed;
      addCategories(byCategory, slots[recent]!.byCategory);
    }
    if (failed < settings.minFailures) continue;
    let baseline = options.frozen;
    if (!baseline) {
      let baseFinished = 0;
      let baseFailed = 0;
      const baselineFrom = from - settings.baselineHours * 3_600_000;
      for (let i = recent - 1; i >= 0 && slots[i]!.start >= baselineFrom; i--) {
        if (inside(slots[i]!.start, options.exclude)) continue;
        baseFinished += slots[i]!.finished;
        baseFailed += slots[i]!.failed;
      }
      // A window that takes in all the history there is says nothing new (and has no baseline of its own).
      if (baseFinished === 0 && length > 1) continue;
      baseline = failureBaseline(baseFinished, baseFailed, settings);
    }
    if (failed / finished <= baseline.threshold) continue;
    // A short history is not trusted to be low (a steady 30% endpoint's first 11 requests are all
    // fine once in 50, and against that lucky start its ordinary 15 of 38 read as a burst): it
    // opens an incident only on a critical window. An open incident's frozen baseline is not gated.
    if (!options.frozen && baseline.finished < TRUSTED_HISTORY && failed / finished < settings.criticalRate) continue;
    const pValue = surprise(failed, finished, baseline, excessAt(baseline.rate, settings.minExcess));
    if (pValue > settings.significance) continue;
    // And different from its own history on the history's word alone (no prior): a flaky
    // endpoint whose few first requests happened to succeed is not thereby failing now.
    if (baseline.finished > 0 && fisherUpperTail(failed, finished, baseline.failed, baseline.finished) > settings.significance * DIFFERENCE_FACTOR) continue;
    const severity = failed / finished >= settings.criticalRate ? 'critical' : 'warning';
    const window: FailureWindow = { from, to, finished, failed, pValue, baseline, severity, byCategory: { ...byCategory } };
    if (!firing || pValue < firing.pValue) firing = window;
    if (severity === 'critical' && (!critical || pValue < critical.pValue)) critical = window;
  }
  // The page says how bad it is now: a critical window wins over a more significant milder one.
  const shown = critical ?? firing;
  return shown ? { firing: shown } : {};
}

/**
 * How far above its baseline rate an endpoint must fail to matter: `minExcess` at 2% or less,
 * growing with the rate's own spread above it (11 points at 10%, 16 at 30%), so a flaky
 * endpoint's ordinary streaks are as unremarkable as a steady one's and only a rise that stands
 * out of its own noise counts.
 */
export function excessAt(rate: number, minExcess: number): number {
  return minExcess * Math.max(1, Math.sqrt((rate * (1 - rate)) / REFERENCE_SPREAD));
}
const REFERENCE_SPREAD = 0.02 * 0.98;

/**
 * How improbable k failures of n are if the endpoint were failing `excess` above its
 * baseline rate, that rate known only as well as its history says (its Beta posterior): a
 * long history tests against the rate it shows, a short clean one allows for its luck.
 */
export function surprise(failed: number, finished: number, baseline: Pick<FailureBaseline, 'finished' | 'failed' | 'threshold'>, excess: number): number {
  // No history: the one claim left is "most requests fail", tested as it stands.
  if (baseline.finished === 0) return binomialUpperTail(failed, finished, baseline.threshold);
  const a = baseline.failed + PRIOR_FAILED;
  const weight = baseline.finished + PRIOR_WEIGHT;
  // A request fails from the excess with probability `shift`, else at the baseline rate p, so
  // its rate is shift + (1 − shift)·p: the excess on top of p takes shift = excess / (1 − p).
  const shift = Math.min(0.999, excess / (1 - a / weight));
  return shiftedBetaBinomialUpperTail(failed, finished, a, weight - a, shift);
}

/**
 * The fewest failures in a row that alert on an endpoint whose long history (`history`
 * requests) fails at `rate`: 3 at 0%, 5 at 10%, 9 at 30% with the default knobs. It is what a
 * fault must change before any window can page, so the demo's "undetectable" and a scenario's
 * allowance are judged against the endpoint's own baseline, not against `minFailures` alone.
 */
export function failuresNeeded(rate: number, settings: FailureSettings, history = 200): number {
  const baseline = failureBaseline(history, Math.round(rate * history), settings);
  const excess = excessAt(baseline.rate, settings.minExcess);
  for (let k = Math.max(1, settings.minFailures); k <= 1_000; k++) {
    if (surprise(k, k, baseline, excess) > settings.significance) continue;
    if (fisherUpperTail(k, k, baseline.failed, baseline.finished) > settings.significance * DIFFERENCE_FACTOR) continue;
    return k;
  }
  return Number.POSITIVE_INFINITY;
}

function addCategories(target: Record<string, number>, source: Record<string, number>): void {
  for (const [category, count] of Object.entries(source)) target[category] = (target[category] ?? 0) + count;
}

export function inside(at: number, spans: readonly Span[] | undefined): boolean {
  return spans?.some((s) => at >= s.from && at < s.to) ?? false;
}

export interface RecoverySettings {
  /** Normal behaviour must last this long (in event time) ... */
  recoveryMinutes: number;
  /** ... over at least this many finished requests; four times as many settle it sooner. */
  recoveryMinRequests: number;
}

/**
 * The most recent slots, newest first, until they hold enough requests over enough
 * time to say anything; undefined when there is not enough yet (a quiet endpoint waits longer).
 */
export function recentEvidence(slots: readonly Slot[], watermark: number, settings: RecoverySettings): { from: number; to: number; slots: Slot[] } | undefined {
  // Everything that has arrived counts, the watermark's own (still filling) slot included.
  const to = Math.max(Math.floor(watermark / SLOT_MS) * SLOT_MS + SLOT_MS, ...slots.map((s) => s.start + SLOT_MS));
  const taken: Slot[] = [];
  let finished = 0;
  for (let i = slots.length - 1; i >= 0; i--) {
    const slot = slots[i]!;
    taken.push(slot);
    finished += slot.finished;
    const span = to - slot.start;
    if ((finished >= settings.recoveryMinRequests && span >= settings.recoveryMinutes * 60_000) || finished >= 4 * settings.recoveryMinRequests) {
      return { from: slot.start, to, slots: taken };
    }
  }
  return undefined;
}

/**
 * Whether an open failure incident is over: the recent requests fail at a rate back below half
 * way between the baseline and the alert threshold, and no window still alerts.
 */
export function failureRecovered(slots: readonly Slot[], watermark: number, frozen: FailureBaseline, settings: FailureSettings & RecoverySettings): { since: number } | undefined {
  const recent = recentEvidence(slots, watermark, settings);
  if (!recent) return undefined;
  let finished = 0;
  let failed = 0;
  for (const slot of recent.slots) {
    finished += slot.finished;
    failed += slot.failed;
  }
  if (failed / finished > frozen.threshold - excessAt(frozen.rate, settings.minExcess) / 2) return undefined;
  if (failureEvidence(slots, watermark, settings, { notBefore: recent.from, frozen }).firing) return undefined;
  return { since: recent.from };
}
