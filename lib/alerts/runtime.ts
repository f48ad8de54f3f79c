import { SNSClient } from '@aws-sdk/client-sns';
import type { Config } from '../config';
import { silentLog, type LogSink } from '../telemetry/observations';
import { alertStoreFromConfig, type AlertStore } from '../store/alerts';
import { dispatchAlert, type DispatchResult } from './dispatch';
import type { Alert } from '../alert-model/alert';
import { createSnsPublisher, type AlertPublisher } from './publish';

/**
 * Everything a producer of alerts (detectors, sweeper, control plane) needs, built from config:
 * dedupe and history in the state table, publishing to the alerts topic. Without a topic (a
 * bare local invoke) alerts are written to the log instead of being lost.
 */
export interface Alerting {
  dispatch(alert: Alert): Promise<DispatchResult>;
  store: AlertStore;
}

export function alertingFromConfig(config: Config, options: { log?: LogSink; publisher?: AlertPublisher; store?: AlertStore } = {}): Alerting {
  const log = options.log ?? silentLog;
  const store = options.store ?? alertStoreFromConfig(config);
  const publisher =
    options.publisher ??
    (config.alertsTopicArn
      ? createSnsPublisher({ client: new SNSClient({ region: config.region }), topicArn: config.alertsTopicArn })
      : logPublisher(log));
  return {
    store,
    dispatch: (alert) => dispatchAlert(alert, { store, publisher, cooldownSeconds: config.alertCooldownSeconds, log }),
  };
}

function logPublisher(log: LogSink): AlertPublisher {
  return {
    async publish(alert) {
      log.warn('alert (no ALERTS_TOPIC_ARN configured, so it is only logged)', { alert: alert as unknown as Record<string, unknown> });
      return {};
    },
  };
}
