import type { LogHalf } from './halves';
import type { LogLine } from './log-line';
import type { RequestRecord } from './record';

/**
 * What a merge policy (lib/correlate/duplicates.ts) asks the store to do: which lines to add
 * and under which conditions. The store turns these into one conditional UpdateItem and decides
 * nothing itself.
 */

/** What a log merge knows of the record: nothing (a first attempt), or its marks and stored lines. */
export interface KnownLogState {
  /** False until the store has told us anything about the record. */
  known: boolean;
  /** Per log stream, its stored mark: the ranges of positions merged (lib/correlate/duplicates.ts). */
  marks: ReadonlyMap<string, string>;
  storedLines: number;
  /** The record's stored requestTime, once the store has told it (what the endpoint listing is keyed by). */
  requestTime?: string;
}

export const NOTHING_KNOWN: KnownLogState = { known: false, marks: new Map(), storedLines: 0 };

/**
 * The condition on one stream's mark (its merged ranges, lib/correlate/duplicates.ts) that makes
 * a write of these lines safe: while nothing is known of the record, that the stream is new to
 * it; once its state is known, that the mark is still exactly what was read.
 */
export type MarkCondition = { stream: string; kind: 'absent' } | { stream: string; kind: 'equals'; position: string };

export interface LogMergePlan {
  /** Lines not merged before, in stream order: all counted, the first ones stored. */
  lines: LogLine[];
  /** How many stored lines the record may already hold (undefined: unknown, checked by the store). */
  storedLines?: number;
  /** Per stream touched: the condition, and the mark to store (its ranges with this write's). */
  marks: Array<{ condition: MarkCondition; next: string }>;
  /** Apply the half's continuation of an earlier stored line. */
  continuation: boolean;
}

/** The condition that applies a notification once: the first, or a later result of a reused id. */
export type NotificationCondition = { kind: 'first' } | { kind: 'newerThan'; completedAt: string };

/** What the store offers the log merge (lib/correlate/log-merge.ts): it executes, never decides. */
export interface LogMergeStore {
  writeLogMerge(half: LogHalf, plan: LogMergePlan): Promise<LogWriteResult>;
  /** The record's log state by one consistent read (when a failed condition did not return it). */
  readLogState(key: { inferenceId: string; endpointName: string }): Promise<KnownLogState>;
}

/** A request as the endpoint listing holds it: its key and its stored requestTime (set once, never moved). */
export interface EndpointListing {
  inferenceId: string;
  endpointName: string;
  requestTime: string;
}

/** A request with data-log lines and, when they were merged, no notification: the stuck sweeper checks it later. */
export interface OpenRequest {
  inferenceId: string;
  endpointName: string;
  /** Its first log line's time, at most its arrival: the stuck rule's clock starts there (read back from a list: the list's latest). */
  openSince: string;
}

export type LogWriteResult =
  | {
      written: true;
      record: RequestRecord;
      state: KnownLogState;
      /** Per line of the plan, its index among the record's stored lines, or -1 when it was only counted. */
      storedIndexes: number[];
      /** How many lines a record stores at most. */
      storedLineBound: number;
    }
  /** A condition failed: the record's state, when DynamoDB returned the item. */
  | { written: false; state?: KnownLogState };
