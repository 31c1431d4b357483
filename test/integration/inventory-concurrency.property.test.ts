import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { InventoryReleaseRequested, PaymentCompleted } from '../../events/index.ts';
import { createInventoryStore } from '../../lambdas/inventory/adapters/inventory-store.ts';
import { inventoryTableKeys } from '../../lambdas/inventory/adapters/inventory-table.ts';
import type { InventoryStore } from '../../lambdas/inventory/use-cases/ports.ts';
import { releaseStock } from '../../lambdas/inventory/use-cases/release-stock.ts';
import { reserveStock } from '../../lambdas/inventory/use-cases/reserve-stock.ts';
import { dynamoDbEndpoint, localDocumentDb, sdkDocumentClient } from './orders-table-fixture.ts';
import { createTable } from './create-table.ts';

// Each run races real transactions in DynamoDB Local on a busy machine: few runs, long timeout.
const RUNS = 6;
const TIMEOUT = 300_000;

let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let tableName: string;
let store: InventoryStore;

beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  raw = new DynamoDBClient({ endpoint });
  client = sdkDocumentClient();
  tableName = `inventory-race-${randomUUID()}`;
  const { partitionKey, sortKey, productsIndex } = inventoryTableKeys;
  await createTable(raw, tableName, { partitionKey, sortKey, index: productsIndex });
  store = createInventoryStore(localDocumentDb(), tableName);
}, TIMEOUT);

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
  client?.destroy();
}, TIMEOUT);

/** Runs `work` again whenever it throws, as the queue would redeliver, until a deadline. */
async function redelivered<T>(work: () => Promise<T>, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

const deps = () => ({ store, now: () => new Date(), newId: randomUUID });

const scenario = fc.record({
  stock: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
  orders: fc.array(
    fc.record({
      lines: fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      deliveries: fc.integer({ min: 1, max: 2 }),
      release: fc.boolean(),
      releaseDeliveries: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 2, maxLength: 10 },
  ),
});

describe('inventory under concurrent, redelivered reservations and releases (DynamoDB Local)', () => {
  it(
    'conserves stock, never goes negative, and emits exactly one outcome per order plus one release',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ stock, orders }) => {
          const run = randomUUID().slice(0, 8);
          const skus = stock.map((_, index) => `RACE-${run}-${index}`);
          for (const [index, quantity] of stock.entries()) {
            await store.putProduct(
              { sku: skus[index]!, name: 'Race', quantity, unitPrice: 100, currency: 'USD' },
              new Date(),
            );
          }
          const planned = orders.map((order) => ({
            ...order,
            payment: PaymentCompleted.create(
              {
                eventId: randomUUID(),
                occurredAt: new Date().toISOString(),
                orderId: randomUUID(),
                correlationId: run,
                causationId: run,
                sequence: 1,
              },
              {
                paymentId: 'p',
                amount: 1,
                currency: 'USD',
                items: order.lines.map((line) => ({
                  sku: skus[line.product % skus.length]!,
                  quantity: line.quantity,
                })),
              },
            ),
          }));
          const half = Math.ceil(planned.length / 2);
          const reserve = (order: (typeof planned)[number]) =>
            Promise.all(
              Array.from({ length: order.deliveries }, () =>
                redelivered(() => reserveStock(order.payment, deps())),
              ),
            );

          // First half reserves; then releases race the second half's reservations.
          await Promise.all(planned.slice(0, half).map(reserve));
          await Promise.all([
            ...planned.slice(half).map(reserve),
            ...planned.slice(0, half).map(async (order) => {
              const reservation = await store.getReservation(order.payment.orderId);
              if (!order.release || reservation?.status !== 'RESERVED') return;
              const request = InventoryReleaseRequested.create(
                {
                  eventId: randomUUID(),
                  occurredAt: new Date().toISOString(),
                  orderId: order.payment.orderId,
                  correlationId: run,
                  causationId: run,
                  sequence: 2,
                },
                {
                  reservationId: reservation.reservationId,
                  items: reservation.items,
                  reason: 'timeout',
                },
              );
              await Promise.all(
                Array.from({ length: order.releaseDeliveries }, () =>
                  redelivered(() => releaseStock(request, deps())),
                ),
              );
            }),
          ]);

          const reservations = await Promise.all(
            planned.map((order) => store.getReservation(order.payment.orderId)),
          );
          for (const [index, sku] of skus.entries()) {
            const product = (await store.getProduct(sku))!;
            expect(product.available).toBeGreaterThanOrEqual(0);
            expect(product.reserved).toBeGreaterThanOrEqual(0);
            expect(product.available + product.reserved).toBe(stock[index]);
            const held = reservations
              .filter((reservation) => reservation?.status === 'RESERVED')
              .flatMap((reservation) => reservation!.items)
              .filter((line) => line.sku === sku)
              .reduce((sum, line) => sum + line.quantity, 0);
            expect(product.reserved).toBe(held);
          }

          const { Items = [] } = await client.send(
            new ScanCommand({ TableName: tableName, ConsistentRead: true }),
          );
          const outbox = Items.filter((item) => item.entityType === 'OUTBOX').map(
            (item) =>
              JSON.parse(item.event as string) as {
                type: string;
                orderId: string;
                sequence: number;
              },
          );
          for (const [index, order] of planned.entries()) {
            const reservation = reservations[index];
            const types = outbox
              .filter((event) => event.orderId === order.payment.orderId)
              .sort((a, b) => a.sequence - b.sequence)
              .map((event) => event.type);
            expect(reservation).toBeDefined();
            const expected = {
              RESERVED: ['InventoryReserved'],
              FAILED: ['InventoryFailed'],
              RELEASED: ['InventoryReserved', 'InventoryReleased'],
            }[reservation!.status];
            expect(types).toEqual(expected);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
