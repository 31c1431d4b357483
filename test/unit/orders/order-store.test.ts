import { beforeEach, describe, expect, it } from '@jest/globals';
import { OrderCreated } from '../../../events/index.ts';
import { createOrderStore } from '../../../lambdas/orders/adapters/order-store.ts';
import { BATCH_GET_ATTEMPTS } from '../../../lambdas/shared/batch-get-items.ts';
import { encodeCursor } from '../../../lambdas/orders/adapters/orders-table.ts';
import type { Order } from '../../../lambdas/orders/domain/order.ts';
import { timelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import { encodeTimelineEntry } from '../../../lambdas/orders/adapters/timeline-codec.ts';
import {
  InvalidCursorError,
  type IdempotencyRecord,
  type NewOrderWrite,
} from '../../../lambdas/orders/use-cases/ports.ts';
import { AwsServiceError } from '../../../lambdas/shared/aws/errors.ts';
import { failWith, FakeDocumentDb, transactionCanceled } from '../shared/aws/fake-document-db.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const order: Order = {
  orderId: 'o1',
  customerId: 'cust-1',
  currency: 'USD',
  items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
  total: 100,
  status: 'PENDING',
  saga: { payment: 'NONE', inventory: 'NONE' },
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  deadline: '2026-03-01T12:01:30.000Z',
  sequence: 1,
  version: 1,
};

const event = OrderCreated.create(
  {
    eventId: 'e1',
    occurredAt: order.createdAt,
    orderId: 'o1',
    correlationId: 'o1',
    causationId: 'o1',
    sequence: 1,
  },
  {
    customerId: 'cust-1',
    currency: 'USD',
    items: order.items,
    total: 100,
    deadline: order.deadline,
  },
);

const record: IdempotencyRecord = {
  key: 'key-1',
  requestHash: 'hash-1',
  orderId: 'o1',
  statusCode: 201,
  responseBody: '{"orderId":"o1"}',
  createdAt: order.createdAt,
  expiresAt: NOW_SECONDS + 86_400,
};

const write: NewOrderWrite = {
  order,
  event,
  idempotency: record,
  timeline: timelineEntry(order, { type: 'OrderPlaced' }, [event]),
  now: NOW,
};

const cancelled = (...codes: string[]) => transactionCanceled(codes);

describe('createOrderStore', () => {
  const dynamo = new FakeDocumentDb();
  const store = createOrderStore(dynamo, 'orders');

  beforeEach(() => {
    dynamo.reset();
  });

  describe('createOrder', () => {
    it('writes order (with its first timeline entry), outbox item and idempotency record in one conditional transaction', async () => {
      dynamo.on('transactWrite', () => ({}));
      expect(await store.createOrder(write)).toEqual({ outcome: 'created' });

      const [call] = dynamo.inputs('transactWrite');
      const items = call!.TransactItems!;
      expect(items).toHaveLength(3);
      expect(items[0]!.Put).toMatchObject({
        TableName: 'orders',
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: {
          pk: 'ORDER#o1',
          sk: 'ORDER',
          entityType: 'ORDER',
          gsi1pk: 'CUSTOMER#cust-1',
          total: 100,
          timeline: [encodeTimelineEntry(write.timeline, order.createdAt)],
        },
      });
      expect(items[1]!.Put).toMatchObject({
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: { pk: 'OUTBOX#e1', entityType: 'OUTBOX', event: JSON.stringify(event) },
      });
      expect(items[2]!.Put).toMatchObject({
        ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':now': NOW_SECONDS },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        Item: {
          pk: 'IDEMPOTENCY#key-1',
          sk: 'IDEMPOTENCY',
          entityType: 'IDEMPOTENCY',
          idempotencyKey: 'key-1',
          requestHash: 'hash-1',
          expiresAt: record.expiresAt,
        },
      });
    });

    it('writes only order and outbox item without an idempotency key', async () => {
      dynamo.on('transactWrite', () => ({}));
      const { idempotency: _none, ...withoutKey } = write;
      await store.createOrder(withoutKey);
      const items = dynamo.inputs('transactWrite')[0]!.TransactItems!;
      expect(items.map((item) => (item.Put!.Item as { entityType: string }).entityType)).toEqual([
        'ORDER',
        'OUTBOX',
      ]);
    });

    it('reports an existing order when there is no key', async () => {
      const { idempotency: _none, ...withoutKey } = write;
      dynamo.on('transactWrite', failWith(cancelled('ConditionalCheckFailed', 'None')));
      expect(await store.createOrder(withoutKey)).toEqual({
        outcome: 'already-exists',
        item: 'order',
      });
    });

    it('reports a taken key with the record DynamoDB returned on the failed condition', async () => {
      const error = new AwsServiceError({
        code: 'TransactionCanceledException',
        message: 'Transaction cancelled',
        status: 400,
        details: {
          CancellationReasons: [
            { Code: 'None' },
            { Code: 'None' },
            {
              Code: 'ConditionalCheckFailed',
              Item: {
                pk: { S: 'IDEMPOTENCY#key-1' },
                sk: { S: 'IDEMPOTENCY' },
                entityType: { S: 'IDEMPOTENCY' },
                idempotencyKey: { S: 'key-1' },
                requestHash: { S: 'hash-0' },
                orderId: { S: 'o0' },
                statusCode: { N: '201' },
                responseBody: { S: '{"orderId":"o0"}' },
                createdAt: { S: '2026-03-01T11:59:00.000Z' },
                expiresAt: { N: String(NOW_SECONDS + 100) },
              },
            },
          ],
        },
      });
      dynamo.on('transactWrite', failWith(error));
      expect(await store.createOrder(write)).toEqual({
        outcome: 'idempotency-key-taken',
        existing: {
          key: 'key-1',
          requestHash: 'hash-0',
          orderId: 'o0',
          statusCode: 201,
          responseBody: '{"orderId":"o0"}',
          createdAt: '2026-03-01T11:59:00.000Z',
          expiresAt: NOW_SECONDS + 100,
        },
      });
    });

    it('reports a taken key without a record when none came back', async () => {
      dynamo.on('transactWrite', failWith(cancelled('None', 'None', 'ConditionalCheckFailed')));
      expect(await store.createOrder(write)).toEqual({ outcome: 'idempotency-key-taken' });
    });

    it('reports a transaction conflict as retryable', async () => {
      dynamo.on('transactWrite', failWith(cancelled('None', 'None', 'TransactionConflict')));
      expect(await store.createOrder(write)).toEqual({ outcome: 'write-conflict' });
    });

    it('reports which item already existed', async () => {
      dynamo.on('transactWrite', failWith(cancelled('ConditionalCheckFailed', 'None', 'None')));
      expect(await store.createOrder(write)).toEqual({ outcome: 'already-exists', item: 'order' });
      dynamo.on('transactWrite', failWith(cancelled('None', 'ConditionalCheckFailed', 'None')));
      expect(await store.createOrder(write)).toEqual({ outcome: 'already-exists', item: 'outbox' });
    });

    it('rethrows cancellations it cannot explain and any other error', async () => {
      dynamo.on('transactWrite', failWith(cancelled('ValidationError', 'None', 'None')));
      await expect(store.createOrder(write)).rejects.toMatchObject({
        name: 'TransactionCanceledException',
      });
      dynamo.on('transactWrite', failWith(new Error('network down')));
      await expect(store.createOrder(write)).rejects.toThrow('network down');
    });
  });

  describe('getIdempotencyRecord', () => {
    const item = {
      pk: 'IDEMPOTENCY#key-1',
      sk: 'IDEMPOTENCY',
      entityType: 'IDEMPOTENCY',
      idempotencyKey: 'key-1',
      ...record,
    };

    it('reads the record strongly consistently', async () => {
      dynamo.on('get', () => ({ Item: item }));
      expect(await store.getIdempotencyRecord('key-1', NOW)).toEqual(record);
      expect(dynamo.inputs('get')[0]!).toEqual({
        TableName: 'orders',
        Key: { pk: 'IDEMPOTENCY#key-1', sk: 'IDEMPOTENCY' },
        ConsistentRead: true,
      });
    });

    it('ignores an expired record that TTL has not deleted yet', async () => {
      dynamo.on('get', () => ({ Item: { ...item, expiresAt: NOW_SECONDS - 1 } }));
      expect(await store.getIdempotencyRecord('key-1', NOW)).toBeUndefined();
    });

    it('returns undefined for an unknown key', async () => {
      dynamo.on('get', () => ({}));
      expect(await store.getIdempotencyRecord('key-1', NOW)).toBeUndefined();
    });
  });

  describe('getOrder', () => {
    it('reads the order strongly consistently, without storage attributes', async () => {
      dynamo.on('get', () => ({
        Item: {
          ...order,
          pk: 'ORDER#o1',
          sk: 'ORDER',
          entityType: 'ORDER',
          gsi1pk: 'x',
          gsi1sk: 'y',
        },
      }));
      expect(await store.getOrder('o1')).toEqual(order);
      expect(dynamo.inputs('get')[0]!).toMatchObject({
        Key: { pk: 'ORDER#o1', sk: 'ORDER' },
        ConsistentRead: true,
      });
    });

    it('returns undefined for an unknown order', async () => {
      dynamo.on('get', () => ({}));
      expect(await store.getOrder('o1')).toBeUndefined();
    });
  });

  describe('listOrdersByCustomer', () => {
    const lastKey = {
      pk: 'ORDER#o1',
      sk: 'ORDER',
      gsi1pk: 'CUSTOMER#cust-1',
      gsi1sk: `${order.createdAt}#o1`,
    };
    /** The keys-only index entry of order `orderId` and its table item. */
    const indexEntry = (orderId: string, createdAt: string) => ({
      pk: `ORDER#${orderId}`,
      sk: 'ORDER',
      gsi1pk: 'CUSTOMER#cust-1',
      gsi1sk: `${createdAt}#${orderId}`,
    });
    const orderNamed = (orderId: string, createdAt: string): Order => ({
      ...order,
      orderId,
      createdAt,
      updatedAt: createdAt,
    });
    const tableItem = (o: Order) => ({
      ...o,
      ...indexEntry(o.orderId, o.createdAt),
      entityType: 'ORDER',
      timeline: ['entry'],
    });
    const newer = orderNamed('o2', '2026-03-01T11:00:00.000Z');
    const older = orderNamed('o3', '2026-03-01T10:00:00.000Z');

    it('queries the customer index newest first, one key more than the page, and returns a cursor after the page', async () => {
      const nextKey = indexEntry('o0', '2026-02-01T10:00:00.000Z');
      dynamo.on('query', () => ({ Items: [lastKey, nextKey], LastEvaluatedKey: nextKey }));
      dynamo.on('batchGet', () => ({ Responses: { orders: [tableItem(order)] } }));
      const page = await store.listOrdersByCustomer('cust-1', { limit: 1 });

      // The extra key only tells that there is more: the next page starts with it.
      expect(page).toEqual({ orders: [order], nextCursor: encodeCursor(lastKey) });
      expect(dynamo.inputs('batchGet')[0]!.RequestItems!.orders!.Keys).toEqual([
        { pk: lastKey.pk, sk: lastKey.sk },
      ]);
      expect(dynamo.inputs('query')[0]!).toEqual({
        TableName: 'orders',
        IndexName: 'byCustomer',
        KeyConditionExpression: '#pk = :customer',
        ExpressionAttributeNames: { '#pk': 'gsi1pk' },
        ExpressionAttributeValues: { ':customer': 'CUSTOMER#cust-1' },
        ScanIndexForward: false,
        Limit: 2,
      });
    });

    it('has no cursor when the page holds the last orders, however DynamoDB stopped', async () => {
      // Exactly `limit` orders left: DynamoDB, asked for one more, finds none after them.
      dynamo.on('query', () => ({ Items: [lastKey] }));
      dynamo.on('batchGet', () => ({ Responses: { orders: [tableItem(order)] } }));
      expect(await store.listOrdersByCustomer('cust-1', { limit: 1 })).toEqual({
        orders: [order],
      });
    });

    it('reads the page’s orders by their table keys, eventually consistent, in one batch', async () => {
      dynamo.on('query', () => ({
        Items: [indexEntry('o2', newer.createdAt), indexEntry('o3', older.createdAt)],
      }));
      dynamo.on('batchGet', () => ({
        Responses: { orders: [tableItem(newer), tableItem(older)] },
      }));
      await store.listOrdersByCustomer('cust-1', { limit: 2 });

      expect(dynamo.inputs('batchGet')).toEqual([
        {
          RequestItems: {
            orders: {
              Keys: [
                { pk: 'ORDER#o2', sk: 'ORDER' },
                { pk: 'ORDER#o3', sk: 'ORDER' },
              ],
              ConsistentRead: false,
            },
          },
        },
      ]);
    });

    it('keeps the index’s order (newest first) whatever order the batch answers in', async () => {
      dynamo.on('query', () => ({
        Items: [indexEntry('o2', newer.createdAt), indexEntry('o3', older.createdAt)],
      }));
      dynamo.on('batchGet', () => ({
        Responses: { orders: [tableItem(older), tableItem(newer)] },
      }));
      const page = await store.listOrdersByCustomer('cust-1', { limit: 2 });
      expect(page.orders).toEqual([newer, older]);
    });

    it('asks again for the keys DynamoDB left unprocessed, and lists every order', async () => {
      dynamo.on('query', () => ({
        Items: [indexEntry('o2', newer.createdAt), indexEntry('o3', older.createdAt)],
      }));
      dynamo.on(
        'batchGet',
        () => ({
          Responses: { orders: [tableItem(older)] },
          UnprocessedKeys: {
            orders: { Keys: [{ pk: 'ORDER#o2', sk: 'ORDER' }], ConsistentRead: false },
          },
        }),
        () => ({ Responses: { orders: [tableItem(newer)] } }),
      );
      const page = await store.listOrdersByCustomer('cust-1', { limit: 2 });

      expect(page.orders).toEqual([newer, older]);
      expect(dynamo.inputs('batchGet')[1]!.RequestItems).toEqual({
        orders: { Keys: [{ pk: 'ORDER#o2', sk: 'ORDER' }], ConsistentRead: false },
      });
    });

    it('fails after a bounded number of attempts rather than list a page with orders missing', async () => {
      dynamo.on('query', () => ({ Items: [indexEntry('o2', newer.createdAt)] }));
      dynamo.on('batchGet', (input) => ({ UnprocessedKeys: input.RequestItems }));
      await expect(store.listOrdersByCustomer('cust-1', { limit: 1 })).rejects.toThrow(
        /unread after/,
      );
      expect(dynamo.inputs('batchGet')).toHaveLength(BATCH_GET_ATTEMPTS);
    });

    it('reads a key the eventually consistent read missed again, consistently', async () => {
      dynamo.on('query', () => ({
        Items: [indexEntry('o2', newer.createdAt), indexEntry('o3', older.createdAt)],
      }));
      // o2 was just placed: the index has it, the eventually consistent read not yet.
      dynamo.on(
        'batchGet',
        () => ({ Responses: { orders: [tableItem(older)] } }),
        () => ({ Responses: { orders: [tableItem(newer)] } }),
      );
      const page = await store.listOrdersByCustomer('cust-1', { limit: 2 });
      expect(page.orders).toEqual([newer, older]);
      expect(dynamo.inputs('batchGet')[1]!.RequestItems).toEqual({
        orders: { Keys: [{ pk: 'ORDER#o2', sk: 'ORDER' }], ConsistentRead: true },
      });
    });

    it('leaves out an indexed order the table does not hold even when read consistently', async () => {
      dynamo.on('query', () => ({
        Items: [indexEntry('o2', newer.createdAt), indexEntry('o3', older.createdAt)],
      }));
      dynamo.on('batchGet', () => ({ Responses: { orders: [tableItem(older)] } }));
      const page = await store.listOrdersByCustomer('cust-1', { limit: 2 });
      expect(page.orders).toEqual([older]);
      expect(dynamo.inputs('batchGet')).toHaveLength(2);
    });

    it('continues after the cursor’s key and has no cursor on the last page', async () => {
      dynamo.on('query', () => ({ Items: [] }));
      const page = await store.listOrdersByCustomer('cust-1', {
        limit: 5,
        cursor: encodeCursor(lastKey),
      });
      expect(page).toEqual({ orders: [] });
      expect(dynamo.inputs('query')[0]!.ExclusiveStartKey).toEqual(lastKey);
      // BatchGetItem refuses an empty key list: an empty page reads nothing more.
      expect(dynamo.inputs('batchGet')).toHaveLength(0);
    });

    it('refuses a cursor that is not for this customer without querying', async () => {
      await expect(
        store.listOrdersByCustomer('cust-2', { limit: 5, cursor: encodeCursor(lastKey) }),
      ).rejects.toThrow(InvalidCursorError);
      expect(dynamo.inputs('query')).toHaveLength(0);
    });
  });
});
