import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OrderCreated } from '../../events/index.ts';
import { createOrderStore } from '../../lambdas/orders/adapters/order-store.ts';
import { idempotencyKey, orderKey } from '../../lambdas/orders/adapters/orders-table.ts';
import type { Order } from '../../lambdas/orders/domain/order.ts';
import { timelineEntry } from '../../lambdas/orders/domain/timeline.ts';
import {
  validatePlaceOrderRequest,
  type ValidPlaceOrder,
} from '../../lambdas/orders/domain/place-order-request.ts';
import { placeOrder, type PlaceOrderDeps } from '../../lambdas/orders/use-cases/place-order.ts';
import {
  InvalidCursorError,
  type IdempotencyRecord,
  type NewOrderWrite,
  type OrderStore,
} from '../../lambdas/orders/use-cases/ports.ts';
import { createOrdersTable, dynamoDbEndpoint } from './orders-table-fixture.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 60_000;

let table: Awaited<ReturnType<typeof createOrdersTable>>;
let store: OrderStore;

beforeAll(async () => {
  table = await createOrdersTable();
  store = createOrderStore(table.db, table.tableName);
}, TIMEOUT);

afterAll(async () => {
  await table?.destroy();
}, TIMEOUT);

const NOW = new Date('2026-03-01T12:00:00.000Z');

function orderWrite(
  overrides: { orderId?: string; eventId?: string; key?: string; customerId?: string } = {},
): NewOrderWrite {
  const orderId = overrides.orderId ?? randomUUID();
  const customerId = overrides.customerId ?? `cust-${randomUUID()}`;
  const order: Order = {
    orderId,
    customerId,
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 999 }],
    total: 999,
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
      eventId: overrides.eventId ?? randomUUID(),
      occurredAt: order.createdAt,
      orderId,
      correlationId: orderId,
      causationId: orderId,
      sequence: 1,
    },
    { customerId, currency: 'USD', items: order.items, total: 999, deadline: order.deadline },
  );
  const idempotency: IdempotencyRecord | undefined = overrides.key
    ? {
        key: overrides.key,
        requestHash: 'hash',
        orderId,
        statusCode: 201,
        responseBody: JSON.stringify({ orderId }),
        createdAt: order.createdAt,
        expiresAt: NOW.getTime() / 1000 + 86_400,
      }
    : undefined;
  return {
    order,
    event,
    ...(idempotency ? { idempotency } : {}),
    timeline: timelineEntry(order, { type: 'OrderPlaced' }, [event]),
    now: NOW,
  };
}

/** The items of the table that belong to one order write (order, its outbox item, its key). */
async function itemsOf(write: NewOrderWrite) {
  const all = await table.items();
  return {
    orders: all.filter((item) => item.pk === `ORDER#${write.order.orderId}` && item.sk === 'ORDER'),
    timeline: all.filter(
      (item) => item.pk === `ORDER#${write.order.orderId}` && item.sk !== 'ORDER',
    ),
    outbox: all.filter((item) => item.pk === `OUTBOX#${write.event.eventId}`),
    keys: all.filter(
      (item) => write.idempotency && item.pk === `IDEMPOTENCY#${write.idempotency.key}`,
    ),
  };
}

function valid(body: unknown): ValidPlaceOrder {
  const result = validatePlaceOrderRequest(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}

const useCaseDeps = (): PlaceOrderDeps => ({
  store,
  now: () => new Date(),
  newId: randomUUID,
  sagaTimeoutSeconds: 90,
});

describe('DynamoDB order store (DynamoDB Local)', () => {
  describe('createOrder', () => {
    it(
      'writes the order with its first timeline entry, its outbox item and the idempotency record together',
      async () => {
        const write = orderWrite({ key: randomUUID() });
        expect(await store.createOrder(write)).toEqual({ outcome: 'created' });

        const written = await itemsOf(write);
        expect(written.orders).toEqual([
          expect.objectContaining({
            entityType: 'ORDER',
            gsi1pk: `CUSTOMER#${write.order.customerId}`,
            total: 999,
          }),
        ]);
        expect(written.outbox).toEqual([
          expect.objectContaining({
            entityType: 'OUTBOX',
            event: JSON.stringify(write.event),
            expiresAt: expect.any(Number),
          }),
        ]);
        expect(written.keys).toEqual([
          expect.objectContaining({
            entityType: 'IDEMPOTENCY',
            expiresAt: write.idempotency!.expiresAt,
          }),
        ]);
        // The entry is on the order item: no item of its own.
        expect(written.timeline).toEqual([]);
        expect(written.orders[0]?.timeline).toHaveLength(1);
        expect(await store.getOrder(write.order.orderId)).toEqual(write.order);
        expect(await store.getOrderHistory(write.order.orderId)).toEqual({
          order: write.order,
          timeline: [write.timeline],
        });
      },
      TIMEOUT,
    );

    it(
      'writes nothing when the order already exists',
      async () => {
        const first = orderWrite();
        await store.createOrder(first);
        const clash = orderWrite({ orderId: first.order.orderId, key: randomUUID() });

        expect(await store.createOrder(clash)).toEqual({
          outcome: 'already-exists',
          item: 'order',
        });
        const written = await itemsOf(clash);
        expect(written.outbox).toEqual([]);
        expect(written.keys).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'writes nothing when the outbox item already exists',
      async () => {
        const eventId = randomUUID();
        await table.client.send(
          new PutCommand({
            TableName: table.tableName,
            Item: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX', entityType: 'OUTBOX' },
          }),
        );
        const clash = orderWrite({ eventId, key: randomUUID() });

        expect(await store.createOrder(clash)).toEqual({
          outcome: 'already-exists',
          item: 'outbox',
        });
        const written = await itemsOf(clash);
        expect(written.orders).toEqual([]);
        expect(written.keys).toEqual([]);
        expect(await store.getOrder(clash.order.orderId)).toBeUndefined();
      },
      TIMEOUT,
    );

    it(
      'returns the existing record with the failed condition when the key is taken, and writes nothing',
      async () => {
        const key = randomUUID();
        const first = orderWrite({ key });
        await store.createOrder(first);
        const second = orderWrite({ key });

        expect(await store.createOrder(second)).toEqual({
          outcome: 'idempotency-key-taken',
          existing: first.idempotency,
        });
        const written = await itemsOf(second);
        expect(written.orders).toEqual([]);
        expect(written.outbox).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'reuses a key whose record expired but is not deleted yet',
      async () => {
        const key = randomUUID();
        await table.client.send(
          new PutCommand({
            TableName: table.tableName,
            Item: {
              ...idempotencyKey(key),
              entityType: 'IDEMPOTENCY',
              expiresAt: NOW.getTime() / 1000 - 1,
            },
          }),
        );
        expect(await store.getIdempotencyRecord(key, NOW)).toBeUndefined();
        const write = orderWrite({ key });
        expect(await store.createOrder(write)).toEqual({ outcome: 'created' });
        expect(await store.getIdempotencyRecord(key, NOW)).toEqual(write.idempotency);
      },
      TIMEOUT,
    );
  });

  describe('placing orders with an idempotency key', () => {
    const body = {
      customerId: 'cust-concurrent',
      items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 5 }],
    };

    it(
      'creates exactly one order for 20 concurrent identical requests, and every caller gets its id',
      async () => {
        const key = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            placeOrder({ order: valid(body), idempotencyKey: key }, useCaseDeps()),
          ),
        );

        const orderIds = new Set(
          results.map((result) => (result.kind === 'placed' ? result.orderId : result.kind)),
        );
        expect(orderIds.size).toBe(1);
        const [orderId] = orderIds;
        expect(
          results.filter((result) => result.kind === 'placed' && !result.replayed),
        ).toHaveLength(1);
        expect(
          new Set(results.map((result) => (result.kind === 'placed' ? result.body : ''))),
        ).toEqual(new Set([expect.stringContaining(`"orderId":"${orderId}"`)]));

        const all = await table.items();
        const orders = all.filter(
          (item) => item.entityType === 'ORDER' && item.customerId === body.customerId,
        );
        expect(orders.map((item) => item.orderId)).toEqual([orderId]);
        const events = all
          .filter((item) => item.entityType === 'OUTBOX' && typeof item.event === 'string')
          .map((item) => JSON.parse(item.event as string) as { orderId: string });
        expect(events.filter((event) => event.orderId === orderId)).toHaveLength(1);
        expect(
          all.filter((item) => item.pk === `IDEMPOTENCY#${body.customerId}#${key}`),
        ).toHaveLength(1);
      },
      TIMEOUT,
    );

    it(
      'refuses the same key with a different body and writes nothing',
      async () => {
        const key = randomUUID();
        const first = await placeOrder(
          { order: valid({ ...body, customerId: 'cust-key-reuse' }), idempotencyKey: key },
          useCaseDeps(),
        );
        const before = (await table.items()).length;
        const second = await placeOrder(
          {
            order: valid({
              ...body,
              customerId: 'cust-key-reuse',
              items: [{ sku: 'SKU-2', quantity: 1, unitPrice: 5 }],
            }),
            idempotencyKey: key,
          },
          useCaseDeps(),
        );

        expect(first.kind).toBe('placed');
        expect(second).toEqual({ kind: 'idempotency-key-reused' });
        expect((await table.items()).length).toBe(before);
      },
      TIMEOUT,
    );
  });

  describe('listOrdersByCustomer', () => {
    const customerId = `cust-list-${randomUUID()}`;
    const created: string[] = [];

    beforeAll(async () => {
      // Seven orders a minute apart, written out of order, and one for another customer.
      for (const minute of [3, 0, 6, 1, 5, 2, 4]) {
        const write = orderWrite({ customerId });
        const createdAt = new Date(NOW.getTime() + minute * 60_000).toISOString();
        write.order = { ...write.order, createdAt, updatedAt: createdAt };
        await store.createOrder(write);
        created[minute] = write.order.orderId;
      }
      await store.createOrder(orderWrite({ customerId: `${customerId}-other` }));
    }, TIMEOUT);

    it(
      'lists newest first and the cursor pages through every order exactly once',
      async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listOrdersByCustomer(customerId, {
            limit: 3,
            ...(cursor ? { cursor } : {}),
          });
          expect(page.orders.length).toBeLessThanOrEqual(3);
          seen.push(...page.orders.map((order) => order.orderId));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor && pages < 10);

        expect(seen).toEqual([...created].reverse());
        expect(pages).toBe(3);
      },
      TIMEOUT,
    );

    it(
      'gives no cursor when a page holds exactly the last orders (DynamoDB stops at Limit with a key anyway)',
      async () => {
        const all = await store.listOrdersByCustomer(customerId, { limit: created.length });
        expect(all.orders.map((o) => o.orderId)).toEqual([...created].reverse());
        expect(all.nextCursor).toBeUndefined();

        const first = await store.listOrdersByCustomer(customerId, { limit: 4 });
        const rest = await store.listOrdersByCustomer(customerId, {
          limit: 3,
          cursor: first.nextCursor!,
        });
        expect(rest.orders).toHaveLength(3);
        expect(rest.nextCursor).toBeUndefined();
      },
      TIMEOUT,
    );

    it(
      'lists the orders as the table holds them now, from an index that projects only keys',
      async () => {
        const raw = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
        const { Table } = await raw.send(new DescribeTableCommand({ TableName: table.tableName }));
        raw.destroy();
        expect(Table?.GlobalSecondaryIndexes?.[0]?.Projection?.ProjectionType).toBe('KEYS_ONLY');

        const newest = created[6]!;
        await table.client.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: orderKey(newest),
            UpdateExpression: 'SET #status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': 'CONFIRMED' },
          }),
        );
        const { orders } = await store.listOrdersByCustomer(customerId, { limit: 2 });
        expect(orders.map((order) => [order.orderId, order.status])).toEqual([
          [newest, 'CONFIRMED'],
          [created[5], 'PENDING'],
        ]);
        expect(orders[0]).toMatchObject({ customerId, items: expect.any(Array) });
      },
      TIMEOUT,
    );

    it(
      'refuses a tampered cursor or another customer’s cursor',
      async () => {
        const { nextCursor } = await store.listOrdersByCustomer(customerId, { limit: 2 });
        expect(nextCursor).toEqual(expect.any(String));
        await expect(
          store.listOrdersByCustomer(`${customerId}-other`, { limit: 2, cursor: nextCursor! }),
        ).rejects.toThrow(InvalidCursorError);
        const tampered = `${nextCursor!.slice(0, -4)}AAAA`;
        await expect(
          store.listOrdersByCustomer(customerId, { limit: 2, cursor: tampered }),
        ).rejects.toThrow(InvalidCursorError);
      },
      TIMEOUT,
    );
  });
});
