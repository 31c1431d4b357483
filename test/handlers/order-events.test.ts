import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  createOrderEventsHandler,
  orderEventMetrics,
} from '../../lambdas/orders/events/order-events-handler.ts';
import { lambdaContext, quietObservability } from '../unit/orders/api-fixtures.ts';
import { events, ORDER_ID, sagaSetup, sqsBatch } from '../unit/orders/saga-fixtures.ts';
import { keysOfLogCall, spyOnLogs } from '../support/lambda-fixtures.ts';

afterEach(() => {
  jest.restoreAllMocks();
});

function consumerUnderTest() {
  const { store, timer, deps } = sagaSetup();
  const observability = quietObservability();
  const handler = createOrderEventsHandler({ ...deps, observability });
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const warn = spyOnLogs('warn');
  const call = (batch: ReturnType<typeof sqsBatch>) => handler(batch, lambdaContext());
  return { store, timer, call, addMetric, warn };
}

describe('order events handler', () => {
  it('runs the happy path: payment and stock applied, order confirmed, timer stopped', async () => {
    const { store, timer, call, addMetric } = consumerUnderTest();
    await timer.startTimer(ORDER_ID, '2026-11-23T10:01:30.000Z');
    const response = await call(sqsBatch(events.paymentCompleted(), events.inventoryReserved()));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.orders.get(ORDER_ID)).toMatchObject({
      status: 'CONFIRMED',
      saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
    });
    expect([...store.outbox.values()].map((event) => event.type)).toEqual(['OrderConfirmed']);
    expect(timer.calls).toEqual([`start:${ORDER_ID}`, `stop:${ORDER_ID}`]);
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.ordersConfirmed, 'Count', 1);
  });

  it('counts an order as confirmed or cancelled only on the transition that changed its status', async () => {
    const { call, addMetric } = consumerUnderTest();
    await call(sqsBatch(events.paymentCompleted(), events.inventoryReserved()));
    const counted = addMetric.mock.calls.map(([name]) => name);
    expect(counted.filter((name) => name === orderEventMetrics.transitionsApplied)).toHaveLength(2);
    expect(counted.filter((name) => name === orderEventMetrics.ordersConfirmed)).toHaveLength(1);
    expect(counted).not.toContain(orderEventMetrics.ordersCancelled);
  });

  it('acknowledges a redelivered event without writing it twice', async () => {
    const { store, call, addMetric } = consumerUnderTest();
    const failed = events.paymentFailed('evt-pf');
    expect(await call(sqsBatch(failed))).toEqual({ batchItemFailures: [] });
    const version = store.orders.get(ORDER_ID)!.version;

    expect(await call(sqsBatch(failed))).toEqual({ batchItemFailures: [] });
    expect(store.orders.get(ORDER_ID)!.version).toBe(version);
    expect(store.outbox.size).toBe(1);
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.duplicates, 'Count', 1);
  });

  it('acknowledges a contradicting event with a warning and a metric', async () => {
    const { store, call, addMetric, warn } = consumerUnderTest();
    await call(sqsBatch(events.paymentCompleted('evt-1', 'pay-1')));
    const response = await call(sqsBatch(events.paymentCompleted('evt-2', 'pay-2')));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.orders.get(ORDER_ID)?.saga.paymentId).toBe('pay-1');
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.contradictions, 'Count', 1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('contradicts'),
      expect.objectContaining({ reason: 'contradicts_order' }),
    );
    // Logged through the message's own logger: the line names the order and the event.
    expect(keysOfLogCall(warn)).toMatchObject({ orderId: ORDER_ID, eventId: 'evt-2' });
  });

  it('acknowledges an event for an unknown order with a warning', async () => {
    const { store, call, addMetric, warn } = consumerUnderTest();
    store.orders.clear();
    expect(await call(sqsBatch(events.inventoryFailed()))).toEqual({ batchItemFailures: [] });
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.unknownOrders, 'Count', 1);
    expect(warn).toHaveBeenCalled();
  });

  it('reports a poison message and still processes the rest of the batch', async () => {
    const { store, call } = consumerUnderTest();
    const response = await call(
      sqsBatch('not json', { ...events.paymentFailed(), orderId: '' }, events.paymentFailed()),
    );
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      'm1',
      'm2',
    ]);
    expect(store.orders.get(ORDER_ID)?.status).toBe('CANCELLED');
  });

  it('reports a message whose order keeps conflicting, for the queue to redeliver', async () => {
    const { store, call } = consumerUnderTest();
    store.transitionConflictsAhead = 100;
    const response = await call(sqsBatch(events.paymentFailed()));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(store.orders.get(ORDER_ID)?.version).toBe(1);
  });

  it('reports OrderCreated as a message it does not handle (it belongs to the timer-start queue)', async () => {
    const { timer, call } = consumerUnderTest();
    const response = await call(sqsBatch(events.orderCreated()));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(timer.calls).toEqual([]);
  });

  it('acknowledges a final transition whose timer could not be stopped, counting the failure', async () => {
    const { store, timer, call, addMetric } = consumerUnderTest();
    timer.failStops = new Error('ServiceUnavailable');
    const response = await call(sqsBatch(events.paymentFailed()));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.orders.get(ORDER_ID)?.status).toBe('CANCELLED');
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.timerStopFailures, 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith(orderEventMetrics.ordersCancelled, 'Count', 1);
  });
});
