import { Counters } from '../telemetry/observations';
import type { RequestRecord } from '../requests/record';
import { OPEN_SHARDS, type RequestStore } from '../store/requests';
import { settleWithLimit } from '../util/pool';

/**
 * The stuck-request rule. A request whose data log spoke but whose notification has not come
 * `stuckAfterMinutes` after the notification input's watermark passed it is stuck: its
 * notification was lost, or it never finished. While the notification input is behind, its
 * watermark holds back and nothing is called stuck that may only be late. Nor past the newest
 * notification event the input has delivered: a queue that falls behind while no batch flows
 * reports no lag (nothing arrives to measure it), but its newest event stops, so a request is
 * called stuck only once a notification of an event `stuckAfterMinutes` later has come, when
 * the path is provably not behind it. Requests past that, without their notification, are
 * `waiting`: the path is silent while the data log shows completions (sagewatch's own alert).
 *
 * The sweep pages through the open-request lists processLogs writes per batch
 * (lib/store/requests-open.ts), every shard in parallel, as far as its time budget allows (no
 * fixed cap: a run keeps up with whatever rate the stream carries, and what it cannot reach
 * waits for the next run, counted). It reads the listed records: one with a notification by
 * now is done; one without is marked stuck by a conditional write, so it is reported exactly
 * once. A list is deleted when every request on it was checked.
 */
export interface SweepDeps {
  requests: Pick<RequestStore, 'openListsPage' | 'records' | 'markStuck' | 'removeOpenList'>;
  stuckAfterMinutes: number;
  now: () => number;
  /** The event time up to which notifications have arrived (lib/detect/watermark.ts). */
  notificationWatermark: number;
  /** The newest notification event time the input has delivered (epoch ms), if known. */
  notificationsSeenUntil?: number;
  /** Stop starting new pages after this (epoch ms, real time): the function's timeout minus a margin. */
  deadline?: number;
  /** Lists per page (each lists up to REQUESTS_PER_LIST requests). */
  pageSize?: number;
  /** Conditional writes in flight per shard. */
  concurrency?: number;
  /** Real time, for the deadline (the simulated clock of local runs stops for no one). */
  clock?: () => number;
}

export interface SweepFindings {
  stuck: RequestRecord[];
  /** Listed requests whose notification had come by the sweep: nothing to report. */
  cleaned: number;
  /** Listed requests past the newest delivered notification event's cut-off, without their notification: judged later. */
  waiting: number;
  /** False when the deadline stopped the sweep before every shard was read to its end. */
  complete: boolean;
  counters: Counters;
  cutoff: string;
}

export function stuckCutoff(now: number, notificationWatermark: number, stuckAfterMinutes: number): number {
  return Math.min(now, notificationWatermark) - stuckAfterMinutes * 60_000;
}

/** Requests listed before this (ISO) may be called stuck: the cut-off of the watermark capped at the newest delivered event. */
export function judgeCutoff(now: number, notificationWatermark: number, notificationsSeenUntil: number | undefined, stuckAfterMinutes: number): number {
  return stuckCutoff(now, Math.min(notificationWatermark, notificationsSeenUntil ?? Number.POSITIVE_INFINITY), stuckAfterMinutes);
}

export async function findStuck(deps: SweepDeps): Promise<SweepFindings> {
  const now = deps.now();
  const cutoff = new Date(stuckCutoff(now, deps.notificationWatermark, deps.stuckAfterMinutes)).toISOString();
  const judgeBefore = new Date(judgeCutoff(now, deps.notificationWatermark, deps.notificationsSeenUntil, deps.stuckAfterMinutes)).toISOString();
  const clock = deps.clock ?? Date.now;
  const counters = new Counters();
  const stuck: RequestRecord[] = [];
  let cleaned = 0;
  let waiting = 0;
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
        const page = await deps.requests.openListsPage(shard, cutoff, { limit: deps.pageSize ?? 10, ...(startKey ? { startKey } : {}) });
        counters.add('OpenListPagesRead');
        for (const list of page.lists) {
          if (deps.deadline !== undefined && clock() >= deps.deadline) {
            complete = false;
            return;
          }
          const records = await deps.requests.records(list.requests);
          const judged = list.key.sk.slice(0, list.key.sk.lastIndexOf('#')) < judgeBefore;
          const checked = await settleWithLimit(records, deps.concurrency ?? 16, async (record) => {
            if (record.sources.includes('notification')) return 'cleaned';
            if (record.stuckAt !== undefined) return 'none';
            if (!judged) return 'waiting';
            return (await deps.requests.markStuck({ inferenceId: record.inferenceId, endpointName: record.endpointName }, stuckAt)) ? 'stuck' : 'none';
          });
          let failed = false;
          let kept = false;
          checked.forEach((outcome, i) => {
            if (outcome.status === 'rejected') failed = true;
            else if (outcome.value === 'waiting') kept = true;
            else if (outcome.value === 'cleaned') cleaned++;
            else if (outcome.value === 'stuck') stuck.push(records[i]!);
          });
          // A list with a failed write stays for the next run (its marked requests are not reported twice).
          // A list with a request still waiting for the path is read again by the next run.
          if (failed) counters.add('SweepWriteFailures');
          else if (kept) waiting += checked.filter((o) => o.status === 'fulfilled' && o.value === 'waiting').length;
          else await deps.requests.removeOpenList(list);
        }
        startKey = page.next;
      } while (startKey);
    }),
  );
  counters.add('StuckRequestsFound', stuck.length);
  counters.add('OpenRequestsNotified', cleaned);
  if (!complete) counters.add('SweepIncomplete');
  if (waiting > 0) counters.add('OpenRequestsWaitingForNotifications', waiting);
  return { stuck, cleaned, waiting, complete, counters, cutoff };
}
