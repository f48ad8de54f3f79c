/**
 * The bench's figures: `npm run bench -- --json` prints exactly `BenchJson`; the text report
 * checks each goal of issue 15 (ok / MISS).
 */
import type { ColdStart, BundleResult } from './bundles';
import { round } from './measure';

export interface BenchJson {
  store: { writeUnitsPerRequest: number; readUnitsPerRequest: number };
  processLogs: { ratio: number; cpuMsPerRequest: number; peakRssMb: number; deployedMemoryMb: number; clientCpuMsPerWrite: number; handlerCpuMsPerRequest: number };
  processNotifications: { cpuMsPerNotification: number };
  coldStart: Record<string, { firstCallMs: number }>;
  bundles: Record<string, { bytes: number; importMs: number }>;
  costPerMillionRequestsUsd: number;
}

export interface BenchFigures {
  writeUnitsPerRequest: number;
  readUnitsPerRequest: number;
  ratio: number;
  /** The whole processLogs handler's CPU on the real path, per request and per DynamoDB write. */
  logsCpuMsPerRequest: number;
  logsCpuMsPerWrite: number;
  /** The DynamoDB client's CPU per write: see clientCpuPerWrite. */
  logsClientCpuMsPerWrite: number;
  /** The same handler over the replay of its answers, per request: its own work without the client. */
  logsHandlerCpuMsPerRequest: number;
  /** Commands the replay had no recorded answer for: above 0 the replay did not follow the real run. */
  replayMisses: number;
  peakRssMb: number;
  deployedMemoryMb: number;
  cpuMsPerNotification: number;
  coldStarts: Record<string, ColdStart>;
  bundles: Record<string, BundleResult>;
  costPerMillionRequestsUsd: number;
}

export const GOALS = {
  writeUnitsPerRequest: 3,
  readUnitsPerRequest: 0.5,
  cpuMsPerWrite: 0.3,
  cpuMsPerNotification: 1.5,
  /** Share of the deployed memory that processLogs may reach on the worst-case batch. */
  memoryShare: 0.5,
};

/**
 * The client's CPU per write: the real run's CPU minus the replay's (the same handler on the
 * same batches, its answers played back without a client), over the real run's writes. It
 * holds the client's work on the reads too (GetItem, Query), so per write it is an upper bound.
 */
export function clientCpuPerWrite(realCpuMs: number, replayCpuMs: number, writes: number): number {
  if (writes <= 0) return Number.NaN;
  return (realCpuMs - replayCpuMs) / writes;
}

export function toJson(f: BenchFigures): BenchJson {
  return {
    store: { writeUnitsPerRequest: round(f.writeUnitsPerRequest, 3), readUnitsPerRequest: round(f.readUnitsPerRequest, 3) },
    processLogs: {
      ratio: round(f.ratio, 2),
      cpuMsPerRequest: round(f.logsCpuMsPerRequest, 3),
      peakRssMb: round(f.peakRssMb),
      deployedMemoryMb: f.deployedMemoryMb,
      clientCpuMsPerWrite: round(f.logsClientCpuMsPerWrite, 3),
      handlerCpuMsPerRequest: round(f.logsHandlerCpuMsPerRequest, 3),
    },
    processNotifications: { cpuMsPerNotification: round(f.cpuMsPerNotification, 3) },
    coldStart: Object.fromEntries(Object.entries(f.coldStarts).map(([key, c]) => [key, { firstCallMs: round(c.firstCallMs) }])),
    bundles: Object.fromEntries(Object.entries(f.bundles).map(([key, b]) => [key, { bytes: b.bytes, importMs: round(b.importMs) }])),
    costPerMillionRequestsUsd: round(f.costPerMillionRequestsUsd, 2),
  };
}

export interface GoalCheck {
  ok: boolean;
  text: string;
}

export function goalChecks(f: BenchFigures): Record<'writeUnits' | 'readUnits' | 'cpuPerWrite' | 'cpuPerNotification' | 'memory', GoalCheck> {
  const memoryLimit = f.deployedMemoryMb * GOALS.memoryShare;
  return {
    writeUnits: {
      ok: f.writeUnitsPerRequest <= GOALS.writeUnitsPerRequest,
      text: `${round(f.writeUnitsPerRequest, 2)} write units per request (goal <= ${GOALS.writeUnitsPerRequest})`,
    },
    readUnits: {
      ok: f.readUnitsPerRequest <= GOALS.readUnitsPerRequest,
      text: `${round(f.readUnitsPerRequest, 2)} read units per request (goal <= ${GOALS.readUnitsPerRequest})`,
    },
    cpuPerWrite: {
      // A replay that missed answers ran another path than the real run: its difference proves nothing.
      ok: f.replayMisses === 0 && Number.isFinite(f.logsClientCpuMsPerWrite) && f.logsClientCpuMsPerWrite <= GOALS.cpuMsPerWrite,
      text:
        `${round(f.logsClientCpuMsPerWrite, 3)} ms of DynamoDB client CPU per write in processLogs (real run minus replay, over its writes; goal <= ${GOALS.cpuMsPerWrite})` +
        (f.replayMisses > 0 ? `; the replay missed ${f.replayMisses} answer(s), so this is not a measurement` : ''),
    },
    cpuPerNotification: {
      ok: f.cpuMsPerNotification <= GOALS.cpuMsPerNotification,
      text: `${round(f.cpuMsPerNotification, 3)} ms of processNotifications CPU per notification in batches of 10 (goal <= ${GOALS.cpuMsPerNotification})`,
    },
    memory: {
      ok: Number.isFinite(f.peakRssMb) && f.peakRssMb <= memoryLimit,
      text: `processLogs peak RSS ${round(f.peakRssMb)} MB of ${f.deployedMemoryMb} MB deployed (goal <= ${memoryLimit} MB)`,
    },
  };
}

export const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
