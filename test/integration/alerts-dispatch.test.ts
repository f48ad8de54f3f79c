import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createNotifyHandler } from '../../functions/notify-slack';
import { dispatchAlert } from '../../lib/alerts/dispatch';
import { createAlert, resolveAlert, type AlertInput } from '../../lib/alert-model/alert';
import { createSnsPublisher, MemoryPublisher } from '../../lib/alerts/publish';
import { AlertStore } from '../../lib/store/alerts';
import { snsLambdaEvent } from '../../local/builders';
import { ensureTables, startDynamo, type EmbeddedDynamo } from '../../local/dynamo';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';

/**
 * The whole path of an alert: dedupe in the state table (dynalite), publish to the alerts topic
 * (SNS mocked, exact input), the topic's Lambda delivery to notify-slack, and Slack (loopback).
 */
const TABLES = { requests: 'dispatch-t-requests', inventory: 'dispatch-t-inventory', state: 'dispatch-t-state' };
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sagewatch-dev-alerts';
let dynamo: EmbeddedDynamo;
let documents: DynamoDBDocumentClient;
let slack: FakeSlack;
const sns = mockClient(SNSClient);

beforeAll(async () => {
  dynamo = await startDynamo();
  await ensureTables(dynamo.endpoint, TABLES);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
});

afterAll(async () => {
  documents.destroy();
  await dynamo.close();
});

beforeEach(async () => {
  sns.reset();
  let n = 0;
  sns.on(PublishCommand).callsFake(async () => ({ MessageId: `msg-${++n}` }));
  slack = await startFakeSlack();
});

afterEach(async () => {
  await slack.close();
});

const T0 = Date.UTC(2024, 5, 3, 14, 5);
let run = 0;

function input(name: string): AlertInput {
  return {
    kind: 'stuck-requests',
    severity: 'warning',
    title: `7 requests to ${name} are stuck`,
    description: 'Data-log lines but no notification for more than 15 minutes.',
    resource: { type: 'endpoint', name, region: 'eu-west-1', account: '111122223333' },
    detectedAt: T0,
    evidence: { numbers: [{ name: 'stuck', value: 7 }], inferenceIds: ['r-1', 'r-2'] },
  };
}

/** What SNS would hand the notify-slack Lambda for the n-th Publish: the `default` body. */
function lambdaEventOfPublish(index: number) {
  const sent = sns.commandCalls(PublishCommand)[index]!.args[0].input;
  const body = JSON.parse(sent.Message!) as { default: string };
  return snsLambdaEvent(body.default, { topicArn: TOPIC, messageId: `msg-${index + 1}` });
}

describe('dispatchAlert', () => {
  it('sends once per cooldown, resolves once, and every sent alert reaches Slack', async () => {
    const clock = { now: T0 };
    const store = new AlertStore(documents, { tableName: TABLES.state, now: () => clock.now });
    const deps = { store, publisher: createSnsPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC }), cooldownSeconds: 900 };
    const name = `ep-${++run}`;
    const firing = createAlert(input(name));

    await expect(dispatchAlert(firing, deps)).resolves.toEqual({ sent: true, reason: 'first', messageId: 'msg-1' });
    clock.now += 60_000;
    await expect(dispatchAlert(createAlert({ ...input(name), detectedAt: clock.now }), deps)).resolves.toEqual({ sent: false, reason: 'suppressed' });
    clock.now += 60_000;
    await expect(dispatchAlert(resolveAlert(firing, { at: clock.now }), deps)).resolves.toEqual({ sent: true, reason: 'resolution', messageId: 'msg-2' });

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.MessageAttributes?.status?.StringValue)).toEqual(['firing', 'resolved']);

    const notify = createNotifyHandler({ env: { SLACK_WEBHOOK_URL: slack.url }, metrics: false });
    await notify(lambdaEventOfPublish(0));
    await notify(lambdaEventOfPublish(1));
    const headers = slack.received.map((r) => (r.body as { blocks: Array<{ text: { text: string } }> }).blocks[0]!.text.text);
    expect(headers).toEqual([`:large_orange_circle: 7 requests to ${name} are stuck`, `:white_check_mark: Resolved: 7 requests to ${name} are stuck`]);

    const history = (await store.recent(T0 - 60_000)).filter((s) => s.alert.resource.name === name);
    expect(history.map((s) => [s.alert.status, s.messageId])).toEqual([
      ['resolved', 'msg-2'],
      ['firing', 'msg-1'],
    ]);
  });

  it('gives the claim back when publishing fails, so the retry sends', async () => {
    const store = new AlertStore(documents, { tableName: TABLES.state, now: () => T0 });
    const alert = createAlert(input(`ep-${++run}`));
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ MessageId: 'msg-retry' });
    const deps = { store, publisher: createSnsPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC }), cooldownSeconds: 900 };

    await expect(dispatchAlert(alert, deps)).rejects.toThrow('Rate exceeded');
    await expect(dispatchAlert(alert, deps)).resolves.toEqual({ sent: true, reason: 'first', messageId: 'msg-retry' });
    await expect(dispatchAlert(alert, deps)).resolves.toEqual({ sent: false, reason: 'suppressed' });
  });

  it('still reports the alert as sent when only the history write fails', async () => {
    const real = new AlertStore(documents, { tableName: TABLES.state, now: () => T0 });
    const warnings: string[] = [];
    const store = { shouldSend: real.shouldSend.bind(real), recordSent: async () => Promise.reject(new Error('table gone')) };
    const log = { debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
    const publisher = new MemoryPublisher();
    await expect(dispatchAlert(createAlert(input(`ep-${++run}`)), { store, publisher, cooldownSeconds: 900, log })).resolves.toMatchObject({ sent: true });
    expect(publisher.published).toHaveLength(1);
    expect(warnings).toEqual(['alert sent but not recorded in history']);
  });
});
