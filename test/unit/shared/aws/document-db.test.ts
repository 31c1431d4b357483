import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  createDocumentDb,
  isConditionalCheckFailed,
  isTransactionCanceled,
  type DocumentDb,
} from '../../../../lambdas/shared/aws/document-db.ts';
import { lambdaEnv, startCaptureServer, type CaptureServer } from './capture-server.ts';

let server: CaptureServer;
let sdk: DynamoDBDocumentClient;
let db: DocumentDb;

beforeAll(async () => {
  server = await startCaptureServer();
  // The document client as the services configured it before this client existed.
  sdk = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
      maxAttempts: 1,
    }),
    {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
      unmarshallOptions: { wrapNumbers: false },
    },
  );
  db = createDocumentDb({ env: lambdaEnv(server.url), maxAttempts: 1 });
});
afterAll(async () => {
  sdk.destroy();
  await server.close();
});
beforeEach(() => {
  server.requests.splice(0);
  server.answers.splice(0);
});

/** The last two requests (the SDK's, then ours): same target, same JSON body. */
function expectSameWire(ignore: string[] = []) {
  const [theirs, ours] = server.requests.slice(-2);
  expect(ours!.headers['x-amz-target']).toBe(theirs!.headers['x-amz-target']);
  expect(ours!.headers['content-type']).toBe(theirs!.headers['content-type']);
  const body = (raw: string) => {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    for (const field of ignore) delete parsed[field];
    return parsed;
  };
  expect(body(ours!.body)).toEqual(body(theirs!.body));
}

const item = {
  pk: 'ORDER#1',
  sk: 'ORDER',
  total: { amount: 1250, currency: 'EUR' },
  lines: [{ sku: 'A', quantity: 2 }],
  tags: ['x'],
  customerEmail: undefined,
  paid: false,
  note: null,
};

describe('DocumentDb requests, compared with the SDK document client', () => {
  it('marshalls a GetItem', async () => {
    const input = { TableName: 't', Key: { pk: 'ORDER#1', sk: 'ORDER' }, ConsistentRead: true };
    await sdk.send(new GetCommand(input));
    await db.get(input);
    expectSameWire();
  });

  it('marshalls a PutItem, dropping undefined attributes', async () => {
    const input = {
      TableName: 't',
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': 3 },
    };
    await sdk.send(new PutCommand(input));
    await db.put(input);
    expectSameWire();
    expect(server.requests.at(-1)!.body).not.toContain('customerEmail');
  });

  it('marshalls an UpdateItem', async () => {
    const input = {
      TableName: 't',
      Key: { pk: 'ORDER#1', sk: 'ORDER' },
      UpdateExpression: 'SET #s = :s ADD #n :one',
      ExpressionAttributeNames: { '#s': 'status', '#n': 'attempts' },
      ExpressionAttributeValues: { ':s': 'SENT', ':one': 1 },
      ReturnValues: 'ALL_NEW' as const,
    };
    await sdk.send(new UpdateCommand(input));
    await db.update(input);
    expectSameWire();
  });

  it('marshalls a DeleteItem', async () => {
    const input = { TableName: 't', Key: { pk: 'IDEMPOTENCY', sk: 'k' } };
    await sdk.send(new DeleteCommand(input));
    await db.delete(input);
    expectSameWire();
  });

  it('marshalls a Query with a start key', async () => {
    const input = {
      TableName: 't',
      IndexName: 'byCustomer',
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': 'ORDER#1', ':p': 'EVENT#' },
      ExclusiveStartKey: { pk: 'ORDER#1', sk: 'EVENT#2' },
      Limit: 25,
      ScanIndexForward: false,
    };
    await sdk.send(new QueryCommand(input));
    await db.query(input);
    expectSameWire();
  });

  it('marshalls a BatchGetItem over two tables', async () => {
    const input = {
      RequestItems: {
        t: {
          Keys: [
            { pk: 'ORDER#1', sk: 'ORDER' },
            { pk: 'ORDER#2', sk: 'ORDER' },
          ],
          ConsistentRead: false,
          ProjectionExpression: '#pk, #s',
          ExpressionAttributeNames: { '#pk': 'pk', '#s': 'status' },
        },
        u: { Keys: [{ id: 7 }] },
      },
      ReturnConsumedCapacity: 'TOTAL' as const,
    };
    await sdk.send(new BatchGetCommand(input));
    await db.batchGet(input);
    expectSameWire();
  });

  it('marshalls every kind of transaction item and adds a request token', async () => {
    const input = {
      TransactItems: [
        { Put: { TableName: 't', Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: 't',
            Key: { pk: 'P#1', sk: 'P' },
            UpdateExpression: 'SET #v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': 2, ':old': 1 },
            ConditionExpression: '#v = :old',
          },
        },
        {
          ConditionCheck: {
            TableName: 't',
            Key: { pk: 'C#1', sk: 'C' },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { Delete: { TableName: 't', Key: { pk: 'D#1', sk: 'D' } } },
      ],
      ReturnConsumedCapacity: 'TOTAL' as const,
    };
    await sdk.send(new TransactWriteCommand(input));
    await db.transactWrite(input);
    // Both add a random idempotency token.
    expectSameWire(['ClientRequestToken']);
    const ours = JSON.parse(server.requests.at(-1)!.body) as { ClientRequestToken?: string };
    expect(ours.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a request token the caller chose', async () => {
    await db.transactWrite({ TransactItems: [], ClientRequestToken: 'mine' });
    expect(JSON.parse(server.requests.at(-1)!.body)).toMatchObject({ ClientRequestToken: 'mine' });
  });
});

describe('DocumentDb answers', () => {
  it('unmarshalls a GetItem item to native values', async () => {
    server.answers.push({
      status: 200,
      body: JSON.stringify({
        Item: { pk: { S: '1' }, n: { N: '12.5' }, m: { M: { list: { L: [{ BOOL: true }] } } } },
      }),
    });
    await expect(db.get({ TableName: 't', Key: { pk: '1' } })).resolves.toEqual({
      Item: { pk: '1', n: 12.5, m: { list: [true] } },
    });
  });

  it('answers a missing item with no Item', async () => {
    const output = await db.get({ TableName: 't', Key: { pk: '1' } });
    expect(output.Item).toBeUndefined();
  });

  it('unmarshalls Query items and the last evaluated key', async () => {
    server.answers.push({
      status: 200,
      body: JSON.stringify({
        Items: [{ pk: { S: '1' }, v: { N: '2' } }],
        Count: 1,
        LastEvaluatedKey: { pk: { S: '1' } },
      }),
    });
    await expect(db.query({ TableName: 't', KeyConditionExpression: 'pk = :p' })).resolves.toEqual({
      Items: [{ pk: '1', v: 2 }],
      Count: 1,
      LastEvaluatedKey: { pk: '1' },
    });
  });

  it('unmarshalls BatchGetItem responses and unprocessed keys, as the SDK document client', async () => {
    const answer = {
      Responses: { t: [{ pk: { S: '1' }, v: { N: '2' }, l: { L: [{ S: 'a' }] } }] },
      UnprocessedKeys: {
        t: { Keys: [{ pk: { S: '2' }, sk: { S: 'ORDER' } }], ConsistentRead: false },
      },
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 1 }],
    };
    const input = { RequestItems: { t: { Keys: [{ pk: '1' }, { pk: '2', sk: 'ORDER' }] } } };
    server.answers.push({ status: 200, body: JSON.stringify(answer) });
    server.answers.push({ status: 200, body: JSON.stringify(answer) });
    const { $metadata: _metadata, ...theirs } = await sdk.send(new BatchGetCommand(input));
    const ours = await db.batchGet(input);
    expect(ours).toEqual(theirs);
    expect(ours.Responses).toEqual({ t: [{ pk: '1', v: 2, l: ['a'] }] });
    expect(ours.UnprocessedKeys).toEqual({
      t: { Keys: [{ pk: '2', sk: 'ORDER' }], ConsistentRead: false },
    });
  });

  it('unmarshalls the attributes an update returns', async () => {
    server.answers.push({ status: 200, body: JSON.stringify({ Attributes: { n: { N: '3' } } }) });
    const output = await db.update({
      TableName: 't',
      Key: { pk: '1' },
      UpdateExpression: 'ADD n :one',
    });
    expect(output.Attributes).toEqual({ n: 3 });
  });

  it('throws a cancelled transaction with its raw cancellation reasons, as the SDK does', async () => {
    const reasons = [
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { pk: { S: 'x' } },
      },
    ];
    server.answers.push({
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled',
        CancellationReasons: reasons,
      }),
    });
    const error = await db.transactWrite({ TransactItems: [] }).catch((e: unknown) => e);
    expect(isTransactionCanceled(error)).toBe(true);
    expect(isConditionalCheckFailed(error)).toBe(false);
    if (!isTransactionCanceled(error)) throw new Error('unreachable');
    expect(error.CancellationReasons).toEqual(reasons);
  });

  it('throws a failed condition as ConditionalCheckFailedException with the raw old item', async () => {
    server.answers.push({
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: { pk: { S: 'x' } },
      }),
    });
    const error = await db.put({ TableName: 't', Item: { pk: 'x' } }).catch((e: unknown) => e);
    expect(isConditionalCheckFailed(error)).toBe(true);
    if (!isConditionalCheckFailed(error)) throw new Error('unreachable');
    expect(error.Item).toEqual({ pk: { S: 'x' } });
  });

  it('refuses a class instance rather than storing its fields', async () => {
    class Money {
      amount = 1;
    }
    await expect(
      db.put({ TableName: 't', Item: { pk: '1', money: new Money() } }),
    ).rejects.toThrow();
  });
});
