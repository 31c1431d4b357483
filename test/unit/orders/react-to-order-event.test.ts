import { describe, expect, it } from '@jest/globals';
import { patternOf } from '../../../events/index.ts';
import { sagaEventContracts } from '../../../lambdas/orders/domain/saga.ts';
import {
  orderEventContracts,
  reactToOrderEvent,
} from '../../../lambdas/orders/use-cases/react-to-order-event.ts';
import { WriteContentionError } from '../../../lambdas/orders/use-cases/place-order.ts';
import { newOrder } from '../saga/fixtures.ts';
import { events, ORDER_ID, sagaSetup } from './saga-fixtures.ts';

describe('orderEventContracts', () => {
  it('are OrderCreated and every saga event, so the rule routes exactly what the consumer parses', () => {
    expect(patternOf(...orderEventContracts)['detail-type']).toEqual(
      ['OrderCreated', ...sagaEventContracts.map((contract) => contract.detailType)].sort(),
    );
  });
});

describe('reactToOrderEvent', () => {
  describe('OrderCreated', () => {
    it('starts the order’s saga timer at the event’s deadline', async () => {
      const { deps, timer } = sagaSetup();
      const reaction = await reactToOrderEvent(events.orderCreated(), deps);
      expect(reaction).toEqual({ kind: 'timer-started', deadline: '2026-11-23T10:01:30.000Z' });
      expect(timer.running).toEqual(new Map([[ORDER_ID, '2026-11-23T10:01:30.000Z']]));
    });

    it('starts the timer once however often the event is delivered', async () => {
      const { deps, timer } = sagaSetup();
      const event = events.orderCreated('evt-created');
      await reactToOrderEvent(event, deps);
      expect(await reactToOrderEvent(event, deps)).toMatchObject({
        kind: 'timer-already-started',
      });
      expect(timer.running.size).toBe(1);
    });

    it('starts no timer for an order the saga already finished', async () => {
      const { deps, store, timer } = sagaSetup();
      store.seed(newOrder({ orderId: ORDER_ID, status: 'CANCELLED' }));
      expect(await reactToOrderEvent(events.orderCreated(), deps)).toEqual({
        kind: 'timer-not-needed',
        status: 'CANCELLED',
      });
      expect(timer.calls).toEqual([]);
    });

    it('writes nothing to the order', async () => {
      const { deps, store } = sagaSetup();
      await reactToOrderEvent(events.orderCreated(), deps);
      expect(store.commitTransitionCalls).toBe(0);
    });

    it('reports an unknown order without starting a timer', async () => {
      const { deps, store, timer } = sagaSetup();
      store.orders.clear();
      expect(await reactToOrderEvent(events.orderCreated(), deps)).toEqual({ kind: 'not-found' });
      expect(timer.calls).toEqual([]);
    });

    it('fails when the timer cannot be started, so the message is retried', async () => {
      const { deps, timer } = sagaSetup();
      timer.failStarts = new Error('ThrottlingException');
      await expect(reactToOrderEvent(events.orderCreated(), deps)).rejects.toThrow(
        'ThrottlingException',
      );
    });
  });

  describe('payment and inventory events', () => {
    it('applies the event with its eventId as causation', async () => {
      const { deps, store } = sagaSetup();
      const reaction = await reactToOrderEvent(events.paymentFailed('evt-pf'), deps);
      expect(reaction.kind).toBe('applied');
      expect([...store.outbox.values()]).toEqual([
        expect.objectContaining({ type: 'OrderCancelled', causationId: 'evt-pf' }),
      ]);
    });

    it('stops the timer when the event makes the order final', async () => {
      const { deps, store, timer } = sagaSetup();
      await reactToOrderEvent(events.orderCreated(), deps);
      expect(await reactToOrderEvent(events.paymentCompleted('evt-pc'), deps)).not.toHaveProperty(
        'timerStop',
      );
      expect(timer.calls).toEqual([`start:${ORDER_ID}`]);

      const reaction = await reactToOrderEvent(events.inventoryReserved('evt-ir'), deps);
      expect(reaction).toMatchObject({ kind: 'applied', timerStop: { outcome: 'stopped' } });
      expect(store.orders.get(ORDER_ID)?.status).toBe('CONFIRMED');
      expect(timer.running.size).toBe(0);
    });

    it('does not stop the timer again for a change of an order that was already final', async () => {
      const { deps, store, timer } = sagaSetup();
      store.seed(
        newOrder({
          orderId: ORDER_ID,
          status: 'CANCELLED',
          cancellationReason: 'timeout',
          saga: { payment: 'REFUND_REQUESTED', inventory: 'NONE', paymentId: 'pay-1' },
        }),
      );
      const reaction = await reactToOrderEvent(events.paymentRefunded('evt-refunded'), deps);
      expect(reaction.kind).toBe('applied');
      expect(timer.calls).toEqual([]);
    });

    it('keeps the committed transition when the timer cannot be stopped', async () => {
      const { deps, store, timer } = sagaSetup();
      timer.failStops = new Error('ServiceUnavailable');
      const reaction = await reactToOrderEvent(events.paymentFailed(), deps);
      expect(reaction).toMatchObject({
        kind: 'applied',
        timerStop: { outcome: 'failed', error: timer.failStops },
      });
      expect(store.orders.get(ORDER_ID)?.status).toBe('CANCELLED');
    });

    it('reports an event the order already reflects as ignored, and writes nothing', async () => {
      const { deps, store } = sagaSetup();
      await reactToOrderEvent(events.paymentCompleted('evt-1'), deps);
      // The same fact published again under a new eventId (the payment service retried).
      const reaction = await reactToOrderEvent(events.paymentCompleted('evt-2'), deps);
      expect(reaction).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
      expect(store.commitTransitionCalls).toBe(1);
    });

    it('reports a contradicting event as ignored', async () => {
      const { deps } = sagaSetup();
      await reactToOrderEvent(events.paymentCompleted('evt-1', 'pay-1'), deps);
      expect(
        await reactToOrderEvent(events.paymentCompleted('evt-2', 'pay-2'), deps),
      ).toMatchObject({ kind: 'ignored', reason: 'contradicts_order' });
    });

    it('reports a redelivered event as a duplicate and writes nothing more', async () => {
      const { deps, store } = sagaSetup();
      await reactToOrderEvent(events.paymentFailed('evt-pf'), deps);
      expect(await reactToOrderEvent(events.paymentFailed('evt-pf'), deps)).toMatchObject({
        kind: 'ignored',
        reason: 'duplicate',
      });
      expect(store.commitTransitionCalls).toBe(1);
      expect(store.outbox.size).toBe(1);
    });

    it('reports an unknown order', async () => {
      const { deps, store } = sagaSetup();
      store.orders.clear();
      expect(await reactToOrderEvent(events.paymentFailed(), deps)).toEqual({ kind: 'not-found' });
    });

    it('fails when the order keeps conflicting, so the queue redelivers the event', async () => {
      const { deps, store } = sagaSetup();
      store.transitionConflictsAhead = 100;
      await expect(reactToOrderEvent(events.paymentFailed(), deps)).rejects.toThrow(
        WriteContentionError,
      );
    });
  });
});
