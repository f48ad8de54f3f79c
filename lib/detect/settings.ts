import type { Config } from '../config';
import type { DetectorSettings } from './rules';

export function detectorSettings(config: Config): DetectorSettings {
  return {
    windowMinutes: config.detectorWindowMinutes,
    failureBurstMinFailures: config.failureBurstMinFailures,
    failureBurstRate: config.failureBurstRate,
    latencyShiftFactor: config.latencyShiftFactor,
    latencyShiftMinSamples: config.latencyShiftMinSamples,
    latencyShiftMinDeltaMs: config.latencyShiftMinDeltaMs,
    latencyBaselineMinutes: config.latencyBaselineMinutes,
    expiredMinCount: config.expiredMinCount,
  };
}
