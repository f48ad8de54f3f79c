import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import config from '../../serverless';
import { logRecordsFromEvent } from '../../lib/logs/kinesis-event';
import { decodeSubscriptionData } from '../../lib/logs/subscription';
import { dataLogSource } from '../../lib/logs/source';
import { parseDataLogLine } from '../../lib/logs/data-log';
import { notificationInputsFromEvent } from '../../lib/notifications/event';
import { FUNCTION_SPECS } from '../../infra/functions';
import {
  DEPLOYED_KINESIS_BATCH_SIZE,
  DEPLOYED_SQS_BATCH_SIZE,
  logWorkload,
  notificationEvents,
  notificationWorkload,
} from '../../bench/workload';

// Correctness of the bench's input and output shape only: timings are never asserted.
const root = resolve(import.meta.dirname, '..', '..');

describe('bench workload', () => {
  it('builds a Kinesis event of CloudWatch Logs subscription records just under the requested size', () => {
    const targetBytes = 150_000;
    const workload = logWorkload({ targetBytes, maxRecords: 40 });
    expect(workload.payloadBytes).toBe(Buffer.byteLength(JSON.stringify(workload.event)));
    expect(workload.payloadBytes).toBeLessThanOrEqual(targetBytes);
    expect(workload.payloadBytes).toBeGreaterThan(targetBytes * 0.9);
    expect(workload.records.length).toBeLessThanOrEqual(40);

    const { source, records } = logRecordsFromEvent(workload.event);
    expect(source).toBe('kinesis');
    expect(records).toEqual(workload.records);
    for (const record of workload.event.Records) {
      expect(record).toMatchObject({ eventSource: 'aws:kinesis', eventName: 'aws:kinesis:record', kinesis: { kinesisSchemaVersion: '1.0' } });
    }

    let logEvents = 0;
    let dataLogLines = 0;
    let control = 0;
    const endpoints = new Set<string>();
    let multiLine = 0;
    for (const record of records) {
      const decoded = decodeSubscriptionData(record.data);
      expect(decoded.ok, record.id).toBe(true);
      if (!decoded.ok) continue;
      logEvents += decoded.payload.logEvents.length;
      if (decoded.payload.messageType === 'CONTROL_MESSAGE') {
        control++;
        continue;
      }
      const dataLog = dataLogSource(decoded.payload.logGroup, decoded.payload.logStream);
      for (const event of decoded.payload.logEvents) {
        expect(event.id).toMatch(/^\d{56}$/);
        if (!dataLog) continue;
        endpoints.add(dataLog.endpointName);
        const line = parseDataLogLine(event.message, event.timestamp);
        expect(line, event.message).toBeDefined();
        expect(line!.at).toBe(event.timestamp);
        dataLogLines++;
        if (line!.message.includes('\n')) multiLine++;
      }
    }
    expect(control).toBe(1);
    expect(logEvents).toBe(workload.logEvents);
    expect(dataLogLines).toBe(workload.dataLogLines);
    expect(endpoints.size).toBeGreaterThan(1);
    expect(multiLine).toBeGreaterThan(0);
    expect(workload.requests.some((r) => r.status === 'Failed')).toBe(true);
  });

  it('is deterministic for a seed and fills whole records up to the deployed batch size', () => {
    const a = logWorkload({ targetBytes: 60_000, seed: 3 });
    const b = logWorkload({ targetBytes: 60_000, seed: 3 });
    expect(a.event).toEqual(b.event);
    expect(a.records.length).toBeLessThanOrEqual(DEPLOYED_KINESIS_BATCH_SIZE);
  });

  it('flushes every request when asked, so each has all its lines in the batch', () => {
    const workload = logWorkload({ targetBytes: 30_000, flushOpenRequests: true });
    for (const request of workload.requests) expect(request.linesInBatch).toBe(request.lines);
  });

  it('builds SQS events of SNS-wrapped and raw async notifications', () => {
    const events = notificationWorkload({ count: 25 });
    expect(events.map((e) => e.Records.length)).toEqual([10, 10, 5]);
    const inputs = events.flatMap((event) => notificationInputsFromEvent(event).inputs);
    expect(inputs).toHaveLength(25);
    for (const input of inputs) expect(input.parsed.kind).toBe('notification');
    const request = logWorkload({ targetBytes: 20_000 }).requests[0]!;
    const [event] = notificationEvents([request]);
    const [input] = notificationInputsFromEvent(event).inputs;
    expect(input!.parsed).toMatchObject({
      kind: 'notification',
      notification: { inferenceId: request.inferenceId, endpointName: request.endpointName, invocationStatus: request.status },
    });
  });

  it('uses the batch sizes the stack deploys', () => {
    const events = (name: 'processLogs' | 'processNotifications') =>
      (config.functions[name] as unknown as { events: Array<Record<string, { batchSize?: number }>> }).events[0]!;
    expect(events('processLogs').stream?.batchSize).toBe(DEPLOYED_KINESIS_BATCH_SIZE);
    expect(events('processNotifications').sqs?.batchSize).toBe(DEPLOYED_SQS_BATCH_SIZE);
  });
});

describe('npm run bench -- --json', () => {
  it('prints one object with the documented keys', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'bin/run-ts.js',
        'bench/index.ts',
        '--json',
        '--runs=1',
        '--warmup=0',
        '--batch-bytes=40000',
        '--notifications=30',
        '--store-bytes=8000',
        '--import-runs=1',
        '--memory-invocations=1',
        '--sdk-bytes=20000',
      ],
      { cwd: root, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
    );
    const report = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(report).sort()).toEqual(['bundles', 'processLogs', 'processNotifications', 'store']);
    expect(Object.keys(report.processLogs!).sort()).toEqual(
      ['decodeFloorMs', 'deployedMemoryMb', 'eventsPerSecond', 'logEvents', 'peakRssMb', 'pipelineMs', 'ratio', 'records'].sort(),
    );
    for (const value of Object.values(report.processLogs!)) expect(typeof value).toBe('number');
    expect(report.processLogs!.deployedMemoryMb).toBe(FUNCTION_SPECS.processLogs.memorySize);
    expect(Object.keys(report.processNotifications!)).toEqual(['notificationsPerSecond']);
    expect(Object.keys(report.store!).sort()).toEqual(['readsPerRequest', 'writesPerRequest']);
    expect(Object.keys(report.bundles!).sort()).toEqual(Object.keys(FUNCTION_SPECS).sort());
    for (const bundle of Object.values(report.bundles!)) {
      expect(Object.keys(bundle as object).sort()).toEqual(['bytes', 'importMs']);
    }
  }, 120_000);
});
