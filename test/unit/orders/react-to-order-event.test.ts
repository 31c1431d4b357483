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
  it('are every saga event and not OrderCreated, which waits out the grace period on its own queue', () => {
    expect(patternOf(...orderEventContracts)['detail-type']).toEqual(
      sagaEventContracts.map((contract) => contract.detailType).sort(),
    );
    expect(patternOf(...orderEventContracts)['detail-type']).not.toContain('OrderCreated');
  });
});

describe('reactToOrderEvent', () => {
  describe('payment and inventory events', () => {
    it('applies the event with its eventId as causation', async () => {
      const { deps, store } = sagaSetup();
      const reaction = await reactToOrderEvent(events.paymentFailed('evt-pf'), deps);
      expect(reaction.kind).toBe('applied');
      expect([...store.outbox.values()]).toEqual([
        expect.objectContaining({ type: 'OrderCancelled', causationId: 'evt-pf' }),
      ]);
    });

    it('asks for no stop when the order became final within the grace period (it has no timer)', async () => {
      const { deps, timer } = sagaSetup();
      // Created at 10:00:00, final at 10:00:30; with a 60 s grace the timer-start consumer
      // reads it at 10:01:00 at the earliest, and then sees it final.
      const graceful = { ...deps, timerGraceSeconds: 60 };
      await reactToOrderEvent(events.paymentCompleted('evt-pc'), graceful);
      expect(await reactToOrderEvent(events.inventoryReserved('evt-ir'), graceful)).toMatchObject({
        kind: 'applied',
        timerStop: { outcome: 'never-started' },
      });
      expect(timer.calls).toEqual([]);
    });

    it('stops the timer of an order that became final after the grace period', async () => {
      const { deps, timer } = sagaSetup();
      await timer.startTimer(ORDER_ID, '2026-11-23T10:01:30.000Z');
      expect(
        await reactToOrderEvent(events.paymentFailed('evt-pf'), { ...deps, timerGraceSeconds: 20 }),
      ).toMatchObject({ kind: 'applied', timerStop: { outcome: 'stopped' } });
      expect(timer.running.size).toBe(0);
    });

    it('stops the timer when the event makes the order final', async () => {
      const { deps, store, timer } = sagaSetup();
      await timer.startTimer(ORDER_ID, '2026-11-23T10:01:30.000Z');
      expect(await reactToOrderEvent(events.paymentCompleted('evt-pc'), deps)).not.toHaveProperty(
        'timerStop',
      );
      expect(timer.calls).toEqual([`start:${ORDER_ID}`]);

      const reaction = await reactToOrderEvent(events.inventoryReserved('evt-ir'), deps);
      expect(reaction).toMatchObject({ kind: 'applied', timerStop: { outcome: 'stopped' } });
      expect(store.orders.get(ORDER_ID)?.status).toBe('CONFIRMED');
      expect(timer.running.size).toBe(0);
    });

    it('tries to stop the timer of an order final within the grace period, which has none', async () => {
      const { deps, timer } = sagaSetup();
      await reactToOrderEvent(events.paymentCompleted('evt-pc'), deps);
      expect(await reactToOrderEvent(events.inventoryReserved('evt-ir'), deps)).toMatchObject({
        kind: 'applied',
        timerStop: { outcome: 'not-running' },
      });
      expect(timer.calls).toEqual([`stop:${ORDER_ID}`]);
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
