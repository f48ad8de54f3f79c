import { describe, expect, it } from 'vitest';
import config from '../../serverless';
import { logRecordsFromEvent } from '../../lib/logs/kinesis-event';
import { decodeSubscriptionData } from '../../lib/logs/subscription';
import { dataLogSource } from '../../lib/logs/source';
import { parseDataLogLine } from '../../lib/logs/data-log';
import { notificationInputsFromEvent } from '../../lib/notifications/event';
import { DEPLOYED_KINESIS_BATCH_SIZE, DEPLOYED_SQS_BATCH_SIZE, logWorkload, notificationEvents, notificationWorkload, worstCaseWorkload } from '../../bench/workload';

// Correctness of the bench's input only: timings are never asserted.

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

  it('builds the worst-case batch of 10,000-event records, highly compressible', () => {
    const workload = worstCaseWorkload({ targetBytes: 600_000, dataLogEvents: 50 });
    expect(workload.payloadBytes).toBeLessThanOrEqual(600_000);
    expect(workload.payloadBytes).toBe(Buffer.byteLength(JSON.stringify(workload.event)));
    const decoded = workload.records.map((record) => decodeSubscriptionData(record.data));
    const counts = decoded.map((d) => (d.ok ? d.payload.logEvents.length : -1));
    expect(counts[0]).toBe(50);
    expect(counts.slice(1).every((n) => n === 10_000)).toBe(true);
    expect(workload.dataLogLines).toBe(50);
    expect(workload.requests).toHaveLength(50);
    // Gzip shrinks it about tenfold: a 6 MB batch holds about 45 MB of subscription JSON.
    expect(workload.decodedBytes / workload.payloadBytes).toBeGreaterThan(6);
    const { records } = logRecordsFromEvent(workload.event);
    expect(records).toHaveLength(workload.records.length);
  });

  it('uses the batch sizes the stack deploys', () => {
    const events = (name: 'processLogs' | 'processNotifications') => (config.functions[name] as unknown as { events: Array<Record<string, { batchSize?: number }>> }).events[0]!;
    expect(events('processLogs').stream?.batchSize).toBe(DEPLOYED_KINESIS_BATCH_SIZE);
    expect(events('processNotifications').sqs?.batchSize).toBe(DEPLOYED_SQS_BATCH_SIZE);
  });
});
