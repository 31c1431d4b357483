import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCloud } from '../../../local/cloud.ts';
import {
  InventoryReserved,
  OrderCancelled,
  OrderConfirmed,
  PaymentCompleted,
} from '../../../events/index.ts';
import { paymentKey } from '../../../lambdas/payments/adapters/payments-table.ts';
import {
  api,
  clientConfig,
  eventually,
  resourceNamed,
  startProductCloud,
} from '../product/product-cloud.ts';
import {
  busEvents,
  expectTimeline,
  isFinal,
  notificationsOf,
  placeOrder,
  seedProduct,
  stockOf,
  timelineOf,
  uniqueId,
  waitForOrder,
  timerExecutionOf,
  waitForSentNotifications,
  waitForTimerDecision,
} from './saga-helpers.ts';

// The saga's outcomes end to end, with the stage's default settings but a 2 s timer grace
// period (instead of 30 s, so tests can see the timer decision soon): over HTTP against the
// local cloud (real DynamoDB Local, the deployed bundles, the deployed rules and queues).

const SAGA_TIMER_GRACE_SECONDS = 2;

let cloud: LocalCloud;
let dispose: () => Promise<void>;
let payments: DynamoDBDocumentClient;
let paymentsTable: string;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud({
    SAGA_TIMER_GRACE_SECONDS: String(SAGA_TIMER_GRACE_SECONDS),
  }));
  payments = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(cloud)));
  paymentsTable = resourceNamed(cloud, 'tables', 'PaymentsTable').name;
}, 120_000);

afterAll(async () => {
  cloud?.faults.clear();
  await dispose?.();
}, 60_000);

/** The payment service's own record of the order's payment. */
async function paymentOf(orderId: string) {
  const { Item } = await payments.send(
    new GetCommand({ TableName: paymentsTable, Key: paymentKey(orderId), ConsistentRead: true }),
  );
  return Item as { status: string; paymentId: string } | undefined;
}

describe('happy path', () => {
  it('confirms a paid order with stock, reserves it, notifies the customer and never starts a timer', async () => {
    const sku = uniqueId('SKU-happy');
    await seedProduct(cloud, sku, 10);
    const orderId = await placeOrder(cloud, uniqueId('cust-happy'), { sku, quantity: 3 });

    const order = await waitForOrder(cloud, orderId, isFinal, { what: 'a final state' });
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
    });
    expect(order.cancellationReason).toBeUndefined();

    expect(await stockOf(cloud, sku)).toMatchObject({ quantity: 10, available: 7, reserved: 3 });
    expect(await paymentOf(orderId)).toMatchObject({ status: 'COMPLETED' });

    const notifications = await waitForSentNotifications(cloud, orderId, 2);
    expect(notifications).toEqual([
      expect.objectContaining({ channel: 'email', template: 'order_confirmed', status: 'SENT' }),
      expect.objectContaining({ channel: 'sms', template: 'order_confirmed', status: 'SENT' }),
    ]);

    expectTimeline(await timelineOf(cloud, orderId), [
      { type: 'OrderPlaced', status: 'PENDING', payment: 'NONE', inventory: 'NONE' },
      { type: 'PaymentCompleted', status: 'PENDING', payment: 'COMPLETED', inventory: 'NONE' },
      {
        type: 'InventoryReserved',
        status: 'CONFIRMED',
        payment: 'COMPLETED',
        inventory: 'RESERVED',
        emitted: [OrderConfirmed.detailType],
      },
    ]);

    // Confirmed within the grace period: when OrderCreated reached the timer-start consumer,
    // no timer was needed, so the order paid no Step Functions transition.
    const placedAt = Date.parse(order.createdAt);
    expect(await waitForTimerDecision(cloud, orderId)).toBe('not-needed');
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(SAGA_TIMER_GRACE_SECONDS * 1000);
    expect(await timerExecutionOf(cloud, orderId)).toBeUndefined();
  }, 60_000);
});

describe('payment declined', () => {
  it('cancels the order as payment_failed, touches no stock and tells the customer', async () => {
    const sku = uniqueId('SKU-declined');
    await seedProduct(cloud, sku, 5);
    const orderId = await placeOrder(cloud, uniqueId('cust-declined'), {
      sku,
      quantity: 2,
      paymentToken: 'tok_declined',
    });

    const order = await waitForOrder(cloud, orderId, isFinal, { what: 'a final state' });
    expect(order).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'payment_failed',
      saga: { payment: 'FAILED', inventory: 'NONE' },
    });

    const notifications = await waitForSentNotifications(cloud, orderId, 2);
    expect(notifications.map((n) => [n.channel, n.template])).toEqual([
      ['email', 'order_cancelled'],
      ['sms', 'order_cancelled'],
    ]);
    expect(await stockOf(cloud, sku)).toMatchObject({ available: 5, reserved: 0 });
    expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(0);
    expect(busEvents(cloud, InventoryReserved.detailType, orderId)).toHaveLength(0);
    expect(await waitForTimerDecision(cloud, orderId)).toBe('not-needed');
    expect(await timerExecutionOf(cloud, orderId)).toBeUndefined();
  }, 60_000);
});

describe('out of stock', () => {
  it('cancels the order as out_of_stock, refunds the payment and leaves the stock as it was', async () => {
    const sku = uniqueId('SKU-short');
    await seedProduct(cloud, sku, 2);
    const orderId = await placeOrder(cloud, uniqueId('cust-short'), { sku, quantity: 3 });

    const order = await waitForOrder(
      cloud,
      orderId,
      (o) => o.status === 'CANCELLED' && o.saga.payment === 'REFUNDED',
      { what: 'CANCELLED with the payment refunded' },
    );
    expect(order).toMatchObject({
      cancellationReason: 'out_of_stock',
      saga: { payment: 'REFUNDED', inventory: 'FAILED' },
    });
    expect(await paymentOf(orderId)).toMatchObject({ status: 'REFUNDED' });
    expect(await stockOf(cloud, sku)).toMatchObject({ quantity: 2, available: 2, reserved: 0 });

    const notifications = await waitForSentNotifications(cloud, orderId, 2);
    expect(notifications.every((n) => n.template === 'order_cancelled')).toBe(true);
    expect(busEvents(cloud, OrderCancelled.detailType, orderId)).toHaveLength(1);
  }, 60_000);
});

describe('customer cancel of a confirmed order', () => {
  it('answers 202, refunds the payment, releases the reservation and puts the stock back', async () => {
    const sku = uniqueId('SKU-regret');
    await seedProduct(cloud, sku, 4);
    const orderId = await placeOrder(cloud, uniqueId('cust-regret'), { sku, quantity: 3 });
    await waitForOrder(cloud, orderId, (o) => o.status === 'CONFIRMED', { what: 'CONFIRMED' });
    expect(await stockOf(cloud, sku)).toMatchObject({ available: 1, reserved: 3 });

    const cancel = await api(cloud, 'POST', `/orders/${orderId}/cancel`, {
      reason: 'changed my mind',
    });
    expect(cancel.status).toBe(202);
    expect(cancel.json).toMatchObject({
      orderId,
      status: 'CANCELLED',
      cancellationReason: 'customer_request',
    });

    const order = await waitForOrder(
      cloud,
      orderId,
      (o) => o.saga.payment === 'REFUNDED' && o.saga.inventory === 'RELEASED',
      { what: 'refunded and released' },
    );
    expect(order).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'customer_request',
      cancellationNote: 'changed my mind',
    });
    expect(await paymentOf(orderId)).toMatchObject({ status: 'REFUNDED' });
    expect(await stockOf(cloud, sku)).toMatchObject({ quantity: 4, available: 4, reserved: 0 });

    // Confirmed, then cancelled: the customer hears of both.
    const notifications = await eventually(
      async () => {
        const items = await notificationsOf(cloud, orderId);
        return items.filter((n) => n.status === 'SENT').length >= 4 ? items : undefined;
      },
      { timeoutMs: 30_000, what: 'four notifications sent' },
    );
    expect(notifications.map((n) => n.template).sort()).toEqual([
      'order_cancelled',
      'order_cancelled',
      'order_confirmed',
      'order_confirmed',
    ]);
  }, 60_000);

  it('refuses a second cancel with 409 and changes nothing', async () => {
    const sku = uniqueId('SKU-twice');
    await seedProduct(cloud, sku, 4);
    const orderId = await placeOrder(cloud, uniqueId('cust-twice'), { sku });
    await waitForOrder(cloud, orderId, (o) => o.status === 'CONFIRMED', { what: 'CONFIRMED' });

    expect((await api(cloud, 'POST', `/orders/${orderId}/cancel`)).status).toBe(202);
    const second = await api(cloud, 'POST', `/orders/${orderId}/cancel`);
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ error: { code: 'ORDER_ALREADY_CANCELLED' } });

    await waitForOrder(cloud, orderId, (o) => o.saga.inventory === 'RELEASED', {
      what: 'released',
    });
    const cancels = (await timelineOf(cloud, orderId)).filter(
      (entry) => entry.type === 'CancelRequested',
    );
    expect(cancels).toHaveLength(1);
    expect(busEvents(cloud, OrderCancelled.detailType, orderId)).toHaveLength(1);
  }, 60_000);

  it('answers 404 for an order that does not exist', async () => {
    const response = await api(cloud, 'POST', `/orders/${randomUUID()}/cancel`);
    expect(response.status).toBe(404);
  });
});

describe('duplicate deliveries on every consumer queue', () => {
  it('charges once, reserves once and notifies once per channel', async () => {
    const sku = uniqueId('SKU-dup');
    await seedProduct(cloud, sku, 10);
    const duplicatedBefore = cloud.counters()['faults.sqs.duplicated'] ?? 0;
    cloud.faults.set({ duplicateDeliveries: [{ queue: '*', rate: 1 }] });
    try {
      const orderIds = [
        await placeOrder(cloud, uniqueId('cust-dup'), { sku, quantity: 2 }),
        await placeOrder(cloud, uniqueId('cust-dup'), { sku, quantity: 1 }),
      ];
      for (const orderId of orderIds) {
        const order = await waitForOrder(cloud, orderId, isFinal, { what: 'a final state' });
        expect(order).toMatchObject({
          status: 'CONFIRMED',
          saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
        });
        await waitForSentNotifications(cloud, orderId, 2);
      }
      // Every consumed message was delivered twice: per order, OrderCreated to payments and
      // (after the grace period) to the timer-start consumer, PaymentCompleted to inventory
      // and to the order service, InventoryReserved to the order service, OrderConfirmed to
      // notifications.
      await eventually(
        () => {
          const duplicated = (cloud.counters()['faults.sqs.duplicated'] ?? 0) - duplicatedBefore;
          return duplicated >= orderIds.length * 6 ? duplicated : undefined;
        },
        { timeoutMs: 15_000, what: 'every message of both sagas delivered twice' },
      );

      for (const orderId of orderIds) {
        expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(1);
        expect(busEvents(cloud, InventoryReserved.detailType, orderId)).toHaveLength(1);
        expect(busEvents(cloud, OrderConfirmed.detailType, orderId)).toHaveLength(1);
        expect(await paymentOf(orderId)).toMatchObject({ status: 'COMPLETED' });
        const notifications = await notificationsOf(cloud, orderId);
        expect(notifications.map((n) => [n.channel, n.status, n.attempts])).toEqual([
          ['email', 'SENT', 1],
          ['sms', 'SENT', 1],
        ]);
        expect(await waitForTimerDecision(cloud, orderId)).toBe('not-needed');
        expect(await timerExecutionOf(cloud, orderId)).toBeUndefined();
      }
      expect(await stockOf(cloud, sku)).toMatchObject({ quantity: 10, available: 7, reserved: 3 });
    } finally {
      cloud.faults.clear();
    }
  }, 90_000);
});

describe('a consumer call that fails', () => {
  it('is retried 5 s later, not after the queue visibility timeout of 3 minutes', async () => {
    // Throttle the payments table for one call's three attempts (the client's standard
    // retries): the payment consumer fails OrderCreated once. Its queue keeps the deployed
    // 180 s visibility timeout here, so only the early retry confirms the order in time.
    const sku = uniqueId('SKU-throttled');
    await seedProduct(cloud, sku, 3);
    const throttledBefore = cloud.counters()['faults.dynamodb.throttled'] ?? 0;
    cloud.faults.set({ dynamodbThrottling: [{ table: paymentsTable, count: 3 }] });
    try {
      const started = Date.now();
      const orderId = await placeOrder(cloud, uniqueId('cust-throttled'), { sku, quantity: 1 });
      const order = await waitForOrder(cloud, orderId, isFinal, {
        timeoutMs: 40_000,
        what: 'a final state',
      });
      expect(order).toMatchObject({ status: 'CONFIRMED', saga: { payment: 'COMPLETED' } });
      expect((cloud.counters()['faults.dynamodb.throttled'] ?? 0) - throttledBefore).toBe(3);
      // The retry came after about 5 s: well within the 90 s saga timeout.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    } finally {
      cloud.faults.clear();
    }
  }, 60_000);
});

describe('failing outbox relays', () => {
  it('still confirms the order when every relay fails its first invocations (the stream retries them)', async () => {
    const sku = uniqueId('SKU-relayfail');
    await seedProduct(cloud, sku, 3);
    const relays = ['OrdersRelay', 'PaymentsRelay', 'InventoryRelay'].map(
      (prefix) => resourceNamed(cloud, 'functions', prefix).logicalId,
    );
    const injectedBefore = cloud.counters()['faults.function.error'] ?? 0;
    cloud.faults.set({
      functions: relays.map((relay) => ({ function: relay, effect: 'error' as const, count: 2 })),
    });
    try {
      const orderId = await placeOrder(cloud, uniqueId('cust-relayfail'), { sku, quantity: 2 });
      const order = await waitForOrder(cloud, orderId, isFinal, {
        timeoutMs: 45_000,
        what: 'a final state',
      });
      expect(order).toMatchObject({
        status: 'CONFIRMED',
        saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
      });
      // Each relay failed twice before it published anything of this order's saga.
      expect((cloud.counters()['faults.function.error'] ?? 0) - injectedBefore).toBe(6);
      // The injected failures came before the relay ran: nothing was published twice.
      expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(1);
      expect(await stockOf(cloud, sku)).toMatchObject({ available: 1, reserved: 2 });
    } finally {
      cloud.faults.clear();
    }
  }, 60_000);
});

describe("API Gateway's own answers", () => {
  it("come in the functions' error shape: an unknown route and a failed function", async () => {
    for (const [method, path] of [
      ['GET', '/nothing-here'],
      ['DELETE', '/orders'],
    ] as const) {
      const response = await api(cloud, method, path);
      expect(response.status).toBe(403);
      expect(response.json).toEqual({
        error: {
          code: 'MISSING_AUTHENTICATION_TOKEN',
          message: 'Missing Authentication Token',
          details: [],
        },
      });
    }

    const ordersApi = resourceNamed(cloud, 'functions', 'OrdersApiFunction').logicalId;
    cloud.faults.set({ functions: [{ function: ordersApi, effect: 'error', count: 1 }] });
    try {
      const failed = await api(cloud, 'GET', `/orders/${randomUUID()}`);
      expect(failed.status).toBe(502);
      expect(failed.json).toEqual({
        error: { code: 'DEFAULT_5XX', message: 'Internal server error', details: [] },
      });
    } finally {
      cloud.faults.clear();
    }
  });
});
