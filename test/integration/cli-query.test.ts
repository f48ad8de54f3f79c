import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../lib/config';
import { requestStoreFromConfig } from '../../lib/store';
import { startEmbeddedStore } from '../../local/environment';
import { asyncNotification, dataLogMessage, dataMessage, kinesisEvent, logEvent, snsEnvelope, sqsEvent, subscriptionRecords } from '../../local/builders';
import type { RequestRecord } from '../../lib/requests/record';
import { cli } from '../support/cli';

/** `sagewatch invoke` then `sagewatch query` on the embedded store, as a user runs them. */
const home = mkdtempSync(join(tmpdir(), 'sagewatch-query-'));
const env = { ...process.env, SAGEWATCH_HOME: home, AWS_ENDPOINT_URL_DYNAMODB: undefined, REQUESTS_TABLE: undefined, STATE_TABLE: undefined };
// The embedded store reads its home from the process environment.
const previousHome = process.env.SAGEWATCH_HOME;
process.env.SAGEWATCH_HOME = home;
afterAll(() => {
  if (previousHome === undefined) delete process.env.SAGEWATCH_HOME;
  else process.env.SAGEWATCH_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0, 250);
const ENDPOINT = 'fraud-detector-async';

function file(name: string, value: unknown): string {
  const path = join(home, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

async function query(args: string[]): Promise<RequestRecord[]> {
  const result = await cli(['query', ...args, '--json'], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as RequestRecord[];
}

describe('sagewatch invoke and query', () => {
  it('finds a request by an id with brackets and spaces, exactly, and no phantom', async () => {
    const id = 'scan[2026-11-30] ] batch ';
    // One invoke per function: `invoke` keeps a handler's clients for the life of the process, as Lambda does.
    const logs = kinesisEvent(
      subscriptionRecords([
        dataMessage({
          endpointName: ENDPOINT,
          events: [
            logEvent(T0, dataLogMessage(T0, id, 'Inference request succeeded. ModelLatency: 6177 us')),
            logEvent(T0 + 1, dataLogMessage(T0 + 1, 'lost-notification-1', 'Received server error (500) from primary')),
          ],
        }),
      ]),
    );
    const notification = sqsEvent([
      {
        body: JSON.stringify(
          snsEnvelope(asyncNotification({ inferenceId: id, endpointName: ENDPOINT, status: 'Completed', receivedTime: new Date(T0 - 500).toISOString(), eventTime: new Date(T0 + 500).toISOString() })),
        ),
      },
    ]);
    expect((await cli(['invoke', 'processLogs', file('logs.json', logs)], env)).code).toBe(0);
    expect((await cli(['invoke', 'processNotifications', file('sqs.json', notification)], env)).code).toBe(0);
    const [record, ...others] = await query(['--inference-id', id]);
    expect(others).toEqual([]);
    expect(record).toMatchObject({ inferenceId: id, status: 'Completed', sources: ['logs', 'notification'], logLineCount: 1 });
    expect(await query(['--inference-id', 'scan[2026-11-30'])).toEqual([]);
    expect(await query(['--inference-id', id.trimEnd()])).toEqual([]);
  }, 60_000);

  it('reads a time without a zone as UTC, whatever the machine zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      expect(new Date(2026, 10, 30).getTimezoneOffset()).toBe(480);
      const inWindow = await cli(['query', '--endpoint', ENDPOINT, '--since', '2026-11-30T07:59:00', '--until', '2026-11-30 08:01', '--json'], env);
      expect(inWindow.code).toBe(0);
      expect((JSON.parse(inWindow.stdout) as RequestRecord[]).map((r) => r.inferenceId)).toContain('scan[2026-11-30] ] batch ');
      const before = await cli(['query', '--endpoint', ENDPOINT, '--until', '2026-11-30T07:59:00', '--json'], env);
      expect(JSON.parse(before.stdout)).toEqual([]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  }, 60_000);

  it.each([
    [['--since', '1h', '--until', '2h'], /^sagewatch: --since 1h .* is after --until 2h/],
    [['--since', '2026-11-30T09:00:00Z', '--until', '2026-11-30T08:00:00Z'], /is after --until/],
    [['--since', 'yesterday'], /--since: expected a duration like 30m, 1h, 7d or an ISO-8601 time, got "yesterday"/],
    [['--until', '2026-13-40'], /--until: expected a duration/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    const result = await cli(['query', '--endpoint', ENDPOINT, ...args], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  });

  it('says a request the sweeper declared stuck is stuck, in the table and the record', async () => {
    const id = 'lost-notification-1';
    // What the sweeper does to a request whose notification never came.
    const config = parseConfig({});
    const embedded = await startEmbeddedStore({ home, config });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: embedded.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    try {
      expect(await requestStoreFromConfig(config, client).markStuck({ inferenceId: id, endpointName: ENDPOINT }, '2026-11-30T08:20:00.000Z')).toBe(true);
    } finally {
      client.destroy();
      await embedded.close();
    }
    const table = await cli(['query', '--endpoint', ENDPOINT], env);
    expect(table.stdout).toMatch(/lost-notification.*InProgress \(stuck\)/);
    const record = await cli(['query', '--inference-id', id], env);
    expect(record.stdout).toMatch(/status\s+InProgress \(stuck\)/);
    expect(record.stdout).toMatch(/stuck\s+declared stuck by the sweeper at 2026-11-30T08:20:00.000Z/);
    expect((await query(['--inference-id', id]))[0]).toMatchObject({ status: 'InProgress', stuckAt: '2026-11-30T08:20:00.000Z' });
  }, 60_000);
});
