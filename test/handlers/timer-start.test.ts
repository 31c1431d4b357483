import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  createTimerStartHandler,
  timerStartMetrics,
} from '../../lambdas/orders/timer/timer-start-consumer.ts';
import { lambdaContext, quietObservability } from '../unit/orders/api-fixtures.ts';
import { events, ORDER_ID, sagaSetup, sqsBatch } from '../unit/orders/saga-fixtures.ts';
import { newOrder } from '../unit/saga/fixtures.ts';
import { keysOfLogCall, spyOnLogs } from '../support/lambda-fixtures.ts';

afterEach(() => {
  jest.restoreAllMocks();
});

function consumerUnderTest() {
  const { store, timer, deps } = sagaSetup();
  const observability = quietObservability();
  const handler = createTimerStartHandler({ ...deps, observability });
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const info = spyOnLogs('info');
  const warn = spyOnLogs('warn');
  const call = (batch: ReturnType<typeof sqsBatch>) => handler(batch, lambdaContext());
  return { store, timer, call, addMetric, info, warn };
}

describe('timer-start handler', () => {
  it('starts the timer of a pending order, counts it and logs the deadline on the message’s logger', async () => {
    const { timer, call, addMetric, info } = consumerUnderTest();
    expect(await call(sqsBatch(events.orderCreated('evt-oc')))).toEqual({
      batchItemFailures: [],
    });
    expect(timer.running.get(ORDER_ID)).toBe('2026-11-23T10:01:30.000Z');
    expect(addMetric).toHaveBeenCalledWith(timerStartMetrics.timersStarted, 'Count', 1);
    expect(info).toHaveBeenCalledWith('Saga timer started', {
      deadline: '2026-11-23T10:01:30.000Z',
    });
    const line = info.mock.calls.findIndex(([message]) => message === 'Saga timer started');
    expect(keysOfLogCall(info, line)).toMatchObject({
      orderId: ORDER_ID,
      eventId: 'evt-oc',
    });
  });

  it('starts no timer for an order final within the grace period, and counts the saving', async () => {
    const { store, timer, call, addMetric } = consumerUnderTest();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CONFIRMED' }));
    expect(await call(sqsBatch(events.orderCreated()))).toEqual({ batchItemFailures: [] });
    expect(timer.calls).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith(timerStartMetrics.timersNotNeeded, 'Count', 1);
    expect(addMetric).not.toHaveBeenCalledWith(timerStartMetrics.timersStarted, 'Count', 1);
  });

  it('counts a redelivered OrderCreated as a duplicate and starts nothing more', async () => {
    const { timer, call, addMetric } = consumerUnderTest();
    const created = events.orderCreated('evt-oc');
    await call(sqsBatch(created));
    expect(await call(sqsBatch(created))).toEqual({ batchItemFailures: [] });
    expect(timer.running.size).toBe(1);
    expect(addMetric).toHaveBeenCalledWith(timerStartMetrics.duplicates, 'Count', 1);
  });

  it('acknowledges OrderCreated for an unknown order with a warning', async () => {
    const { store, timer, call, addMetric, warn } = consumerUnderTest();
    store.orders.clear();
    expect(await call(sqsBatch(events.orderCreated()))).toEqual({ batchItemFailures: [] });
    expect(timer.calls).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith(timerStartMetrics.unknownOrders, 'Count', 1);
    expect(warn).toHaveBeenCalled();
  });

  it('reports a message whose timer cannot be started, for the queue to redeliver', async () => {
    const { timer, call } = consumerUnderTest();
    timer.failStarts = new Error('ServiceUnavailable');
    const response = await call(sqsBatch(events.orderCreated()));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('reports a saga event as a message it does not handle', async () => {
    const { timer, call } = consumerUnderTest();
    const response = await call(sqsBatch(events.paymentCompleted(), events.orderCreated()));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(timer.running.size).toBe(1);
  });
});
