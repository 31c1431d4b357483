import { describe, expect, it, jest } from '@jest/globals';
import { createTimeoutHandler, timeoutMetrics } from '../../lambdas/orders/timer/timeout-task.ts';
import { lambdaContext, quietObservability } from '../unit/orders/api-fixtures.ts';
import { newOrder } from '../unit/saga/fixtures.ts';
import { ORDER_ID, sagaSetup } from '../unit/orders/saga-fixtures.ts';

function taskUnderTest() {
  const { store, deps } = sagaSetup();
  const observability = quietObservability();
  const handler = createTimeoutHandler({ ...deps, observability });
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const call = (payload: unknown) => handler(payload, lambdaContext());
  return { store, call, addMetric };
}

describe('timeout task handler', () => {
  it('cancels a pending order and answers { orderId, outcome, status }', async () => {
    const { store, call, addMetric } = taskUnderTest();
    expect(await call({ orderId: ORDER_ID })).toEqual({
      orderId: ORDER_ID,
      outcome: 'applied',
      status: 'CANCELLED',
    });
    expect(store.orders.get(ORDER_ID)?.cancellationReason).toBe('timeout');
    expect(addMetric).toHaveBeenCalledWith(timeoutMetrics.ordersTimedOut, 'Count', 1);
  });

  it('does nothing when the timer fires for a final order', async () => {
    const { store, call, addMetric } = taskUnderTest();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CONFIRMED' }));
    expect(await call({ orderId: ORDER_ID })).toEqual({
      orderId: ORDER_ID,
      outcome: 'ignored',
      status: 'CONFIRMED',
    });
    expect(store.outbox.size).toBe(0);
    expect(addMetric).toHaveBeenCalledWith(timeoutMetrics.timersForFinalOrders, 'Count', 1);
  });

  it('does nothing twice when the task is retried', async () => {
    const { store, call } = taskUnderTest();
    await call({ orderId: ORDER_ID });
    expect(await call({ orderId: ORDER_ID })).toMatchObject({ outcome: 'ignored' });
    expect(store.outbox.size).toBe(1);
  });

  it('answers not_found for an unknown order', async () => {
    const { call } = taskUnderTest();
    expect(await call({ orderId: 'nope' })).toEqual({ orderId: 'nope', outcome: 'not_found' });
  });

  it('fails on a payload without an order id, so the execution fails visibly', async () => {
    const { call } = taskUnderTest();
    await expect(call({ order: ORDER_ID })).rejects.toThrow('Invalid timeout task payload');
    await expect(call(null)).rejects.toThrow('Invalid timeout task payload');
  });

  it('fails when the order keeps conflicting, so the state machine retries the task', async () => {
    const { store, call } = taskUnderTest();
    store.transitionConflictsAhead = 100;
    await expect(call({ orderId: ORDER_ID })).rejects.toThrow('conflicting writes');
  });
});
