import { describe, expect, it } from '@jest/globals';
import { startSagaTimer } from '../../../lambdas/orders/use-cases/start-saga-timer.ts';
import { newOrder } from '../saga/fixtures.ts';
import { events, ORDER_ID, sagaSetup } from './saga-fixtures.ts';

// OrderCreated reaches startSagaTimer after the grace period; these tests are about what
// it decides then (the delay itself is the queue's: see the infra and e2e tests).
describe('startSagaTimer', () => {
  it('starts the timer of an order still pending, at the deadline OrderCreated carries', async () => {
    const { deps, timer } = sagaSetup();
    const reaction = await startSagaTimer(events.orderCreated(), deps);
    expect(reaction).toEqual({ kind: 'timer-started', deadline: '2026-11-23T10:01:30.000Z' });
    expect(timer.running).toEqual(new Map([[ORDER_ID, '2026-11-23T10:01:30.000Z']]));
  });

  it('starts the timer once however often the event is delivered', async () => {
    const { deps, timer } = sagaSetup();
    const event = events.orderCreated('evt-created');
    await startSagaTimer(event, deps);
    expect(await startSagaTimer(event, deps)).toMatchObject({ kind: 'timer-already-started' });
    expect(timer.running.size).toBe(1);
  });

  it.each(['CONFIRMED', 'CANCELLED'] as const)(
    'starts no timer for an order already %s',
    async (status) => {
      const { deps, store, timer } = sagaSetup();
      store.seed(newOrder({ orderId: ORDER_ID, status }));
      expect(await startSagaTimer(events.orderCreated(), deps)).toEqual({
        kind: 'timer-not-needed',
        status,
      });
      expect(timer.calls).toEqual([]);
    },
  );

  it('writes nothing to the order', async () => {
    const { deps, store } = sagaSetup();
    await startSagaTimer(events.orderCreated(), deps);
    expect(store.commitTransitionCalls).toBe(0);
  });

  it('reports an unknown order without starting a timer', async () => {
    const { deps, store, timer } = sagaSetup();
    store.orders.clear();
    expect(await startSagaTimer(events.orderCreated(), deps)).toEqual({ kind: 'not-found' });
    expect(timer.calls).toEqual([]);
  });

  it('fails when the timer cannot be started, so the message is retried', async () => {
    const { deps, timer } = sagaSetup();
    timer.failStarts = new Error('ThrottlingException');
    await expect(startSagaTimer(events.orderCreated(), deps)).rejects.toThrow(
      'ThrottlingException',
    );
  });
});
