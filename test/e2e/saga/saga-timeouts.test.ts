import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../../local/cloud.ts';
import { OrderCancelled, PaymentCompleted } from '../../../events/index.ts';
import { api, eventually, startProductCloud } from '../product/product-cloud.ts';
import {
  busEvents,
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
// so the order is cancelled first and the late payment is compensated.

const SAGA_TIMEOUT_SECONDS = 6;
const SLOW_PAYMENT_SECONDS = 10;

let cloud: LocalCloud;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud({
    SAGA_TIMEOUT_SECONDS: String(SAGA_TIMEOUT_SECONDS),
    SLOW_PAYMENT_SECONDS: String(SLOW_PAYMENT_SECONDS),
  }));
}, 120_000);

afterAll(async () => {
  await dispose?.();
}, 60_000);

describe('saga timeout', () => {
  it('cancels a slow-paying order as timeout, then refunds the payment when it lands late', async () => {
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

    // The charge lands after the cancel: the order service asks for the refund.
    const refunded = await waitForOrder(cloud, orderId, (o) => o.saga.payment === 'REFUNDED', {
      timeoutMs: 45_000,
      what: 'the late payment refunded',
    });
    expect(refunded).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(1);
    expect(busEvents(cloud, OrderCancelled.detailType, orderId)).toHaveLength(1);

    // Inventory reserves for any PaymentCompleted it sees; a reservation for a cancelled
    // order is released again, so the stock ends where it started.
    await eventually(
      async () => {
        const stock = await stockOf(cloud, sku);
        return stock.available === 5 && stock.reserved === 0 ? stock : undefined;
      },
      { timeoutMs: 30_000, what: `the stock of ${sku} back to 5 available, 0 reserved` },
    );
    const types = (await timelineOf(cloud, orderId)).map((entry) => entry.type);
    expect(types.slice(0, 3)).toEqual(['OrderPlaced', 'SagaTimedOut', 'PaymentCompleted']);
  }, 90_000);
});

describe('customer cancel before confirmation', () => {
  it('cancels a pending order at once, stops its timer and refunds the payment when it lands', async () => {
    const sku = uniqueId('SKU-early');
    await seedProduct(cloud, sku, 5);
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

    const refunded = await waitForOrder(cloud, orderId, (o) => o.saga.payment === 'REFUNDED', {
      timeoutMs: 45_000,
      what: 'the late payment refunded',
    });
    expect(refunded).toMatchObject({ status: 'CANCELLED', cancellationReason: 'customer_request' });
    await eventually(
      async () => {
        const stock = await stockOf(cloud, sku);
        return stock.available === 5 && stock.reserved === 0 ? stock : undefined;
      },
      { timeoutMs: 30_000, what: `the stock of ${sku} back to 5 available, 0 reserved` },
    );
    const types = (await timelineOf(cloud, orderId)).map((entry) => entry.type);
    expect(types).not.toContain('SagaTimedOut');
    expect(types.slice(0, 2)).toEqual(['OrderPlaced', 'CancelRequested']);
  }, 90_000);
});
