import { SNSClient } from '@aws-sdk/client-sns';
import { loadConfig, parseConfig } from '../lib/config';
import type { LogSink } from '../lib/telemetry/observations';
import { dispatchAlert, type DispatchResult } from '../lib/alerts/dispatch';
import { AlertSchema, createAlert, type Alert, type AlertInput } from '../lib/alerts/model';
import { createSnsPublisher, type AlertPublisher } from '../lib/alerts/publish';
import { InvalidEventError } from '../lib/events/errors';
import { alertStoreFromConfig, type AlertStore } from '../lib/store/alerts';
import { createLogger } from '../lib/telemetry/logger';

/**
 * Raises an alert from places that are not Lambda code of the data path: a state machine's
 * Catch (an attachment that failed after its retries), a job-failure rule, a local invoke.
 * Input: one alert input (as `createAlert` takes it) or a built alert, or `{ alerts: [...] }`.
 * Dedupe and publish as every other alert; a failure throws so the caller's retry sends it.
 */
export interface PublishAlertOverrides {
  store?: Pick<AlertStore, 'shouldSend' | 'recordSent'>;
  publisher?: AlertPublisher;
  log?: LogSink;
  env?: Record<string, string | undefined>;
}

export function createHandler(overrides: PublishAlertOverrides = {}) {
  let runtime: ReturnType<typeof build> | undefined;
  const build = () => {
    const config = overrides.env ? parseConfig(overrides.env) : loadConfig();
    let publisher = overrides.publisher;
    if (!publisher) {
      if (!config.alertsTopicArn) throw new Error('ALERTS_TOPIC_ARN is not set: alerts have nowhere to go');
      publisher = createSnsPublisher({ client: new SNSClient({ region: config.region }), topicArn: config.alertsTopicArn });
    }
    return {
      deps: {
        store: overrides.store ?? alertStoreFromConfig(config),
        publisher,
        cooldownSeconds: config.alertCooldownSeconds,
        log: overrides.log ?? createLogger(config.serviceName),
      },
    };
  };

  return async (event: unknown): Promise<{ results: Array<DispatchResult & { fingerprint: string }> }> => {
    runtime ??= build();
    const alerts = alertsFromEvent(event);
    const results: Array<DispatchResult & { fingerprint: string }> = [];
    for (const alert of alerts) {
      results.push({ ...(await dispatchAlert(alert, runtime.deps)), fingerprint: alert.fingerprint });
    }
    return { results };
  };
}

function alertsFromEvent(event: unknown): Alert[] {
  if (typeof event !== 'object' || event === null) throw new InvalidEventError('event must be an alert or { alerts: [...] }');
  const list = Array.isArray(event) ? event : Array.isArray((event as { alerts?: unknown }).alerts) ? (event as { alerts: unknown[] }).alerts : [event];
  return list.map((item) => {
    const built = AlertSchema.safeParse(item);
    // A built alert keeps its id and fingerprint; an input is built here (and validated).
    return built.success ? (built.data as Alert) : createAlert(item as AlertInput);
  });
}

export const handler = createHandler();
