import type { Config } from '../config';
import type { ExpirySettings } from './expiry-evidence';
import type { FailureSettings, RecoverySettings } from './failure-evidence';
import type { LatencySettings } from './latency-evidence';

/** Every knob of the request-level detectors, from the typed config (README "Request-level alerts"). */
export interface DetectorSettings {
  failure: FailureSettings;
  latency: LatencySettings;
  expiry: ExpirySettings;
  recovery: RecoverySettings;
  /** An open incident of an endpoint with no finished request for this long is closed. */
  idleMinutes: number;
}

/** Completed requests a latency baseline needs before it is compared with anything. */
const LATENCY_MIN_BASELINE = 20;

export function detectorSettings(config: Config): DetectorSettings {
  const baselineHours = config.detectorBaselineHours;
  return {
    failure: {
      minExcess: config.failureMinExcess,
      significance: config.failureSignificance,
      minFailures: config.failureMinFailures,
      criticalRate: config.failureCriticalRate,
      baselineHours,
    },
    latency: {
      significance: config.latencySignificance,
      minAuc: config.latencyMinAuc,
      minFactor: config.latencyMinFactor,
      minDeltaMs: config.latencyMinDeltaMs,
      minSamples: config.latencyMinSamples,
      minBaseline: LATENCY_MIN_BASELINE,
      baselineHours,
    },
    expiry: { minCount: config.expiredMinCount, significance: config.failureSignificance, baselineHours },
    recovery: { recoveryMinutes: config.recoveryMinutes, recoveryMinRequests: config.recoveryMinRequests },
    idleMinutes: config.incidentIdleMinutes,
  };
}

/** How far back the detectors read an endpoint: its baseline plus the longest window. */
export function lookbackMs(settings: DetectorSettings): number {
  return settings.failure.baselineHours * 3_600_000 + 3 * 3_600_000;
}
