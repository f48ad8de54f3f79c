import type { LogHalf } from '../requests/halves';
import { NOTHING_KNOWN, type KnownLogState, type LogMergeStore, type OpenRequest } from '../requests/merge-plan';
import { isoTime } from '../util/iso-time';
import type { RequestRecord } from '../requests/record';
import { planLogMerge, streamOf } from './duplicates';
import { MergeConflictError } from './errors';

/**
 * Merges one request's log half: plans the write (./duplicates.ts), has the store execute it,
 * and when a condition fails (a redelivery, a racing writer) re-plans from the record's state
 * and writes only what is new. A request's state is carried from one write to the next, and
 * across batches for records whose stored lines are full, so a chatty request costs one write
 * per batch and no read.
 */
export interface LogMergeResult {
  /** Lines this call added (0 when every line had been merged before). */
  addedLines: number;
  addedErrorLines: number;
  /** True when this call stored the request's first error lines. */
  firstErrors: boolean;
  /** Whether the notification half had already arrived when this write happened. */
  notified: boolean;
  /** This call's lines began the record: they are all its lines, and at their first write the notification had not come. */
  began: boolean;
  /** Every line had been merged before: a redelivery, maybe of a batch that failed after merging. */
  redelivered: boolean;
  /**
   * Set when the request is to go on this batch's open list (./process-logs.ts writes it):
   * these were its first lines and its notification had not come, or every line had been
   * merged before (a redelivery: the batch that merged them may have failed before listing).
   */
  opened?: OpenRequest;
  record?: RequestRecord;
  /** The record's stored requestTime, whenever the store told it (a no-op merge too): what ./process-logs.ts lists it under. */
  requestTime?: string;
  /** Per line of the half, its index among the record's stored lines, or -1. */
  storedIndexes: number[];
  writes: number;
  reads: number;
}

const MAX_MERGE_ATTEMPTS = 4;
/** Streams per write: each adds a condition and a mark to the expression. */
const STREAMS_PER_WRITE = 16;
const KNOWN_STATES_KEPT = 10_000;

export type { LogMergeStore } from '../requests/merge-plan';

export class LogMerger {
  /** Records whose stored lines are full, by key: their next batch's write is exact at once. */
  private readonly known = new Map<string, KnownLogState>();

  constructor(private readonly store: LogMergeStore) {}

  async merge(half: LogHalf): Promise<LogMergeResult> {
    const total: LogMergeResult = { addedLines: 0, addedErrorLines: 0, firstErrors: false, notified: false, began: false, redelivered: false, storedIndexes: [], writes: 0, reads: 0 };
    const cacheKey = `${half.endpointName}\u0000${half.inferenceId}`;
    let state = this.known.get(cacheKey) ?? NOTHING_KNOWN;
    let record: RequestRecord | undefined;
    let firstAt: number | undefined;
    // Whether the notification had come at this call's first write, not its last: one may land between chunks.
    let notifiedAtFirstWrite: boolean | undefined;
    for (const chunk of chunks(half)) {
      const result = await this.mergeChunk(chunk, state);
      state = result.state;
      total.writes += result.writes;
      total.reads += result.reads;
      total.addedLines += result.added.length;
      for (const line of result.added) {
        if (line.category !== 'Info') total.addedErrorLines++;
        if (firstAt === undefined || line.at < firstAt) firstAt = line.at;
      }
      for (const line of chunk.lines) total.storedIndexes.push(result.storedIndexes.get(line) ?? -1);
      if (result.record) {
        record = result.record;
        notifiedAtFirstWrite ??= record.sources.includes('notification');
        if (state.storedLines >= result.storedLineBound) this.remember(cacheKey, state);
      }
    }
    if (state.requestTime !== undefined) total.requestTime = state.requestTime;
    const key = { inferenceId: half.inferenceId, endpointName: half.endpointName };
    if (record) {
      total.record = record;
      total.notified = record.sources.includes('notification');
      total.firstErrors = total.addedErrorLines > 0 && record.logErrorCount === total.addedErrorLines;
      const storedAllLines = total.addedLines > 0 && record.logLineCount === total.addedLines;
      total.began = storedAllLines && notifiedAtFirstWrite === false;
      // Only now is it known that the notification has not come, so a late log line never
      // lists a finished request; later lines of a listed request do not list it again.
      if (!total.notified && storedAllLines) {
        total.opened = { ...key, openSince: record.firstLogAt ?? isoTime(firstAt ?? Date.now()) };
      }
    } else if (half.lines.length > 0) {
      // Every line had been merged before: a redelivery, maybe of a batch that failed to list it.
      total.redelivered = true;
      let earliest = Infinity;
      for (const line of half.lines) if (line.at < earliest) earliest = line.at;
      total.opened = { ...key, openSince: isoTime(Number.isFinite(earliest) ? earliest : Date.now()) };
    }
    return total;
  }

  private async mergeChunk(
    chunk: LogHalf,
    start: KnownLogState,
  ): Promise<{ state: KnownLogState; added: LogHalf['lines']; storedIndexes: Map<LogHalf['lines'][number], number>; record?: RequestRecord; storedLineBound: number; writes: number; reads: number }> {
    let state = start;
    let writes = 0;
    let reads = 0;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const plan = planLogMerge(chunk, state);
      if (plan.lines.length === 0 && !plan.continuation) return { state, added: [], storedIndexes: new Map(), storedLineBound: Infinity, writes, reads };
      writes++;
      const outcome = await this.store.writeLogMerge(chunk, plan);
      if (outcome.written) {
        const storedIndexes = new Map<LogHalf['lines'][number], number>();
        for (const [i, line] of plan.lines.entries()) storedIndexes.set(line, outcome.storedIndexes[i] ?? -1);
        return { state: outcome.state, added: plan.lines, storedIndexes, record: outcome.record, storedLineBound: outcome.storedLineBound, writes, reads };
      }
      if (outcome.state) {
        state = outcome.state;
      } else {
        reads++;
        state = await this.store.readLogState(chunk);
      }
    }
    throw new MergeConflictError(`log half of ${chunk.inferenceId} kept conflicting after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  private remember(cacheKey: string, state: KnownLogState): void {
    this.known.delete(cacheKey);
    this.known.set(cacheKey, state);
    if (this.known.size > KNOWN_STATES_KEPT) this.known.delete(this.known.keys().next().value!);
  }
}

/**
 * The writes a half needs: a continuation of an earlier stored line goes alone (a list index
 * and an append cannot share an expression), then the lines, at most STREAMS_PER_WRITE streams
 * per write. Nearly every half is one chunk, returned as is.
 */
function chunks(half: LogHalf): LogHalf[] {
  const { continuation, ...rest } = half;
  const out: LogHalf[] = [];
  if (continuation) out.push({ ...rest, lines: [], continuation });
  const streams = new Set(half.lines.map(streamOf));
  if (streams.size <= STREAMS_PER_WRITE) {
    if (half.lines.length > 0 || !continuation) out.push(continuation ? rest : half);
    return out;
  }
  let current: LogHalf['lines'] = [];
  let seen = new Set<string>();
  for (const line of half.lines) {
    const stream = streamOf(line);
    if (!seen.has(stream) && seen.size === STREAMS_PER_WRITE) {
      out.push({ ...rest, lines: current });
      current = [];
      seen = new Set();
    }
    seen.add(stream);
    current.push(line);
  }
  if (current.length > 0) out.push({ ...rest, lines: current });
  return out;
}
