import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../lib/alerts/publish';
import { requestAlertingFromConfig } from '../../lib/alerts/runtime';
import { loadConfig, resetConfig } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import { silentLog } from '../../lib/telemetry/observations';
import { TABLES, useDynamo } from '../support/dynamo';

useDynamo();
const MINUTE = 60_000;

beforeEach(() => {
  process.env.STATE_TABLE = TABLES.state;
  process.env.PIPELINE_LAG_ALERT_MINUTES = '10';
  resetConfig();
});

function views() {
  const publisher = new MemoryPublisher();
  const config = loadConfig();
  const notifications = requestAlertingFromConfig(config, { requests: requestStoreFromConfig(config), log: silentLog, publisher });
  const sweeper = requestAlertingFromConfig(config, { requests: requestStoreFromConfig(config), log: silentLog, publisher });
  const stateOf = (fingerprint: string) => sweeper.alerting.store.state(fingerprint);
  const input = `notifications-${Math.random().toString(36).slice(2, 8)}`;
  const sent = () => publisher.published.filter((a) => a.resource.name === input);
  return { config, notifications, sweeper, stateOf, input, sent };
}

const t0 = Date.UTC(2026, 11, 3, 9, 0);

/**
 * Views of the notification input's lag, one alert store: each processNotifications instance
 * sees its own batches' queue lag, the sweeper the stored lag (whichever instance wrote last) and
 * the input's silence. Only the sweeper resolves, once it has seen the input caught up for the
 * hold (10 minutes): one fresh instance on an on-time message says nothing of the backlog.
 */
describe('pipeline-behind seen by processNotifications and the sweeper', () => {
  it('opens once and resolves once, when the sweeper has seen the input caught up for the hold, however the views alternate', async () => {
    const { notifications, sweeper, stateOf, input, sent } = views();
    const lag = (at: number, lagMs: number) => ({ input, at, lagMs });

    expect((await notifications.pipeline.observe(input, 20 * MINUTE, t0, { resolves: false }))?.result.sent).toBe(true);
    // Its queue is back to a minute: it says nothing, as the input may still be silent.
    expect(await notifications.pipeline.observe(input, MINUTE, t0 + MINUTE, { resolves: false })).toBeUndefined();
    // The sweeper sees silence of 20 minutes: the incident is open already, nothing is sent.
    expect((await sweeper.pipeline.review(input, lag(t0 + 2 * MINUTE, 20 * MINUTE), t0 + 2 * MINUTE, stateOf))?.result.sent ?? false).toBe(false);
    // The queue behind again: still the same incident.
    expect((await notifications.pipeline.observe(input, 15 * MINUTE, t0 + 3 * MINUTE, { resolves: false }))?.result.sent ?? false).toBe(false);
    // One instance's on-time message is stored as a lag of a minute, while the backlog is still out: held, not over.
    expect(await sweeper.pipeline.review(input, lag(t0 + 4 * MINUTE, MINUTE), t0 + 4 * MINUTE, stateOf)).toBeUndefined();
    expect(await sweeper.pipeline.review(input, lag(t0 + 5 * MINUTE, 21 * MINUTE), t0 + 5 * MINUTE, stateOf)).toBeUndefined();
    expect(await sweeper.pipeline.review(input, lag(t0 + 14 * MINUTE, MINUTE), t0 + 14 * MINUTE, stateOf)).toBeUndefined();
    // Caught up for longer than the hold in the sweeper's view: resolved, once.
    expect((await sweeper.pipeline.review(input, lag(t0 + 16 * MINUTE, MINUTE), t0 + 16 * MINUTE, stateOf))?.alert.status).toBe('resolved');
    expect(await sweeper.pipeline.review(input, lag(t0 + 17 * MINUTE, MINUTE), t0 + 17 * MINUTE, stateOf)).toBeUndefined();

    expect(sent().map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('turns critical once when the input stays behind PIPELINE_LAG_CRITICAL_MINUTES, as when every notification stops', async () => {
    const { config, notifications, sweeper, stateOf, input, sent } = views();
    expect(config.pipelineLagCriticalMinutes).toBe(60);
    // The topics stopped delivering: the sweeper sees the silence grow, minute after minute.
    for (let minute = 0; minute <= 50; minute += 5) await sweeper.pipeline.review(input, { input, at: t0 + minute * MINUTE, lagMs: (12 + minute) * MINUTE }, t0 + minute * MINUTE, stateOf);
    await notifications.pipeline.observe(input, 40 * MINUTE, t0 + 51 * MINUTE, { resolves: false });
    for (let minute = 55; minute <= 65; minute += 5) await sweeper.pipeline.review(input, { input, at: t0 + minute * MINUTE, lagMs: MINUTE }, t0 + minute * MINUTE, stateOf);

    expect(sent().map((a) => [a.status, a.severity])).toEqual([
      ['firing', 'warning'],
      ['firing', 'critical'],
      ['resolved', 'critical'],
    ]);
    expect(sent()[1]!.description).toMatch(/^sagewatch's \S+ is 62 minutes behind \(threshold 10, critical at 60\).*No request outcome of the last 62 minutes is known/);
    // Last seen 62 minutes behind at minute 50: resolved once caught up for longer than the hold.
    expect(Date.parse(sent()[2]!.detectedAt)).toBe(t0 + 65 * MINUTE);
  });
});
