import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { requestAlertingFromConfig } from '../../lib/alerts/runtime';
import { loadConfig, resetConfig } from '../../lib/config';
import { silentLog } from '../../lib/telemetry/observations';
import { TABLES, useDynamo } from '../support/dynamo';

useDynamo();
const MINUTE = 60_000;

beforeEach(() => {
  process.env.STATE_TABLE = TABLES.state;
  process.env.PIPELINE_LAG_ALERT_MINUTES = '10';
  resetConfig();
});

/**
 * Two views of the notification input's lag, one alert store: processNotifications sees its
 * queue's lag, the sweeper also the input's silence. The queue may be back to a minute while no
 * notification of a recent event has come: only the sweeper, which sees both, may resolve.
 */
describe('pipeline-behind seen by processNotifications and the sweeper', () => {
  it('opens once and resolves once, when the sweeper sees the input caught up, however the two views alternate', async () => {
    const publisher = new MemoryPublisher();
    const config = loadConfig();
    const notifications = requestAlertingFromConfig(config, { log: silentLog, publisher });
    const sweeper = requestAlertingFromConfig(config, { log: silentLog, publisher });
    const stateOf = (fingerprint: string) => sweeper.alerting.store.state(fingerprint);
    const t0 = Date.UTC(2026, 11, 3, 9, 0);
    const lag = (at: number, lagMs: number) => ({ input: 'notifications', at, lagMs });
    const input = `notifications-${Math.random().toString(36).slice(2, 8)}`;

    expect((await notifications.pipeline.observe(input, 20 * MINUTE, t0, { resolves: false }))?.result.sent).toBe(true);
    // Its queue is back to a minute: it says nothing, as the input may still be silent.
    expect(await notifications.pipeline.observe(input, MINUTE, t0 + MINUTE, { resolves: false })).toBeUndefined();
    // The sweeper sees silence of 20 minutes: the incident is open already, nothing is sent.
    expect((await sweeper.pipeline.review(input, lag(t0 + 2 * MINUTE, 20 * MINUTE), t0 + 2 * MINUTE, stateOf))?.result.sent ?? false).toBe(false);
    // The queue behind again: still the same incident.
    expect((await notifications.pipeline.observe(input, 15 * MINUTE, t0 + 3 * MINUTE, { resolves: false }))?.result.sent ?? false).toBe(false);
    // Caught up in the sweeper's view: resolved, once.
    expect((await sweeper.pipeline.review(input, lag(t0 + 10 * MINUTE, MINUTE), t0 + 10 * MINUTE, stateOf))?.alert.status).toBe('resolved');
    expect(await sweeper.pipeline.review(input, lag(t0 + 11 * MINUTE, MINUTE), t0 + 11 * MINUTE, stateOf)).toBeUndefined();

    expect(publisher.published.filter((a) => a.resource.name === input).map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('turns critical once when the input stays behind PIPELINE_LAG_CRITICAL_MINUTES, as when every notification stops', async () => {
    const publisher = new MemoryPublisher();
    const config = loadConfig();
    expect(config.pipelineLagCriticalMinutes).toBe(30);
    const notifications = requestAlertingFromConfig(config, { log: silentLog, publisher });
    const sweeper = requestAlertingFromConfig(config, { log: silentLog, publisher });
    const stateOf = (fingerprint: string) => sweeper.alerting.store.state(fingerprint);
    const t0 = Date.UTC(2026, 11, 3, 9, 0);
    const input = `notifications-${Math.random().toString(36).slice(2, 8)}`;
    // The topics stopped delivering: the sweeper sees the silence grow, minute after minute.
    for (let minute = 0; minute <= 50; minute += 5) await sweeper.pipeline.review(input, { input, at: t0 + minute * MINUTE, lagMs: (12 + minute) * MINUTE }, t0 + minute * MINUTE, stateOf);
    await notifications.pipeline.observe(input, 40 * MINUTE, t0 + 51 * MINUTE, { resolves: false });
    await sweeper.pipeline.review(input, { input, at: t0 + 60 * MINUTE, lagMs: MINUTE }, t0 + 60 * MINUTE, stateOf);

    const sent = publisher.published.filter((a) => a.resource.name === input);
    expect(sent.map((a) => [a.status, a.severity])).toEqual([
      ['firing', 'warning'],
      ['firing', 'critical'],
      ['resolved', 'critical'],
    ]);
    expect(sent[1]!.description).toMatch(/^sagewatch's \S+ is 32 minutes behind \(threshold 10, critical at 30\).*No request outcome of the last 32 minutes is known/);
  });
});
