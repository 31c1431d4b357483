import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PaymentCompleted, InventoryReserved, PaymentFailed } from '../../events/index.ts';
import { createOrderStore } from '../../lambdas/orders/adapters/order-store.ts';
import { validatePlaceOrderRequest } from '../../lambdas/orders/domain/place-order-request.ts';
import { applySagaInput } from '../../lambdas/orders/domain/saga.ts';
import { timelineEntry } from '../../lambdas/orders/domain/timeline.ts';
import type { ApplyToOrderDeps } from '../../lambdas/orders/use-cases/apply-to-order.ts';
import { placeOrder } from '../../lambdas/orders/use-cases/place-order.ts';
import type { OrderStore } from '../../lambdas/orders/use-cases/ports.ts';
import { reactToOrderEvent } from '../../lambdas/orders/use-cases/react-to-order-event.ts';
import { timeOutOrder } from '../../lambdas/orders/use-cases/time-out-order.ts';
import { FakeSagaTimer } from '../unit/orders/fake-saga-timer.ts';
import { createOrdersTable } from './orders-table-fixture.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 120_000;

let table: Awaited<ReturnType<typeof createOrdersTable>>;
let store: OrderStore;

beforeAll(async () => {
  table = await createOrdersTable();
  store = createOrderStore(table.db, table.tableName);
}, TIMEOUT);

afterAll(async () => {
  await table?.destroy();
}, TIMEOUT);

const deps = (timer = new FakeSagaTimer()): ApplyToOrderDeps & { timer: FakeSagaTimer } => ({
  store,
  timer,
  now: () => new Date(),
  newId: randomUUID,
  // Many attempts: the concurrency test makes writers of one order collide on purpose.
  maxAttempts: 20,
});

/** Places a fresh order through the use case (order, OrderCreated and first timeline entry). */
async function placedOrder(): Promise<string> {
  const validation = validatePlaceOrderRequest({
    customerId: `cust-${randomUUID()}`,
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
  });
  if (!validation.ok) throw new Error('invalid test order');
  const placed = await placeOrder(
    { order: validation.value },
    { store, now: () => new Date(), newId: randomUUID, sagaTimeoutSeconds: 90 },
  );
  if (placed.kind !== 'placed') throw new Error('not placed');
  return placed.orderId;
}

const envelope = (orderId: string, eventId: string = randomUUID()) => ({
  eventId,
  occurredAt: new Date().toISOString(),
  orderId,
  correlationId: orderId,
  causationId: randomUUID(),
  sequence: 1,
});
const paymentCompleted = (orderId: string, eventId?: string) =>
  PaymentCompleted.create(envelope(orderId, eventId), {
    paymentId: `pay-${orderId}`,
    amount: 2500,
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 2 }],
  });
const inventoryReserved = (orderId: string, eventId?: string) =>
  InventoryReserved.create(envelope(orderId, eventId), {
    reservationId: `res-${orderId}`,
    items: [{ sku: 'SKU-1', quantity: 2 }],
  });

/**
 * The items of one order: its own item, the number of timeline entries on it, its outbox
 * events, and every other item of its partition (none are written any more).
 */
async function itemsOf(orderId: string) {
  const all = await table.items();
  const outbox = all
    .filter((item) => item.entityType === 'OUTBOX')
    .map((item) => JSON.parse(item.event as string) as { orderId: string; type: string })
    .filter((event) => event.orderId === orderId);
  return {
    order: all.find((item) => item.pk === `ORDER#${orderId}` && item.sk === 'ORDER'),
    timelineEntries: (
      all.find((item) => item.pk === `ORDER#${orderId}` && item.sk === 'ORDER')?.timeline as
        unknown[] | undefined
    )?.length,
    outbox: outbox.map((event) => event.type),
    others: all.filter((item) => item.pk === `ORDER#${orderId}` && item.sk !== 'ORDER'),
    markers: all.filter((item) => item.entityType === 'PROCESSED'),
  };
}

describe('order saga transitions on DynamoDB Local', () => {
  it(
    'commits the order update with its timeline entry and its outbox events together',
    async () => {
      const orderId = await placedOrder();
      const failed = PaymentFailed.create(envelope(orderId), {
        reason: 'card_declined',
        amount: 2500,
        currency: 'USD',
      });
      const reaction = await reactToOrderEvent(failed, deps());
      expect(reaction.kind).toBe('applied');

      const items = await itemsOf(orderId);
      expect(items.order).toMatchObject({ status: 'CANCELLED', version: 2, sequence: 2 });
      expect(items.outbox.sort()).toEqual(['OrderCancelled', 'OrderCreated']);
      expect(items.timelineEntries).toBe(2);
      expect(items.others).toEqual([]);
      expect(items.markers).toEqual([]);

      const history = await store.getOrderHistory(orderId);
      expect(history?.timeline.map((entry) => [entry.type, entry.status, entry.emitted])).toEqual([
        ['OrderPlaced', 'PENDING', ['OrderCreated']],
        ['PaymentFailed', 'CANCELLED', ['OrderCancelled']],
      ]);
      expect(history?.timeline[1]?.eventId).toBe(failed.eventId);
    },
    TIMEOUT,
  );

  it(
    'writes nothing for a redelivered event: the order already reflects it',
    async () => {
      const orderId = await placedOrder();
      const first = paymentCompleted(orderId);
      await reactToOrderEvent(first, deps());
      const before = await itemsOf(orderId);

      const again = await reactToOrderEvent(first, deps());

      expect(again).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
      expect(await itemsOf(orderId)).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'applies a transition that emits nothing as a single conditional update, appending its timeline entry',
    async () => {
      const orderId = await placedOrder();
      await reactToOrderEvent(paymentCompleted(orderId), deps());
      const items = await itemsOf(orderId);
      expect(items.order).toMatchObject({ version: 2, saga: { payment: 'COMPLETED' } });
      expect(items.outbox).toEqual(['OrderCreated']);
      const history = await store.getOrderHistory(orderId);
      expect(history?.timeline.map((entry) => [entry.type, entry.emitted])).toEqual([
        ['OrderPlaced', ['OrderCreated']],
        ['PaymentCompleted', []],
      ]);
    },
    TIMEOUT,
  );

  it(
    'refuses a transition computed from an old version, writing nothing',
    async () => {
      const orderId = await placedOrder();
      const stale = (await store.getOrder(orderId))!;
      await reactToOrderEvent(paymentCompleted(orderId), deps());
      const before = await itemsOf(orderId);

      const late = applySagaInput(stale, { kind: 'SagaTimedOut' }, new Date().toISOString());
      if (late.outcome !== 'applied') throw new Error('setup');
      const outcome = await store.commitTransition({
        order: late.order,
        expectedVersion: stale.version,
        events: [],
        timeline: timelineEntry(late.order, { type: 'SagaTimedOut' }, []),
        now: new Date(),
      });

      expect(outcome).toEqual({ outcome: 'version-conflict' });
      expect(await itemsOf(orderId)).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'never loses an update when events for one order are applied concurrently (and redelivered)',
    async () => {
      const orderIds = await Promise.all(Array.from({ length: 6 }, () => placedOrder()));
      const timer = new FakeSagaTimer();
      const deliveries = orderIds.flatMap((orderId) => {
        const payment = paymentCompleted(orderId);
        const stock = inventoryReserved(orderId);
        // Each event twice, all at once: the queue delivers at least once.
        return [payment, stock, payment, stock];
      });
      await Promise.all(deliveries.map((event) => reactToOrderEvent(event, deps(timer))));

      for (const orderId of orderIds) {
        const items = await itemsOf(orderId);
        expect({ orderId, order: items.order }).toEqual({
          orderId,
          order: expect.objectContaining({
            status: 'CONFIRMED',
            version: 3,
            saga: {
              payment: 'COMPLETED',
              inventory: 'RESERVED',
              paymentId: `pay-${orderId}`,
              reservationId: `res-${orderId}`,
            },
          }),
        });
        expect(items.outbox.sort()).toEqual(['OrderConfirmed', 'OrderCreated']);
        expect(items.timelineEntries).toBe(3);
        expect(items.others).toEqual([]);
      }
      expect(timer.calls.filter((call) => call.startsWith('stop:'))).toHaveLength(orderIds.length);
    },
    TIMEOUT,
  );

  it(
    'times an order out once, however often the timer task runs',
    async () => {
      const orderId = await placedOrder();
      const results = await Promise.all([
        timeOutOrder(orderId, deps()),
        timeOutOrder(orderId, deps()),
      ]);
      expect(results.filter((result) => result.outcome === 'applied')).toHaveLength(1);
      expect(await timeOutOrder(orderId, deps())).toEqual({
        orderId,
        outcome: 'ignored',
        status: 'CANCELLED',
      });
      const items = await itemsOf(orderId);
      expect(items.outbox.sort()).toEqual(['OrderCancelled', 'OrderCreated']);
      expect(items.timelineEntries).toBe(2);
      expect(items.order).toMatchObject({ cancellationReason: 'timeout', version: 2 });
    },
    TIMEOUT,
  );
});
