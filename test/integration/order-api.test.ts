import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrderStore } from '../../lambdas/orders/adapters/order-store.ts';
import { createApiHandler } from '../../lambdas/orders/api/order-api.ts';
import {
  apiEvent,
  bodyOf,
  lambdaContext,
  orderBody,
  postOrder,
  quietObservability,
} from '../unit/orders/api-fixtures.ts';
import { FakeSagaTimer } from '../unit/orders/fake-saga-timer.ts';
import { createOrdersTable } from './orders-table-fixture.ts';

const TIMEOUT = 60_000;

let table: Awaited<ReturnType<typeof createOrdersTable>>;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  table = await createOrdersTable();
  handler = createApiHandler({
    store: createOrderStore(table.db, table.tableName),
    now: () => new Date(),
    newId: randomUUID,
    sagaTimeoutSeconds: 90,
    timer: new FakeSagaTimer(),
    observability: quietObservability(),
  });
}, TIMEOUT);

afterAll(async () => {
  await table?.destroy();
}, TIMEOUT);

describe('order API on DynamoDB Local', () => {
  it(
    'creates an order that can be read back at once and listed, and replays a retried request',
    async () => {
      const customerId = `cust-${randomUUID()}`;
      const headers = { 'Idempotency-Key': randomUUID() };
      const created = await handler(
        postOrder({ ...orderBody(), customerId }, headers),
        lambdaContext(),
      );
      expect(created.statusCode).toBe(201);
      const { orderId } = bodyOf(created) as { orderId: string };

      const read = await handler(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId } }),
        lambdaContext(),
      );
      expect(read.statusCode).toBe(200);
      expect(bodyOf(read)).toEqual(bodyOf(created));

      const retried = await handler(
        postOrder({ ...orderBody(), customerId }, headers),
        lambdaContext(),
      );
      expect([retried.statusCode, retried.body]).toEqual([201, created.body]);
      expect(retried.headers).toMatchObject({
        'Idempotent-Replayed': 'true',
        Location: `/prod/orders/${orderId}`,
      });

      const listed = await handler(
        apiEvent({ resource: '/orders', query: { customerId } }),
        lambdaContext(),
      );
      expect(bodyOf(listed)).toEqual({ items: [bodyOf(created)], nextCursor: null });
    },
    TIMEOUT,
  );

  it(
    'answers 404 for an order that does not exist',
    async () => {
      const response = await handler(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: randomUUID() } }),
        lambdaContext(),
      );
      expect(response.statusCode).toBe(404);
    },
    TIMEOUT,
  );
});
