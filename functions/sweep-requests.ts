import { loadConfig } from '../lib/config';
import { createDocumentClient } from '../lib/aws/clients';
import { alertingFromConfig } from '../lib/alerts/runtime';
import type { AlertPublisher } from '../lib/alerts/publish';
import { detectorSettings } from '../lib/detect/settings';
import { sweep } from '../lib/detect/sweeper';
import { requestStoreFromConfig } from '../lib/store';
import { WindowStore } from '../lib/store/windows';
import { createLogger } from '../lib/telemetry/logger';
import { createOpsMetrics, createRequestMetrics, publishCounters, publishObservations } from '../lib/telemetry/metrics';

/**
 * Scheduled (every few minutes): reports async requests stuck without a notification and sends
 * the resolutions of request-level alerts whose traffic stopped.
 */
export function createHandler(overrides: { publisher?: AlertPublisher; now?: () => number } = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = loadConfig();
    const logger = createLogger(config.serviceName);
    const client = createDocumentClient({ region: config.region });
    const requests = requestStoreFromConfig(config, client);
    const alerting = alertingFromConfig(config, { log: logger, ...(overrides.publisher ? { publisher: overrides.publisher } : {}) });
    const now = overrides.now ?? Date.now;
    const alertState = (fingerprint: string) => alerting.store.state(fingerprint);
    return {
      logger,
      requestMetrics: createRequestMetrics(config.metricsNamespace),
      opsMetrics: createOpsMetrics(config.metricsNamespace, config.serviceName),
      deps: {
        requests,
        dispatch: alerting.dispatch,
        alertState,
        recentAlerts: (since: number) => alerting.store.recent(since),
        stuckAfterMinutes: config.stuckAfterMinutes,
        region: config.region,
        now,
        log: logger,
        detectors: {
          windows: new WindowStore(client, config.stateTable),
          requests,
          dispatch: alerting.dispatch,
          alertState,
          settings: detectorSettings(config),
          region: config.region,
          namePrefix: config.namePrefix,
          now,
          log: logger,
        },
      },
    };
  };

  return async (): Promise<{ stuck: number; cleaned: number; alertsSent: number }> => {
    runtime ??= build();
    const outcome = await sweep(runtime.deps);
    publishObservations(runtime.requestMetrics, outcome.observations);
    const alertsSent = outcome.alerts.filter((a) => a.result.sent).length;
    outcome.counters.add('AlertsSent', alertsSent);
    publishCounters(runtime.opsMetrics, outcome.counters);
    runtime.logger.info('sweep done', { stuck: outcome.stuck.length, cleaned: outcome.cleaned, alertsSent });
    return { stuck: outcome.stuck.length, cleaned: outcome.cleaned, alertsSent };
  };
}

export const handler = createHandler();
