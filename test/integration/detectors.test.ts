import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/process-notifications';
import { loadConfig, resetConfig } from '../../lib/config';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { AlertStore } from '../../lib/store/alerts';
import { alertingFromConfig } from '../../lib/alerts/runtime';
import { requestStoreFromConfig } from '../../lib/store';
import { RequestMerges } from '../../lib/correlate/request-merges';
import { sweep } from '../../lib/alerts/sweep';
import { asyncNotification, sqsEvent } from '../../local/builders';
import { captureEmf } from '../support/emf';
import { TABLES, useDynamo } from '../support/dynamo';

const db = useDynamo();
let run = 0;
beforeEach(() => {
  run++;
  process.env.REQUESTS_TABLE = TABLES.requests;
  process.env.STATE_TABLE = TABLES.state;
  resetConfig();
});

const BASE = Date.UTC(2024, 4, 1, 12, 0, 0);

function batch(endpoint: string, from: number, count: number, failed: number, at: number, failureReason = 'ClientError: Received server error (500) from model.') {
  return sqsEvent(
    Array.from({ length: count }, (_, i) => {
      const n = from + i;
      return {
        messageId: `${endpoint}-${n}`,
        body: JSON.stringify(
          asyncNotification({
            inferenceId: `${endpoint}-req-${n}`,
            endpointName: endpoint,
            status: i < failed ? 'Failed' : 'Completed',
            receivedTime: new Date(at - 2_000).toISOString(),
            eventTime: new Date(at).toISOString(),
            failureReason,
          }),
        ),
      };
    }),
  );
}

describe('request-level detectors in the notifications path', () => {
  it('raises a failure burst once, with evidence, and resolves it when it clears', async () => {
    const endpoint = `burst-${run}`;
    const publisher = new MemoryPublisher();
    let now = BASE + 30_000;
    const handler = createHandler({ publisher, now: () => now });

    // Its history: twenty clean requests (an endpoint with none alerts only when most fail).
    await captureEmf(() => handler(batch(endpoint, 100, 20, 0, BASE - 15 * 60_000)));
    await captureEmf(() => handler(batch(endpoint, 0, 10, 6, BASE + 20_000)));
    const bursts = publisher.published.filter((a) => a.kind === 'failure-burst');
    expect(bursts).toHaveLength(1);
    const alert = bursts[0]!;
    expect(alert).toMatchObject({ status: 'firing', severity: 'critical', resource: { type: 'endpoint', name: endpoint } });
    expect(alert.evidence.numbers).toContainEqual({ name: 'failed requests', value: 6 });
    expect(alert.evidence.facts).toContainEqual({ name: 'failures: ServerError', value: '6' });
    expect(alert.evidence.inferenceIds).toHaveLength(5);
    expect(alert.evidence.inferenceIds.every((id) => /-req-[0-5]$/.test(id))).toBe(true);
    expect(alert.evidence.commands[0]).toContain(`sagewatch query --endpoint ${endpoint} --status Failed`);
    expect(alert.evidence.links.map((l) => l.label)).toContain('Data-log lines of these requests');

    // Redelivery and more failures inside the cooldown: nothing new is sent.
    await captureEmf(() => handler(batch(endpoint, 0, 10, 6, BASE + 20_000)));
    await captureEmf(() => handler(batch(endpoint, 10, 5, 5, BASE + 40_000)));
    expect(publisher.published.filter((a) => a.kind === 'failure-burst')).toHaveLength(1);

    // Ten minutes later only successes: the burst resolves, once.
    now = BASE + 10 * 60_000;
    await captureEmf(() => handler(batch(endpoint, 100, 20, 0, now - 5_000)));
    await captureEmf(() => handler(batch(endpoint, 200, 20, 0, now - 4_000)));
    const resolved = publisher.published.filter((a) => a.kind === 'failure-burst' && a.status === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.fingerprint).toBe(alert.fingerprint);
    // The resolution says what the incident was.
    expect(resolved[0]!.description).toMatch(/^11 of 15 failed between 12:00 and 12:05 UTC\. Normal again since 12:05 UTC\.$/);
  });

  it('raises expired requests and does not call a healthy endpoint unhealthy', async () => {
    const publisher = new MemoryPublisher();
    const handler = createHandler({ publisher, now: () => BASE + 30_000 });
    await captureEmf(() => handler(batch(`expired-${run}`, 0, 30, 1, BASE + 10_000, 'ClientError: Request has expired')));
    expect(publisher.published.map((a) => a.kind)).toEqual(['expired-requests']);
    expect(publisher.published[0]!.evidence.inferenceIds).toEqual([`expired-${run}-req-0`]);

    await captureEmf(() => handler(batch(`healthy-${run}`, 0, 50, 2, BASE + 10_000)));
    expect(publisher.published.filter((a) => a.resource.name === `healthy-${run}`)).toEqual([]);
  });

  it('pages a queue whose requests expire once, as expired requests, not also as a failure burst', async () => {
    const endpoint = `queue-${run}`;
    const publisher = new MemoryPublisher();
    let now = BASE + 30_000;
    const handler = createHandler({ publisher, now: () => now });
    await captureEmf(() => handler(batch(endpoint, 100, 20, 0, BASE - 15 * 60_000)));
    // Eight of ten expire: a failure rate of 80%, and one cause.
    await captureEmf(() => handler(batch(endpoint, 0, 10, 8, BASE + 20_000, 'ClientError: Request has expired')));
    expect(publisher.published.map((a) => a.kind)).toEqual(['expired-requests']);

    // The model breaking as well is a second cause: its own page, counting only what the model failed.
    now = BASE + 60_000;
    await captureEmf(() => handler(batch(endpoint, 200, 10, 6, BASE + 50_000)));
    const bursts = publisher.published.filter((a) => a.kind === 'failure-burst');
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.evidence.numbers).toContainEqual({ name: 'failed requests', value: 6 });
    expect(bursts[0]!.evidence.facts.map((f) => f.name)).not.toContain('failures: Expired');
    expect(bursts[0]!.evidence.inferenceIds.every((id) => /-req-20[0-5]$/.test(id))).toBe(true);
  });
});

describe('stuck-request sweeper', () => {
  it('reports requests whose notification never came, once, and cleans the rest', async () => {
    const config = loadConfig();
    const requests = requestStoreFromConfig(config, db.client());
    const merges = new RequestMerges(requests);
    const publisher = new MemoryPublisher();
    const t = (min: number) => BASE + min * 60_000;
    // The alert store keeps the sweeps' time (it remembers when each incident was last seen).
    let clock = t(30);
    const alerting = alertingFromConfig(config, { publisher, store: new AlertStore(db.client(), { tableName: config.stateTable, now: () => clock }) });
    const endpoint = `stuck-${run}`;
    const line = (id: string, at: number, message: string) => ({
      inferenceId: id,
      endpointName: endpoint,
      variantName: 'AllTraffic',
      lines: [{ eventId: `${id}-e`, at, message, category: message.startsWith('Received') ? ('ServerError' as const) : ('Info' as const), instanceId: 'i-1' }],
    });
    // As processLogs does: each batch's merges, then one list of the requests they opened.
    const batch = async (...halves: ReturnType<typeof line>[]) => {
      const opened = [];
      for (const half of halves) {
        const result = await merges.mergeLogHalf(half);
        if (result.opened) opened.push(result.opened);
      }
      if (opened.length > 0) await merges.listOpen(opened);
    };
    await batch(line('lost-error', t(0), 'Received server error (500) from primary'), line('lost-quiet', t(1), 'Inference request succeeded'));
    await batch(line('recent', t(25), 'Received server error (500) from primary'));
    // Notification first, then its log lines: never listed as open, so nothing to clean.
    await merges.mergeNotification({ inferenceId: 'late-logs', endpointName: endpoint, status: 'Failed', completedAt: new Date(t(2)).toISOString() });
    await batch(line('late-logs', t(2), 'Received server error (500) from primary'));

    const deps = {
      requests,
      dispatch: alerting.dispatch,
      store: alerting.store,
      recentAlerts: (since: number) => alerting.store.recent(since),
      stuckAfterMinutes: 15,
      recoveryMinutes: 5,
      region: 'eu-west-1',
      now: () => t(30),
      // The notification input is keeping up.
      notificationWatermark: t(30),
    };
    const first = await sweep(deps);
    expect(first.stuck.map((r) => r.inferenceId).sort()).toEqual(['lost-error', 'lost-quiet']);
    expect(first.cleaned).toBe(0);
    expect(first.observations).toEqual([{ name: 'StuckRequests', unit: 'Count', value: 2, dimensionSets: [{ EndpointName: endpoint }] }]);
    expect(publisher.published.map((a) => [a.kind, a.severity, a.evidence.inferenceIds])).toEqual([
      ['log-errors-without-notification', 'critical', ['lost-error']],
      ['stuck-requests', 'warning', ['lost-quiet']],
    ]);
    expect((await requests.getByInferenceId('lost-error'))[0]?.stuckAt).toBe(new Date(t(30)).toISOString());

    // Hysteresis: a sweep that finds nothing new right away resolves nothing; one recoveryMinutes later does, once.
    const second = await sweep(deps);
    expect(second.stuck).toEqual([]);
    expect(publisher.published.filter((a) => a.status === 'resolved')).toEqual([]);
    clock = t(36);
    const later = await sweep({ ...deps, now: () => t(36), notificationWatermark: t(36) });
    expect(later.stuck).toEqual([]);
    expect(
      publisher.published
        .filter((a) => a.status === 'resolved')
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['log-errors-without-notification', 'stuck-requests']);
    clock = t(38);
    await sweep({ ...deps, now: () => t(38), notificationWatermark: t(38) });
    expect(publisher.published.filter((a) => a.status === 'resolved')).toHaveLength(2);

    // The recent one becomes stuck later; a notification arriving in time keeps it off the list.
    await merges.mergeNotification({ inferenceId: 'recent', endpointName: endpoint, status: 'Failed', completedAt: new Date(t(26)).toISOString() });
    clock = t(60);
    const third = await sweep({ ...deps, now: () => t(60), notificationWatermark: t(60) });
    expect(third.stuck).toEqual([]);
  });
});
