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
});
