import { describe, expect, it } from '@jest/globals';
import { cancelOrder } from '../../../lambdas/orders/use-cases/cancel-order.ts';
import { getTimeline } from '../../../lambdas/orders/use-cases/get-timeline.ts';
import { timeOutOrder } from '../../../lambdas/orders/use-cases/time-out-order.ts';
import { newOrder } from '../saga/fixtures.ts';
import { NOW, ORDER_ID, sagaSetup } from './saga-fixtures.ts';

describe('timeOutOrder', () => {
  it('cancels a pending order for timeout, once, with the timer as causation', async () => {
    const { deps, store } = sagaSetup();
    expect(await timeOutOrder(ORDER_ID, deps)).toEqual({
      orderId: ORDER_ID,
      outcome: 'applied',
      status: 'CANCELLED',
    });
    expect(store.orders.get(ORDER_ID)).toMatchObject({ cancellationReason: 'timeout' });
    expect([...store.outbox.values()]).toEqual([
      expect.objectContaining({ type: 'OrderCancelled', causationId: `timer:${ORDER_ID}` }),
    ]);
  });

  it('compensates what the order holds when it times out', async () => {
    const { deps, store } = sagaSetup();
    store.seed(
      newOrder({
        orderId: ORDER_ID,
        saga: { payment: 'COMPLETED', inventory: 'NONE', paymentId: 'pay-1' },
        version: 2,
        sequence: 1,
      }),
    );
    await timeOutOrder(ORDER_ID, deps);
    expect([...store.outbox.values()].map((event) => event.type)).toEqual([
      'OrderCancelled',
      'PaymentRefundRequested',
    ]);
  });

  it('does nothing for a final order', async () => {
    const { deps, store } = sagaSetup();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CONFIRMED' }));
    expect(await timeOutOrder(ORDER_ID, deps)).toEqual({
      orderId: ORDER_ID,
      outcome: 'ignored',
      status: 'CONFIRMED',
    });
    expect(store.commitTransitionCalls).toBe(0);
  });

  it('writes nothing when a retried task finds the order it already cancelled', async () => {
    const { deps, store } = sagaSetup();
    await timeOutOrder(ORDER_ID, deps);
    expect(await timeOutOrder(ORDER_ID, deps)).toEqual({
      orderId: ORDER_ID,
      outcome: 'ignored',
      status: 'CANCELLED',
    });
    expect(store.commitTransitionCalls).toBe(1);
    expect(store.outbox.size).toBe(1);
  });

  it('answers not_found for an unknown order', async () => {
    const { deps } = sagaSetup();
    expect(await timeOutOrder('nope', deps)).toEqual({ orderId: 'nope', outcome: 'not_found' });
  });
});

describe('cancelOrder', () => {
  it('cancels a pending order with the customer’s note and stops its timer', async () => {
    const { deps, store, timer } = sagaSetup();
    timer.running.set(ORDER_ID, 'deadline');
    const result = await cancelOrder(
      { orderId: ORDER_ID, reason: '  changed my mind ', requestId: 'req-1' },
      deps,
    );
    expect(result).toMatchObject({
      kind: 'cancelled',
      order: {
        status: 'CANCELLED',
        cancellationReason: 'customer_request',
        cancellationNote: 'changed my mind',
      },
      timerStop: { outcome: 'stopped' },
    });
    expect([...store.outbox.values()]).toEqual([
      expect.objectContaining({ type: 'OrderCancelled', causationId: 'req-1' }),
    ]);
    expect(timer.running.size).toBe(0);
  });

  it('asks for no stop when the order is cancelled within the grace period (it has no timer)', async () => {
    const { deps, timer } = sagaSetup();
    // Created at 10:00:00, cancelled at 10:00:30: the timer-start consumer looks at 10:01:00.
    const result = await cancelOrder(
      { orderId: ORDER_ID, requestId: 'req-1' },
      { ...deps, timerGraceSeconds: 60 },
    );
    expect(result).toMatchObject({ kind: 'cancelled', timerStop: { outcome: 'never-started' } });
    expect(timer.calls).toEqual([]);
  });

  it('cancels a confirmed order with a refund and a release, without touching the finished timer', async () => {
    const { deps, store, timer } = sagaSetup();
    store.seed(
      newOrder({
        orderId: ORDER_ID,
        status: 'CONFIRMED',
        saga: {
          payment: 'COMPLETED',
          inventory: 'RESERVED',
          paymentId: 'pay-1',
          reservationId: 'res-1',
        },
        version: 3,
      }),
    );
    const result = await cancelOrder({ orderId: ORDER_ID, requestId: 'req-1' }, deps);
    expect(result.kind).toBe('cancelled');
    expect(result).not.toHaveProperty('timerStop');
    expect([...store.outbox.values()].map((event) => event.type)).toEqual([
      'OrderCancelled',
      'PaymentRefundRequested',
      'InventoryReleaseRequested',
    ]);
    expect(timer.calls).toEqual([]);
  });

  it('reports an order that is already cancelled', async () => {
    const { deps, store } = sagaSetup();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CANCELLED', cancellationReason: 'timeout' }));
    expect(await cancelOrder({ orderId: ORDER_ID, requestId: 'req-1' }, deps)).toMatchObject({
      kind: 'already-cancelled',
      order: { status: 'CANCELLED' },
    });
    expect(store.commitTransitionCalls).toBe(0);
  });

  it('reports an unknown order', async () => {
    const { deps } = sagaSetup();
    expect(await cancelOrder({ orderId: 'nope', requestId: 'req-1' }, deps)).toEqual({
      kind: 'not-found',
    });
  });
});

describe('getTimeline', () => {
  it('lists the order’s changes oldest first', async () => {
    const { deps, store } = sagaSetup();
    await timeOutOrder(ORDER_ID, deps);
    const before = store.timelines.get(ORDER_ID)!;
    before.set(1, {
      at: '2026-11-23T10:00:00.000Z',
      type: 'OrderPlaced',
      status: 'PENDING',
      payment: 'NONE',
      inventory: 'NONE',
      emitted: ['OrderCreated'],
    });
    const timeline = await getTimeline(ORDER_ID, { store });
    expect(timeline?.items.map((item) => [item.type, item.at])).toEqual([
      ['OrderPlaced', '2026-11-23T10:00:00.000Z'],
      ['SagaTimedOut', NOW.toISOString()],
    ]);
  });

  it('is undefined for an unknown order', async () => {
    const { store } = sagaSetup();
    expect(await getTimeline('nope', { store })).toBeUndefined();
  });
});
