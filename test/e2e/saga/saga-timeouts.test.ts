import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCloud } from '../../../local/cloud.ts';
import {
  InventoryReserved,
  OrderCancelled,
  PaymentCompleted,
  PaymentRefunded,
  PaymentRefundRequested,
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
  getOrder,
  isFinal,
  placeOrder,
  seedProduct,
  stockOf,
  timelineOf,
  timerExecutionOf,
  uniqueId,
  waitForOrder,
  waitForSentNotifications,
  waitForTimerStopped,
} from './saga-helpers.ts';

// The saga against the clock, on a stage with a short saga timeout: a tok_slow payment
// settles only after the timeout (the stage config refuses a slow delay that does not),
// so the order is cancelled first. The payment service voids the charge on the
// OrderCancelled, before it settles: the customer is never charged, so nothing is
// refunded and no stock is reserved.

const SAGA_TIMEOUT_SECONDS = 6;
const SLOW_PAYMENT_SECONDS = 10;

let cloud: LocalCloud;
let dispose: () => Promise<void>;
let payments: DynamoDBDocumentClient;
let paymentsTable: string;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud({
    SAGA_TIMEOUT_SECONDS: String(SAGA_TIMEOUT_SECONDS),
    SLOW_PAYMENT_SECONDS: String(SLOW_PAYMENT_SECONDS),
  }));
  payments = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(cloud)));
  paymentsTable = resourceNamed(cloud, 'tables', 'PaymentsTable').name;
}, 120_000);

afterAll(async () => {
  cloud?.faults.clear();
  payments?.destroy();
  await dispose?.();
}, 60_000);

/** The payment service's own record of the order's payment. */
async function paymentOf(orderId: string) {
  const { Item } = await payments.send(
    new GetCommand({ TableName: paymentsTable, Key: paymentKey(orderId), ConsistentRead: true }),
  );
  return Item as { status: string; voidReason?: string } | undefined;
}

/** The payment function's log lines about the order, oldest first. */
function paymentLogsOf(orderId: string): Record<string, unknown>[] {
  const prefix = `[${resourceNamed(cloud, 'functions', 'PaymentRequestsHandler').name}] `;
  return cloud
    .logs()
    .filter((line) => line.startsWith(prefix) && line.includes(orderId))
    .map((line) => JSON.parse(line.slice(prefix.length)) as Record<string, unknown>)
    .filter((entry) => entry.orderId === orderId);
}

/**
 * Waits until the payment function has logged a line about the order whose message
 * starts with one of `messages`, and returns the first such line.
 */
function waitForPaymentLog(
  orderId: string,
  messages: string[],
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return eventually(
    () =>
      paymentLogsOf(orderId).find((entry) =>
        messages.some((message) => String(entry.message).startsWith(message)),
      ),
    { timeoutMs, intervalMs: 200, what: `the payment function to log ${messages.join(' or ')}` },
  );
}

/**
 * Waits for what the payment function did with the order's OrderCreated once it could act
 * on it (for a slow charge: when it would have settled), and expects it charged nothing.
 */
async function expectOrderCreatedNotCharged(orderId: string, timeoutMs = 30_000) {
  const outcome = await waitForPaymentLog(
    orderId,
    ['OrderCreated for a voided payment', 'Payment completed', 'Payment failed'],
    timeoutMs,
  );
  expect(outcome.message).toBe('OrderCreated for a voided payment acknowledged: not charged');
}

/**
 * Asserts that the order was never charged: no charge, refund or reservation event on
 * the bus, its payment VOIDED, and the stock where it was.
 */
/**
 * A slow charge (`tok_slow`, product seeded with 5) that the order's cancellation voided
 * while it was processing: its own message, back when it would have settled, charged
 * nothing, and the order shows no payment and no stock.
 */
async function expectSlowChargeVoided(options: {
  orderId: string;
  sku: string;
  placedAt: number;
  cancellationReason: 'timeout' | 'customer_request';
}) {
  const { orderId, sku, placedAt, cancellationReason } = options;
  await expectOrderCreatedNotCharged(orderId);
  expect(Date.now() - placedAt).toBeGreaterThanOrEqual(SLOW_PAYMENT_SECONDS * 1000);
  expect(paymentLogsOf(orderId)).toContainEqual(
    expect.objectContaining({
      message: expect.stringContaining('Payment voided (cancelled)') as unknown,
      reason: 'cancelled',
      previousStatus: 'PROCESSING',
      cancellationReason,
    }),
  );
  await expectNeverCharged(orderId, sku, 5);
  expect(await getOrder(cloud, orderId)).toMatchObject({
    status: 'CANCELLED',
    cancellationReason,
    saga: { payment: 'NONE', inventory: 'NONE' },
  });
}

async function expectNeverCharged(orderId: string, sku: string, stock: number) {
  for (const contract of [PaymentCompleted, PaymentRefundRequested, PaymentRefunded])
    expect(busEvents(cloud, contract.detailType, orderId)).toHaveLength(0);
  expect(busEvents(cloud, InventoryReserved.detailType, orderId)).toHaveLength(0);
  expect(busEvents(cloud, OrderCancelled.detailType, orderId)).toHaveLength(1);
  expect(await paymentOf(orderId)).toMatchObject({ status: 'VOIDED', voidReason: 'cancelled' });
  expect(await stockOf(cloud, sku)).toMatchObject({
    quantity: stock,
    available: stock,
    reserved: 0,
  });
  // Nothing of the order is left in the payments queue to be charged later.
  const queue = await cloud.queues.peek(
    resourceNamed(cloud, 'queues', 'PaymentRequestsQueue').name,
  );
  const ofOrder = (m: unknown) => JSON.stringify(m).includes(orderId);
  expect([...queue.ready, ...queue.inflight, ...queue.delayed].filter(ofOrder)).toEqual([]);
}

describe('saga timeout', () => {
  it('cancels a slow-paying order as timeout and voids its charge before it settles: nothing charged, refunded or reserved', async () => {
    const sku = uniqueId('SKU-slow');
    await seedProduct(cloud, sku, 5);
    const placedAt = Date.now();
    const orderId = await placeOrder(cloud, uniqueId('cust-slow'), {
      sku,
      quantity: 2,
      paymentToken: 'tok_slow',
    });

    const cancelled = await waitForOrder(cloud, orderId, isFinal, {
      timeoutMs: 30_000,
      what: 'a final state',
    });
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'timeout',
      saga: { payment: 'NONE', inventory: 'NONE' },
    });
    // Not before the deadline, and before the slow charge settled.
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(SAGA_TIMEOUT_SECONDS * 1000);
    expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(0);
    // The timer ran to its end (its task cancelled the order): nothing stopped it.
    expect(await waitForTimerStopped(cloud, orderId)).toMatchObject({ status: 'SUCCEEDED' });
    const notifications = await waitForSentNotifications(cloud, orderId, 2);
    expect(notifications.every((n) => n.template === 'order_cancelled')).toBe(true);

    // The charge's own message, back when it would have settled, charges nothing, since
    // OrderCancelled(timeout) voided the charge still processing.
    await expectSlowChargeVoided({ orderId, sku, placedAt, cancellationReason: 'timeout' });
    const types = (await timelineOf(cloud, orderId)).map((entry) => entry.type);
    expect(types).toEqual(['OrderPlaced', 'SagaTimedOut']);
  }, 90_000);
});

describe('customer cancel before confirmation', () => {
  it('cancels a pending order at once, stops its timer and voids the slow charge: nothing charged', async () => {
    const sku = uniqueId('SKU-early');
    await seedProduct(cloud, sku, 5);
    const placedAt = Date.now();
    const orderId = await placeOrder(cloud, uniqueId('cust-early'), {
      sku,
      paymentToken: 'tok_slow',
    });
    // The timer is started by OrderCreated; cancel once it runs, well before its deadline.
    await eventually(
      async () => {
        const execution = await timerExecutionOf(cloud, orderId);
        return execution?.status === 'RUNNING' ? execution : undefined;
      },
      { what: `the saga timer of ${orderId} running` },
    );

    const cancel = await api(cloud, 'POST', `/orders/${orderId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.json).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'customer_request',
      saga: { payment: 'NONE', inventory: 'NONE' },
    });
    expect((await api(cloud, 'POST', `/orders/${orderId}/cancel`)).status).toBe(409);

    const timer = await waitForTimerStopped(cloud, orderId);
    expect(timer.status).toBe('ABORTED');

    await expectSlowChargeVoided({
      orderId,
      sku,
      placedAt,
      cancellationReason: 'customer_request',
    });
    const types = (await timelineOf(cloud, orderId)).map((entry) => entry.type);
    expect(types).toEqual(['OrderPlaced', 'CancelRequested']);
  }, 90_000);

  it('never charges an order cancelled while its OrderCreated waits in a backlogged payments queue, and its stock stays free', async () => {
    // The payments table throttles the first read of the order's OrderCreated (all three
    // attempts of the client), so the payment function fails that message and it comes
    // back 5 s later, as from a backlog; the customer cancels in between.
    const sku = uniqueId('SKU-backlog');
    await seedProduct(cloud, sku, 1);
    const throttledBefore = cloud.counters()['faults.dynamodb.throttled'] ?? 0;
    cloud.faults.set({ dynamodbThrottling: [{ table: paymentsTable, count: 3 }] });
    try {
      const orderId = await placeOrder(cloud, uniqueId('cust-backlog'), {
        sku,
        paymentToken: 'tok_visa',
      });
      await eventually(
        () => {
          const throttled = (cloud.counters()['faults.dynamodb.throttled'] ?? 0) - throttledBefore;
          return throttled >= 3 ? throttled : undefined;
        },
        { timeoutMs: 10_000, what: 'the payments table to throttle the OrderCreated' },
      );
      await waitForPaymentLog(orderId, ['Message failed'], 10_000);
      const cancel = await api(cloud, 'POST', `/orders/${orderId}/cancel`);
      expect(cancel.status).toBe(202);

      // The retried OrderCreated finds the payment the cancel voided.
      await expectOrderCreatedNotCharged(orderId, 20_000);
      expect(paymentLogsOf(orderId)).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining('Payment voided (cancelled)') as unknown,
          previousStatus: 'ABSENT',
          cancellationReason: 'customer_request',
        }),
      );

      await expectNeverCharged(orderId, sku, 1);
      expect(await getOrder(cloud, orderId)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'customer_request',
        saga: { payment: 'NONE', inventory: 'NONE' },
      });
    } finally {
      cloud.faults.clear();
    }

    // The last unit is still there for a live order.
    const next = await placeOrder(cloud, uniqueId('cust-next'), { sku, paymentToken: 'tok_visa' });
    expect(await waitForOrder(cloud, next, isFinal, { what: 'a final state' })).toMatchObject({
      status: 'CONFIRMED',
      saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
    });
  }, 90_000);
});
