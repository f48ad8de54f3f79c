import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoMeter } from '../../bench/dynamo-meter';
import { ReplaySender } from '../../bench/replay-sender';
import { SignedDynamoDBClient } from '../../lib/aws/signed-dynamodb';
import { startDynamo, type EmbeddedDynamo } from '../../local/dynamo';

// The bench's client-CPU figure runs processLogs a second time over the answers the metering
// proxy recorded: the replay must give the store what the deployed client gave it, answer for
// answer, or the two runs do not take the same path.
describe('bench replay of recorded DynamoDB answers', () => {
  let dynamo: EmbeddedDynamo;
  let meter: DynamoMeter;
  let client: SignedDynamoDBClient;
  const TableName = 'replay-requests';

  beforeAll(async () => {
    dynamo = await startDynamo();
    const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await admin.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'inferenceId', AttributeType: 'S' },
          { AttributeName: 'endpointName', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'inferenceId', KeyType: 'HASH' },
          { AttributeName: 'endpointName', KeyType: 'RANGE' },
        ],
      }),
    );
    admin.destroy();
    meter = new DynamoMeter(dynamo.endpoint);
    process.env.AWS_ACCESS_KEY_ID ??= 'a';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'b';
    client = new SignedDynamoDBClient({ region: 'us-east-1', endpoint: await meter.endpoint('recorded'), maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await meter.close();
    await dynamo.close();
  });

  const commands = () => [
    new PutCommand({ TableName, Item: { inferenceId: 'a', endpointName: 'ep', n: 1, sources: new Set(['logs']) } }),
    new UpdateCommand({ TableName, Key: { inferenceId: 'a', endpointName: 'ep' }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW' }),
    new UpdateCommand({
      TableName,
      Key: { inferenceId: 'a', endpointName: 'ep' },
      UpdateExpression: 'SET n = :n',
      ConditionExpression: 'attribute_not_exists(inferenceId)',
      ExpressionAttributeValues: { ':n': 9 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
    new GetCommand({ TableName, Key: { inferenceId: 'a', endpointName: 'ep' }, ConsistentRead: true }),
    new GetCommand({ TableName, Key: { inferenceId: 'none', endpointName: 'ep' }, ConsistentRead: true }),
  ];

  const settle = (promise: Promise<unknown>) =>
    promise.then(
      (output) => ({ output: { ...(output as object), $metadata: undefined } }),
      (error: { name: string; message: string; $fault: string; Item?: unknown }) => ({ error: { name: error.name, message: error.message, fault: error.$fault, item: error.Item } }),
    );

  it('answers the same commands as the client did, failed conditions included, with nothing missed or left over', async () => {
    meter.record('recorded');
    const real = [];
    for (const command of commands()) real.push(await settle(client.send(command)));
    const recording = await meter.takeRecording('recorded');
    expect(recording.calls.map((call) => call.operation)).toEqual(['PutItem', 'UpdateItem', 'UpdateItem', 'GetItem', 'GetItem']);

    const replay = new ReplaySender();
    replay.prepare(recording);
    const replayed = [];
    for (const command of commands()) replayed.push(await settle(replay.send(command)));
    expect(replayed).toEqual(real);
    expect(real[2]).toMatchObject({ error: { name: 'ConditionalCheckFailedException' } });
    expect(replay.finish()).toEqual({ answered: 5, loose: 0, misses: 0, unused: 0 });
    // Taken once: the next take starts empty.
    expect((await meter.takeRecording('recorded')).calls).toEqual([]);
  });

  it('answers a warm-up round from a recording without writing, counting or recording anything', async () => {
    meter.record('recorded');
    const fresh = () => [
      new UpdateCommand({ TableName, Key: { inferenceId: 'w', endpointName: 'ep' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 }, ReturnValues: 'ALL_NEW' }),
      new GetCommand({ TableName, Key: { inferenceId: 'w', endpointName: 'ep' }, ConsistentRead: true }),
    ];
    const first = [];
    for (const command of fresh()) first.push(await settle(client.send(command)));
    const recording = await meter.takeRecording('recorded');
    const before = meter.snapshot();

    meter.answerFrom('recorded', recording);
    // dynalite would answer n = 2 now; the recording answers what it answered the first time.
    const round = [];
    for (const command of [
      new UpdateCommand({ TableName, Key: { inferenceId: 'w', endpointName: 'ep' }, UpdateExpression: 'SET n = n + :n', ExpressionAttributeValues: { ':n': 1 }, ReturnValues: 'ALL_NEW' }),
      fresh()[1]!,
    ])
      round.push(await settle(client.send(command)));
    expect(round).toEqual(first);
    // Nothing left for a third command of the same key and operation: an empty answer.
    expect(await settle(client.send(fresh()[1]!))).toEqual({ output: { $metadata: undefined } });
    expect(meter.snapshot()).toEqual(before);
    expect((await meter.takeRecording('recorded')).calls).toEqual([]);

    meter.answerFrom('recorded', undefined);
    // Back to dynalite: the table never saw the round's increment.
    expect(await settle(client.send(fresh()[1]!))).toEqual(first[1]);
  });
});
