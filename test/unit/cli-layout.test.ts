import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/commands/demo';
import { createProgress, formatClock, progressLine } from '../../cli/progress';
import { renderTable, wrapText } from '../../cli/table';
import type { DemoSummary } from '../../local/runtime';
import { Captured } from '../support/cli';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('tables fit 100 columns', () => {
  it('cuts the widest column with an ellipsis and keeps the others whole', () => {
    const table = renderTable(['ID', 'STATUS', 'DETAIL'], [['8d2e4b71-1a9f-4c35-b6e0-57c3d9a2f804', 'Failed', 'x'.repeat(300)]]);
    expect(widest(table)).toBeLessThanOrEqual(100);
    expect(table).toContain('8d2e4b71-1a9f-4c35-b6e0-57c3d9a2f804');
    expect(table).toMatch(/x…$/m);
  });

  it('wraps a wrapped column onto extra lines, losing nothing', () => {
    const actions = Array.from({ length: 12 }, (_, i) => `${i + 1}x PutSomething${i}`).join(', ');
    const table = renderTable(['RESOURCE', 'ACTIONS'], [['endpoint-a', actions]], { wrap: [1] });
    expect(widest(table)).toBeLessThanOrEqual(100);
    const lines = table.split('\n').slice(2);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((l) => l.slice(12).trim()).join(' ')).toBe(actions);
  });

  it('leaves a narrow table as it is', () => {
    expect(renderTable(['A', 'B'], [['1', '2']])).toBe('A  B\n-  -\n1  2');
  });

  it('wraps words, cutting only words longer than a line', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('the demo summary fits 100 columns with long names and every kind', () => {
    const kinds = ['async', 'multi-model', 'serverless-provisioned-concurrency', 'inference-pipeline', 'inference-components'];
    const summary: DemoSummary = {
      seed: 42,
      requests: 3000,
      correlated: 3000,
      lost: 0,
      duplicatesCounted: 0,
      injected: [
        { id: 'F3', kind: 'lost-notifications', resource: 'tenant-forecast-async-multi-model-endpoint-eu', fromMinute: 60, withinMinutes: 45, affectedRequests: 12, detectableFrom: 1 },
        {
          id: 'F7',
          kind: 'latency-shift',
          resource: 'tenant-forecast-async-multi-model-endpoint-eu',
          fromMinute: 90,
          withinMinutes: 20,
          affectedRequests: 40,
          detectableFrom: 5,
          evidenceP90Minutes: 45.2,
        },
      ],
      detected: [
        {
          faultId: 'F3',
          alert: {
            kind: 'log-errors-without-notification',
            severity: 'critical',
            resource: 'tenant-forecast-async-multi-model-endpoint-eu',
            fingerprint: 'f',
            title: `4 failed async request(s) on ${'t'.repeat(60)} never got a notification`,
          },
          delayMinutes: 20,
        },
      ],
      missed: [{ faultId: 'F7', reason: 'caught late, after 31.5 min' }],
      falseAlerts: [{ kind: 'latency-shift', resource: 'r'.repeat(60), title: 'Latency shift '.repeat(8), atMinute: 125.5 }],
      selfMonitoring: [{ kind: 'pipeline-behind', resource: 'notifications', title: "sagewatch's async notification queue is behind ".repeat(3), status: 'firing', atMinute: 34 }],
      alerts: [],
      conditions: [],
      durationMinutes: 120,
      attached: [
        {
          resource: 'search-ranker-serverless-provisioned-concurrency-endpoint',
          type: 'endpoint',
          kinds,
          actions: [
            ...Array(15).fill({ service: 'cloudwatch', action: 'PutMetricAlarm' }),
            { service: 'logs', action: 'PutSubscriptionFilter' },
            { service: 'sns', action: 'Subscribe' },
            { service: 'cloudwatch', action: 'PutMetricStream' },
            { service: 'cloudwatch', action: 'PutDashboard' },
          ],
        },
      ],
      metrics: { RequestsCompleted: 2700, RequestsFailed: 300, EndToEndLatencySamples: 2700, LogErrorsWithoutNotification: 40, StuckRequests: 12 },
      alertsSent: 5,
      alertsDeliveredToSlack: 5,
      slackDuplicates: 0,
      chaos: { throttledWrites: 120, crashedInvocations: 14, redeliveredBatches: 33, duplicatedMessages: 250, slackRejections: 9 },
      deadLetters: 1,
      kinesisFailures: 2,
      endpoints: [{ name: 'a', kind: 'async' }],
      elapsedMs: 20_000,
      // The 2,000-endpoint run's figures (README "Control plane at 2,000 endpoints"), with the widest part there is.
      controlPlane: {
        resources: 2003,
        apiCalls: { PutMetricAlarm: 21782 },
        maxHistoryEvents: 651,
        reconcile: { apiCallsWhenUnchanged: 12638, writesWhenUnchanged: 0, childExecutionsWhenUnchanged: 0 },
        simulatedMinutesToConverge: 121,
        monthlyCostUsd: 14152.84,
        monthlyCost: [
          { item: 'alarm metrics', quantity: 30230, monthlyUsd: 3022 },
          { item: 'high-resolution alarm metrics', quantity: 12, monthlyUsd: 3.6 },
          { item: 'dashboards', quantity: 2000, monthlyUsd: 5991 },
          { item: 'metric stream updates', quantity: 1713280800, monthlyUsd: 5139.84 },
        ],
      },
    };
    const text = renderSummary(summary, '/home/user/projects/sagewatch/.sagewatch');
    // The account's monthly cost and its parts, figures as the README prints them.
    expect(text).toMatch(/^ {2}alarm metrics +30,230 +\$3,022\.00$/m);
    expect(text).toMatch(/^ {2}dashboards +2,000 +\$5,991\.00$/m);
    expect(text).toMatch(/^ {2}metric stream updates +1,713,280,800 +\$5,139\.84$/m);
    expect(text).toMatch(/^ {2}total +\$14,152\.84$/m);
    expect(renderSummary({ ...summary, controlPlane: undefined }, '/h')).not.toContain('Monthly CloudWatch cost');
    expect(widest(text)).toBeLessThanOrEqual(100);
    for (const kind of kinds) expect(text.replace(/\s+/g, ' ')).toContain(kind);
    expect(text).toContain('15x PutMetricAlarm');
    // A miss whose allowance is shorter than the traffic needs to show the fault says so.
    expect(text).toContain('sends the 5 changed requests its detector needs only 45.2 min in, 9 times in 10');
  });
});

describe('progress bar', () => {
  it('fills the terminal line exactly, with elapsed time and an estimate of the rest', () => {
    for (const columns of [40, 80, 100, 200]) {
      const line = progressLine(0.25, 'replayed minute 17/70 of traffic', 30_000, columns);
      expect(line.length).toBe(columns - 1);
      expect(line).toMatch(/\[#+\.+\]\s+25% 0:30 ETA 1:30 /);
    }
    expect(progressLine(1, 'done', 65_000, 80)).toMatch(/100% 1:05 done/);
    expect(progressLine(0, 'starting', 0, 80)).toMatch(/ETA --:--/);
  });

  it('redraws one line on a terminal and prints a line per 10% elsewhere', () => {
    let now = 0;
    const tty = new Captured(true, 60);
    const bar = createProgress(tty, () => now);
    for (let i = 0; i <= 100; i++) {
      now = i * 100;
      bar(i / 100, `step ${i}`);
    }
    expect(tty.text.split('\r').length).toBe(102);
    expect(tty.text.endsWith('\n')).toBe(true);
    expect(tty.text.split('\r').every((l) => l.replace('\n', '').length <= 59)).toBe(true);

    const pipe = new Captured(false);
    const lines = createProgress(pipe, () => now);
    for (let i = 0; i <= 100; i++) lines(i / 100, `step ${i}`);
    expect(pipe.text.trimEnd().split('\n')).toHaveLength(11);
    expect(pipe.text).not.toContain('\r');
  });

  it('formats clock times', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(61_000)).toBe('1:01');
    expect(formatClock(3_725_000)).toBe('1:02:05');
  });
});
