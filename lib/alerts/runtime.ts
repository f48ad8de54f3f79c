import { SNSClient } from '@aws-sdk/client-sns';
import type { Config } from '../config';
import { silentLog, type LogSink } from '../telemetry/observations';
import { alertStoreFromConfig, type AlertStore } from '../store/alerts';
import { dispatchAlert, type DispatchResult } from './dispatch';
import type { Alert } from '../alert-model/alert';
import { createSnsPublisher, type AlertPublisher } from './publish';
import { createDocumentClient } from '../aws/clients';
import { EndpointState } from '../detect/endpoint-state';
import { detectorSettings, lookbackMs } from '../detect/settings';
import { WindowStore } from '../store/windows';
import { PipelineLagMonitor } from './pipeline-alerts';
import type { RequestAlertDeps } from './request-alerts';

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
  const publisher = options.publisher ?? (config.alertsTopicArn ? createSnsPublisher({ client: new SNSClient({ region: config.region }), topicArn: config.alertsTopicArn }) : logPublisher(log));
  return {
    store,
    dispatch: (alert) => dispatchAlert(alert, { store, publisher, cooldownSeconds: config.alertCooldownSeconds, log }),
  };
}

/** What the request-level detectors read of the requests table: the alerts' sample requests. */
export type DetectorRequests = RequestAlertDeps['requests'];

/**
 * What the request-level detectors run on: built once per warm instance by the notification
 * handler and the sweeper, each over its own view of the requests table (the sweeper's has the
 * open lists, the notification handler's leaves the log path out of its bundle).
 */
export interface RequestAlerting<R extends DetectorRequests = DetectorRequests> {
  alerting: Alerting;
  requests: R;
  windows: WindowStore;
  detectors: RequestAlertDeps;
  pipeline: PipelineLagMonitor;
}

export function requestAlertingFromConfig<R extends DetectorRequests>(config: Config, options: { requests: R; log: LogSink; publisher?: AlertPublisher; now?: () => number }): RequestAlerting<R> {
  const { requests } = options;
  const alerting = alertingFromConfig(config, { log: options.log, ...(options.publisher ? { publisher: options.publisher } : {}) });
  const windows = new WindowStore(createDocumentClient({ region: config.region }), config.stateTable);
  const settings = detectorSettings(config);
  const detectors: RequestAlertDeps = {
    // Kept across the batches of a warm instance: a busy endpoint is read once a minute.
    state: new EndpointState(windows, { lookbackMs: lookbackMs(settings), refreshMs: 60_000, fullRefreshMs: 30 * 60_000 }),
    windows,
    requests,
    dispatch: alerting.dispatch,
    settings,
    region: config.region,
    namePrefix: config.namePrefix,
    now: options.now ?? Date.now,
    log: options.log,
  };
  const pipeline = new PipelineLagMonitor({ dispatch: alerting.dispatch, thresholdMinutes: config.pipelineLagAlertMinutes, criticalMinutes: config.pipelineLagCriticalMinutes, region: config.region });
  return { alerting, requests, windows, detectors, pipeline };
}

function logPublisher(log: LogSink): AlertPublisher {
  return {
    async publish(alert) {
      log.warn('alert (no ALERTS_TOPIC_ARN configured, so it is only logged)', { alert: alert as unknown as Record<string, unknown> });
      return {};
    },
  };
}
