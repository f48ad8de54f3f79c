import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoMeter } from '../../bench/dynamo-meter';
import { startDynamo, type EmbeddedDynamo } from '../../local/dynamo';

// The bench's metering proxy against dynalite: what it bills for requests whose cost is known,
// on a table of its own (two indexes projecting everything, one keys only), whatever the
// project's own schema is.
describe('bench DynamoDB meter', () => {
  let dynamo: EmbeddedDynamo;
  let meter: DynamoMeter;
  let client: DynamoDBClient;
  const names = { requests: 'meter-requests' };

  beforeAll(async () => {
    dynamo = await startDynamo();
    const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const attribute = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
    const index = (IndexName: string, hash: string, range: string, ProjectionType: 'ALL' | 'KEYS_ONLY') => ({
      IndexName,
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' as const },
        { AttributeName: range, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType },
    });
    await admin.send(
      new CreateTableCommand({
        TableName: names.requests,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['inferenceId', 'endpointName', 'requestTime', 'openShard', 'openSince', 'status'].map(attribute),
        KeySchema: [
          { AttributeName: 'inferenceId', KeyType: 'HASH' },
          { AttributeName: 'endpointName', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [index('byEndpoint', 'endpointName', 'requestTime', 'ALL'), index('byOpen', 'openShard', 'openSince', 'ALL'), index('byStatus', 'status', 'requestTime', 'KEYS_ONLY')],
      }),
    );
    admin.destroy();
    meter = new DynamoMeter(dynamo.endpoint);
    client = new DynamoDBClient({ endpoint: await meter.endpoint('test'), region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await meter.close();
    await dynamo.close();
  });

  const key = { inferenceId: { S: 'req-1' }, endpointName: { S: 'ep' } };
  const table = () => meter.snapshot().test!.tables[names.requests]!;

  it('passes requests through unchanged and bills a first write with the index entries it creates', async () => {
    meter.reset();
    const out = await client.send(
      new UpdateItemCommand({
        TableName: names.requests,
        Key: key,
        UpdateExpression: 'SET requestTime = :t, openShard = :s, openSince = :t, body = :b',
        ExpressionAttributeValues: { ':t': { S: '2024-05-01T12:00:00.000Z' }, ':s': { S: 'open#1' }, ':b': { S: 'x'.repeat(1500) } },
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(out.Attributes?.openShard).toEqual({ S: 'open#1' });
    // dynalite's own figure counts the table only; so does the meter's table column.
    expect(table().writeUnits).toBe(out.ConsumedCapacity?.CapacityUnits);
    expect(table().writeUnits).toBe(2);
    // Both indexes project everything: each entry is the whole 1.6 KB item; no status, no byStatus entry.
    expect(table().indexes).toEqual({ byEndpoint: { units: 2, writes: 1 }, byOpen: { units: 2, writes: 1 }, byStatus: { units: 0, writes: 0 } });
    expect(meter.snapshot().test!.writeUnits).toBe(6);
  });

  it('sizes the entry of a keys-only index by its keys alone', async () => {
    meter.reset();
    await client.send(
      new UpdateItemCommand({
        TableName: names.requests,
        Key: key,
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'InProgress' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(table().indexes.byStatus).toEqual({ units: 1, writes: 1 });
    expect(table().indexes.byEndpoint).toEqual({ units: 2, writes: 1 });
  });

  it('counts a delete and a put when an index key moves, and a delete when an entry leaves a sparse index', async () => {
    meter.reset();
    await client.send(
      new UpdateItemCommand({
        TableName: names.requests,
        Key: key,
        // No ReturnValues: the meter reads the item back.
        UpdateExpression: 'SET requestTime = :t REMOVE openShard, openSince',
        ExpressionAttributeValues: { ':t': { S: '2024-05-01T12:00:09.000Z' } },
      }),
    );
    // byStatus (keys only) moves too: its sort key is requestTime.
    expect(table().indexes).toEqual({ byEndpoint: { units: 4, writes: 2 }, byOpen: { units: 2, writes: 1 }, byStatus: { units: 2, writes: 2 } });
    expect(table().writeUnits).toBe(2);
  });

  it('bills a failed condition by the item it was checked against', async () => {
    meter.reset();
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: names.requests,
          Key: key,
          UpdateExpression: 'SET a = :a',
          ConditionExpression: 'attribute_not_exists(requestTime)',
          ExpressionAttributeValues: { ':a': { N: '1' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(meter.snapshot().test!.conditionFailures).toBe(1);
    expect(meter.snapshot().test!.writeUnits).toBe(2);
  });

  it('bills reads by size and consistency, a Query by every item it evaluated before its filter', async () => {
    await client.send(
      new PutItemCommand({ TableName: names.requests, Item: { inferenceId: { S: 'req-2' }, endpointName: { S: 'ep' }, requestTime: { S: '2024-05-01T12:01:00.000Z' }, status: { S: 'Failed' } } }),
    );
    for (const id of ['req-3', 'req-4']) {
      const item = { inferenceId: { S: id }, endpointName: { S: 'ep' }, requestTime: { S: '2024-05-01T12:02:00.000Z' }, status: { S: 'Completed' }, body: { S: 'y'.repeat(1500) } };
      await client.send(new PutItemCommand({ TableName: names.requests, Item: item }));
    }
    meter.reset();
    await client.send(new GetItemCommand({ TableName: names.requests, Key: key, ConsistentRead: true }));
    expect(table().readUnits).toBe(1);
    meter.reset();
    await client.send(new GetItemCommand({ TableName: names.requests, Key: { inferenceId: { S: 'absent' }, endpointName: { S: 'ep' } } }));
    expect(table().readUnits).toBe(0.5);
    meter.reset();
    const page = await client.send(
      new QueryCommand({
        TableName: names.requests,
        IndexName: 'byEndpoint',
        KeyConditionExpression: 'endpointName = :ep',
        FilterExpression: '#s = :failed',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':ep': { S: 'ep' }, ':failed': { S: 'Failed' } },
      }),
    );
    expect(page.Items).toHaveLength(1);
    // Four items evaluated (three of about 1.6 KB): two 4 KB units, halved (index reads are
    // eventually consistent), though the one item returned is tiny.
    expect(table().readUnits).toBe(1);
    expect(meter.snapshot().test!.requests).toEqual({ Query: 1 });
  });
});
