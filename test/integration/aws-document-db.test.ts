import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createDocumentDb,
  isConditionalCheckFailed,
  isTransactionCanceled,
  type DocumentDb,
} from '../../lambdas/shared/aws/document-db.ts';
import { createTable } from './create-table.ts';
import { dynamoDbEndpoint } from './orders-table-fixture.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 60_000;

let raw: DynamoDBClient;
let db: DocumentDb;
let TableName: string;

beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  raw = new DynamoDBClient({ endpoint });
  TableName = `aws-client-it-${randomUUID()}`;
  await createTable(raw, TableName, { partitionKey: 'pk', sortKey: 'sk' });
  // The Lambda way: the endpoint from the standard setting, credentials from the environment.
  db = createDocumentDb({
    env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ENDPOINT_URL: undefined },
  });
}, TIMEOUT);

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName }));
  raw?.destroy();
}, TIMEOUT);

describe('DocumentDb on DynamoDB Local', () => {
  it(
    'reads several items in one batch, with native values, leaving out missing keys',
    async () => {
      const items = [
        { pk: 'BATCH#1', sk: 'ORDER', n: 1, tags: ['a'] },
        { pk: 'BATCH#2', sk: 'ORDER', n: 2, tags: ['b'] },
      ];
      for (const Item of items) await db.put({ TableName, Item });
      const { Responses, UnprocessedKeys } = await db.batchGet({
        RequestItems: {
          [TableName]: {
            Keys: [...items.map(({ pk, sk }) => ({ pk, sk })), { pk: 'BATCH#none', sk: 'ORDER' }],
            ConsistentRead: true,
          },
        },
      });
      const found = [...(Responses?.[TableName] ?? [])].sort((a, b) =>
        String(a.pk).localeCompare(String(b.pk)),
      );
      expect(found).toEqual(items);
      expect(UnprocessedKeys ?? {}).toEqual({});
    },
    TIMEOUT,
  );

  it(
    'writes an item and reads it back with native values',
    async () => {
      const item = {
        pk: 'ORDER#round-trip',
        sk: 'ORDER',
        total: { amount: 1250, currency: 'EUR' },
        lines: [{ sku: 'A', quantity: 2 }],
        paid: false,
        absent: undefined,
      };
      await db.put({ TableName, Item: item });
      const { Item } = await db.get({
        TableName,
        Key: { pk: item.pk, sk: 'ORDER' },
        ConsistentRead: true,
      });
      expect(Item).toEqual({
        pk: 'ORDER#round-trip',
        sk: 'ORDER',
        total: { amount: 1250, currency: 'EUR' },
        lines: [{ sku: 'A', quantity: 2 }],
        paid: false,
      });
    },
    TIMEOUT,
  );

  it(
    'updates an item and returns its new attributes',
    async () => {
      const Key = { pk: 'COUNTER#1', sk: 'COUNTER' };
      await db.update({
        TableName,
        Key,
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1 },
      });
      const { Attributes } = await db.update({
        TableName,
        Key,
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      });
      expect(Attributes).toEqual({ ...Key, n: 2 });
    },
    TIMEOUT,
  );

  it(
    'queries a partition page by page',
    async () => {
      const pk = `LIST#${randomUUID()}`;
      for (const n of [1, 2, 3]) await db.put({ TableName, Item: { pk, sk: `ITEM#${n}`, n } });
      const seen: unknown[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.query({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': 'ITEM#' },
          Limit: 2,
          ExclusiveStartKey,
        });
        seen.push(...(page.Items ?? []).map((i): unknown => i.n));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      expect(seen).toEqual([1, 2, 3]);
    },
    TIMEOUT,
  );

  it(
    'throws ConditionalCheckFailedException, with the old item when asked',
    async () => {
      const Item = { pk: 'ONCE#1', sk: 'ONCE', v: 1 };
      await db.put({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' });
      const error = await db
        .put({
          TableName,
          Item: { ...Item, v: 2 },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        })
        .catch((e: unknown) => e);
      expect(isConditionalCheckFailed(error)).toBe(true);
      if (!isConditionalCheckFailed(error)) throw error;
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.Item).toEqual({ pk: { S: 'ONCE#1' }, sk: { S: 'ONCE' }, v: { N: '1' } });
    },
    TIMEOUT,
  );

  it(
    'writes a transaction, then cancels its replay with the reason of each item',
    async () => {
      const marker = { pk: `PROCESSED#${randomUUID()}`, sk: 'PROCESSED' };
      const transaction = {
        TransactItems: [
          {
            Update: {
              TableName,
              Key: { pk: 'STOCK#1', sk: 'STOCK' },
              UpdateExpression: 'ADD reserved :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          { Put: { TableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      };
      await db.transactWrite(transaction);
      const error = await db.transactWrite(transaction).catch((e: unknown) => e);
      expect(isTransactionCanceled(error)).toBe(true);
      if (!isTransactionCanceled(error)) throw error;
      expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual([
        'None',
        'ConditionalCheckFailed',
      ]);
      const { Item } = await db.get({
        TableName,
        Key: { pk: 'STOCK#1', sk: 'STOCK' },
        ConsistentRead: true,
      });
      expect(Item?.reserved).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'deletes an item',
    async () => {
      const Key = { pk: 'GONE#1', sk: 'GONE' };
      await db.put({ TableName, Item: Key });
      await db.delete({ TableName, Key });
      expect((await db.get({ TableName, Key, ConsistentRead: true })).Item).toBeUndefined();
    },
    TIMEOUT,
  );
});
