import { Counters } from '../telemetry/observations';
import type { RequestRecord } from '../requests/record';
import { OPEN_SHARDS, type RequestStore } from '../store/requests';
import { settleWithLimit } from '../util/pool';

/**
 * The stuck-request rule. A request whose data log spoke but whose notification has not come
 * `stuckAfterMinutes` after the notification input's watermark passed it is stuck: its
 * notification was lost, or it never finished. While the notification input is behind, its
 * watermark holds back and nothing is called stuck that may only be late.
 *
 * The sweep pages through the sparse open-requests index of every shard in parallel, as far as
 * its time budget allows (no fixed cap: a run keeps up with whatever rate the stream carries,
 * and what it cannot reach waits in the index for the next run, counted), and takes each
 * request it judges off the index with a conditional write, so it is reported exactly once.
 */
export interface SweepDeps {
  requests: Pick<RequestStore, 'queryOpenPage' | 'closeOpen'>;
  stuckAfterMinutes: number;
  now: () => number;
  /** The event time up to which notifications have arrived (lib/detect/watermark.ts). */
  notificationWatermark: number;
  /** Stop starting new pages after this (epoch ms, real time): the function's timeout minus a margin. */
  deadline?: number;
  /** Rows per page (DynamoDB returns at most 1 MB per page anyway). */
  pageSize?: number;
  /** Conditional writes in flight per shard. */
  concurrency?: number;
  /** Real time, for the deadline (the simulated clock of local runs stops for no one). */
  clock?: () => number;
}

export interface SweepFindings {
  stuck: RequestRecord[];
  cleaned: number;
  /** False when the deadline stopped the sweep before every shard was read to its end. */
  complete: boolean;
  counters: Counters;
  cutoff: string;
}

export function stuckCutoff(now: number, notificationWatermark: number, stuckAfterMinutes: number): number {
  return Math.min(now, notificationWatermark) - stuckAfterMinutes * 60_000;
}

export async function findStuck(deps: SweepDeps): Promise<SweepFindings> {
  const now = deps.now();
  const cutoff = new Date(stuckCutoff(now, deps.notificationWatermark, deps.stuckAfterMinutes)).toISOString();
  const clock = deps.clock ?? Date.now;
  const counters = new Counters();
  const stuck: RequestRecord[] = [];
  let cleaned = 0;
  let complete = true;
  const stuckAt = new Date(now).toISOString();

  await Promise.all(
    Array.from({ length: OPEN_SHARDS }, async (_, shard) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        if (deps.deadline !== undefined && clock() >= deps.deadline) {
          complete = false;
          return;
        }
        const page = await deps.requests.queryOpenPage(shard, cutoff, { limit: deps.pageSize ?? 1000, ...(startKey ? { startKey } : {}) });
        counters.add('OpenIndexPagesRead');
        const closed = await settleWithLimit(page.records, deps.concurrency ?? 16, async (record) => {
          const key = { inferenceId: record.inferenceId, endpointName: record.endpointName };
          // Its log lines arrived after the notification: not stuck, just still indexed.
          if (record.sources.includes('notification')) return (await deps.requests.closeOpen(key)) ? 'cleaned' : 'none';
          return (await deps.requests.closeOpen(key, stuckAt)) ? 'stuck' : 'none';
        });
        closed.forEach((outcome, i) => {
          if (outcome.status === 'rejected') counters.add('SweepWriteFailures');
          else if (outcome.value === 'cleaned') cleaned++;
          else if (outcome.value === 'stuck') stuck.push(page.records[i]!);
        });
        startKey = page.next;
      } while (startKey);
    }),
  );
  counters.add('StuckRequestsFound', stuck.length);
  counters.add('OpenIndexCleaned', cleaned);
  if (!complete) counters.add('SweepIncomplete');
  return { stuck, cleaned, complete, counters, cutoff };
}
