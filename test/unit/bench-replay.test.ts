import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { matchKey, ReplaySender, wireKeyValue, type Recording } from '../../bench/replay-sender';
import { itemFromConditionFailure } from '../../lib/store/requests-item';

// The bench's replay of DynamoDB answers (bench/replay-sender.ts): the proxy builds match keys
// from the wire, the replay from the store's commands, and the two must agree.

const keys = { requests: ['inferenceId', 'endpointName'], state: ['pk', 'sk'] };
const wireKey = (operation: string, table: string, key: Record<string, { S: string }>) =>
  matchKey(
    operation,
    table,
    keys[table as keyof typeof keys].map((name) => wireKeyValue(key[name])),
  );

function recording(): Recording {
  const item = { inferenceId: { S: 'a' }, endpointName: { S: 'ep' }, logLineCount: { N: '2' }, sources: { SS: ['logs'] } };
  return {
    keys,
    calls: [
      { operation: 'UpdateItem', match: wireKey('UpdateItem', 'requests', { inferenceId: { S: 'a' }, endpointName: { S: 'ep' } }), status: 200, body: JSON.stringify({ Attributes: item }) },
      {
        operation: 'UpdateItem',
        match: wireKey('UpdateItem', 'requests', { inferenceId: { S: 'b' }, endpointName: { S: 'ep' } }),
        status: 400,
        body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: item }),
      },
      { operation: 'PutItem', match: wireKey('PutItem', 'state', { pk: { S: 'open#1' }, sk: { S: 's' } }), status: 200, body: '{}' },
      { operation: 'GetItem', match: wireKey('GetItem', 'requests', { inferenceId: { S: 'c' }, endpointName: { S: 'ep' } }), status: 200, body: '{}' },
    ],
  };
}

describe('the bench replay of DynamoDB answers', () => {
  it('answers each command with its own recorded answer, unmarshalled, and throws recorded errors as the client does', async () => {
    const sender = new ReplaySender();
    sender.prepare(recording());
    const updated = (await sender.send(new UpdateCommand({ TableName: 'requests', Key: { inferenceId: 'a', endpointName: 'ep' }, UpdateExpression: 'SET x = :x' }))) as {
      Attributes: Record<string, unknown>;
    };
    expect(updated.Attributes).toEqual({ inferenceId: 'a', endpointName: 'ep', logLineCount: 2, sources: new Set(['logs']) });
    const failed = await sender.send(new UpdateCommand({ TableName: 'requests', Key: { inferenceId: 'b', endpointName: 'ep' }, UpdateExpression: 'SET x = :x' })).catch((error: unknown) => error);
    expect(failed).toMatchObject({ name: 'ConditionalCheckFailedException', $fault: 'client', message: 'The conditional request failed' });
    expect(itemFromConditionFailure(failed)).toMatchObject({ inferenceId: 'a', logLineCount: 2 });
    // A PutItem is matched by the key attributes of its item.
    expect(await sender.send(new PutCommand({ TableName: 'state', Item: { pk: 'open#1', sk: 's', other: 1 } }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    // The second call on the same key has no answer left: a miss, answered empty.
    expect(await sender.send(new UpdateCommand({ TableName: 'requests', Key: { inferenceId: 'a', endpointName: 'ep' }, UpdateExpression: 'SET x = :x' }))).toEqual({});
    expect(sender.finish()).toEqual({ answered: 3, loose: 0, misses: 1, unused: 1 });
  });

  it('answers a key it never saw with the next answer of the same operation and table', async () => {
    const sender = new ReplaySender();
    sender.prepare(recording());
    // An open list's item has a random key: another run's differs.
    expect(await sender.send(new PutCommand({ TableName: 'state', Item: { pk: 'open#7', sk: 'other' } }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    // Given once: the exact key finds nothing left, and no PutItem of that table either.
    expect(await sender.send(new PutCommand({ TableName: 'state', Item: { pk: 'open#1', sk: 's' } }))).toEqual({});
    expect(sender.finish()).toEqual({ answered: 1, loose: 1, misses: 1, unused: 3 });
  });

  it('reports the last call on the next prepare and forgets its answers', async () => {
    const sender = new ReplaySender();
    sender.prepare(recording());
    await sender.send(new GetCommand({ TableName: 'requests', Key: { inferenceId: 'c', endpointName: 'ep' } }));
    expect(sender.prepare({ keys, calls: [] })).toEqual({ answered: 1, loose: 0, misses: 0, unused: 3 });
    expect(await sender.send(new GetCommand({ TableName: 'requests', Key: { inferenceId: 'c', endpointName: 'ep' } }))).toEqual({});
    expect(sender.finish()).toEqual({ answered: 0, loose: 0, misses: 1, unused: 0 });
  });
});
