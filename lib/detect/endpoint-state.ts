import type { SlotCounts, StoredIncident, WindowStore } from '../store/windows';
import { settleWithLimit } from '../util/pool';
import { addSlot, emptySlot, type Slot } from './slots';

/**
 * What the detectors know about each endpoint, read once per batch at most: the slots of the
 * last `lookbackMs` and the endpoint's incidents, from one Query of its partition. A warm
 * Lambda instance keeps them and adds its own writes as it makes them, so a busy endpoint is
 * re-read once every `refreshMs` (to see what other instances wrote) and fully every
 * `fullRefreshMs`, not once per notification.
 */
export interface EndpointView {
  endpointName: string;
  slots: Map<number, Slot>;
  incidents: Map<string, StoredIncident>;
  loadedAt: number;
  fullAt: number;
}

export interface EndpointStateOptions {
  /** How far back a full read goes: the baseline's hours plus the longest window. */
  lookbackMs: number;
  refreshMs: number;
  fullRefreshMs: number;
  /** Endpoints kept at most (least recently used ones are dropped and re-read when needed). */
  maxEndpoints?: number;
}

/** A refresh re-reads this much before the newest slot it has: late data written by others. */
const REREAD_MS = 60 * 60_000;

export function toSlot(counts: SlotCounts): Slot {
  const slot = emptySlot(counts.start);
  slot.finished = counts.finished;
  slot.failed = counts.failed;
  slot.byCategory = { ...counts.byCategory };
  for (const [bucket, count] of Object.entries(counts.latency)) slot.latency.set(Number(bucket), count);
  return slot;
}

export function toCounts(slot: Slot): SlotCounts {
  return {
    start: slot.start,
    finished: slot.finished,
    failed: slot.failed,
    byCategory: slot.byCategory,
    latency: Object.fromEntries([...slot.latency].map(([bucket, count]) => [String(bucket), count])),
  };
}

export class EndpointState {
  private readonly views = new Map<string, EndpointView>();

  constructor(
    private readonly store: Pick<WindowStore, 'addSlot' | 'read'>,
    private readonly options: EndpointStateOptions,
  ) {}

  /** The views of these endpoints, refreshed where stale (a few reads in parallel). */
  async load(endpoints: readonly string[], now: number): Promise<Map<string, EndpointView>> {
    const stale = endpoints.filter((e) => {
      const view = this.views.get(e);
      return !view || now - view.loadedAt >= this.options.refreshMs || now < view.loadedAt;
    });
    const results = await settleWithLimit(stale, 8, (e) => this.refresh(e, now));
    const failed = results.find((r) => r.status === 'rejected');
    const out = new Map<string, EndpointView>();
    for (const e of endpoints) {
      const view = this.views.get(e);
      if (view) {
        // Least recently used last: re-insert.
        this.views.delete(e);
        this.views.set(e, view);
        out.set(e, view);
      }
    }
    this.evict();
    if (failed && out.size < endpoints.length) throw (failed as PromiseRejectedResult).reason;
    return out;
  }

  private async refresh(endpointName: string, now: number): Promise<void> {
    const cached = this.views.get(endpointName);
    const full = !cached || now - cached.fullAt >= this.options.fullRefreshMs || now < cached.fullAt;
    const newest = cached && cached.slots.size > 0 ? Math.max(...cached.slots.keys()) : now;
    const from = full ? now - this.options.lookbackMs : Math.min(newest, now) - REREAD_MS;
    const { slots, incidents } = await this.store.read(endpointName, from);
    const view: EndpointView = full || !cached ? { endpointName, slots: new Map(), incidents: new Map(), loadedAt: now, fullAt: now } : cached;
    for (const start of [...view.slots.keys()]) if (start >= from || start < now - this.options.lookbackMs) view.slots.delete(start);
    for (const counts of slots) view.slots.set(counts.start, toSlot(counts));
    view.incidents = new Map(incidents.map((i) => [i.kind, i]));
    view.loadedAt = now;
    this.views.set(endpointName, view);
  }

  /** Writes this batch's slot deltas of one endpoint, adding each to the view once it is stored. */
  async add(endpointName: string, deltas: Iterable<Slot>): Promise<void> {
    for (const delta of deltas) {
      await this.store.addSlot(endpointName, toCounts(delta));
      const view = this.views.get(endpointName);
      if (!view) continue;
      let slot = view.slots.get(delta.start);
      if (!slot) view.slots.set(delta.start, (slot = emptySlot(delta.start)));
      addSlot(slot, delta);
    }
  }

  /** Records an incident this instance just stored. */
  setIncident(endpointName: string, incident: StoredIncident): void {
    this.views.get(endpointName)?.incidents.set(incident.kind, incident);
  }

  /** Forgets an endpoint (its next load re-reads it), e.g. after a version conflict. */
  forget(endpointName: string): void {
    this.views.delete(endpointName);
  }

  private evict(): void {
    const max = this.options.maxEndpoints ?? 500;
    for (const key of this.views.keys()) {
      if (this.views.size <= max) break;
      this.views.delete(key);
    }
  }
}

/** The view's slots in time order. */
export function sortedSlots(view: EndpointView): Slot[] {
  return [...view.slots.values()].sort((a, b) => a.start - b.start);
}
