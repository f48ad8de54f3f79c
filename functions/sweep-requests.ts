import { loadConfig } from '../lib/config';
import { requestAlertingFromConfig } from '../lib/alerts/runtime';
import { requestStoreFromConfig } from '../lib/store';
import type { AlertPublisher } from '../lib/alerts/publish';
import { sweep } from '../lib/alerts/sweep';
import { notificationWatermark } from '../lib/detect/watermark';
import { laggingWithSilence } from '../lib/alerts/pipeline-alerts';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';

/** A notification input lagging less than this is keeping up. */
const LAG_TOLERANCE_MS = 2 * 60_000;
/** The sweep stops starting new pages this long before the function's timeout. */
const TIMEOUT_MARGIN_MS = 20_000;

/**
 * Scheduled (every few minutes): reports async requests stuck without a notification (judged
 * against the notification input's watermark) and sends the resolutions of request-level
 * alerts whose traffic stopped.
 */
export function createHandler(overrides: { publisher?: AlertPublisher; now?: () => number } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    const logger = createLogger(config.serviceName);
    const now = overrides.now ?? Date.now;
    const { alerting, requests, windows, detectors, pipeline } = requestAlertingFromConfig(config, {
      requests: requestStoreFromConfig(config),
      log: logger,
      ...(overrides.publisher ? { publisher: overrides.publisher } : {}),
      now,
    });
    return {
      config,
      logger,
      windows,
      alerting,
      pipeline,
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      requests,
      now,
      detectors,
    };
  };

  return async (_event?: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<{ stuck: number; cleaned: number; alertsSent: number; complete: boolean }> => {
    runtime ??= build();
    const { config, logger, alerting, now } = runtime;
    const at = now();
    const lag = await runtime.windows.inputLag('notifications');
    const watermark = notificationWatermark(lag, at, LAG_TOLERANCE_MS);
    const outcome = await sweep({
      requests: runtime.requests,
      dispatch: alerting.dispatch,
      store: alerting.store,
      recentAlerts: (since: number) => alerting.store.recent(since),
      stuckAfterMinutes: config.stuckAfterMinutes,
      recoveryMinutes: config.recoveryMinutes,
      region: config.region,
      now,
      notificationWatermark: watermark,
      ...(lag?.newestEventAt !== undefined ? { notificationsSeenUntil: lag.newestEventAt } : {}),
      ...(context?.getRemainingTimeInMillis ? { deadline: Date.now() + context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS } : {}),
      log: logger,
      detectors: runtime.detectors,
    });
    // Requests waiting past the newest delivered notification: the path is silent while the
    // data log shows completions, sagewatch's own alert (not a request alert).
    const behind = await runtime.pipeline.review('notifications', laggingWithSilence(lag, watermark, outcome.waiting > 0, at), at, (fingerprint) => alerting.store.state(fingerprint));
    publishObservations(runtime.requestMetrics, outcome.observations);
    const alertsSent = outcome.alerts.filter((a) => a.result.sent).length + (behind?.result.sent ? 1 : 0);
    outcome.counters.add('AlertsSent', alertsSent);
    publishCounters(runtime.opsMetrics, outcome.counters);
    logger.info('sweep done', { stuck: outcome.stuck.length, cleaned: outcome.cleaned, complete: outcome.complete, alertsSent });
    return { stuck: outcome.stuck.length, cleaned: outcome.cleaned, alertsSent, complete: outcome.complete };
  };
}

export const handler = createHandler();
