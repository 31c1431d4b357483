import { describe, expect, it } from '@jest/globals';
import { OrderCancelled, PaymentRefundRequested } from '../../../events/index.ts';
import { applyToOrder, becameFinal } from '../../../lambdas/orders/use-cases/apply-to-order.ts';
import { WriteContentionError } from '../../../lambdas/orders/use-cases/place-order.ts';
import { applySagaInput } from '../../../lambdas/orders/domain/saga.ts';
import { inputs, newOrder } from '../saga/fixtures.ts';
import { NOW, ORDER_ID, sagaSetup } from './saga-fixtures.ts';

describe('applyToOrder', () => {
  it('commits the new order, its events and a timeline entry together', async () => {
    const { store, deps } = sagaSetup();
    store.seed(
      newOrder({
        orderId: ORDER_ID,
        saga: { payment: 'COMPLETED', inventory: 'NONE', paymentId: 'pay-1' },
        version: 2,
        sequence: 3,
      }),
    );

    const result = await applyToOrder(
      {
        orderId: ORDER_ID,
        input: inputs.inventoryFailed(),
        causationId: 'evt-inventory-failed',
      },
      deps,
    );

    expect(result.kind).toBe('applied');
    const stored = store.orders.get(ORDER_ID)!;
    expect(stored).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out_of_stock',
      saga: { payment: 'REFUND_REQUESTED', inventory: 'FAILED' },
      version: 3,
      sequence: 5,
      updatedAt: NOW.toISOString(),
    });
    const written = [...store.outbox.values()];
    expect(written.map((event) => [event.type, event.sequence])).toEqual([
      ['OrderCancelled', 4],
      ['PaymentRefundRequested', 5],
    ]);
    expect(() => OrderCancelled.parse(written[0])).not.toThrow();
    expect(() => PaymentRefundRequested.parse(written[1])).not.toThrow();
    for (const event of written) {
      expect(event).toMatchObject({
        causationId: 'evt-inventory-failed',
        correlationId: ORDER_ID,
        orderId: ORDER_ID,
        occurredAt: NOW.toISOString(),
      });
    }
    expect(new Set(written.map((event) => event.eventId)).size).toBe(2);
    expect(store.timelines.get(ORDER_ID)?.get(3)).toEqual({
      at: NOW.toISOString(),
      type: 'InventoryFailed',
      eventId: 'evt-inventory-failed',
      status: 'CANCELLED',
      payment: 'REFUND_REQUESTED',
      inventory: 'FAILED',
      emitted: ['OrderCancelled', 'PaymentRefundRequested'],
    });
  });

  it('records a command without an event id in the timeline', async () => {
    const { store, deps } = sagaSetup();
    await applyToOrder(
      { orderId: ORDER_ID, input: inputs.cancelRequested('changed my mind'), causationId: 'req-1' },
      deps,
    );
    const entry = store.timelines.get(ORDER_ID)?.get(2);
    expect(entry).toMatchObject({ type: 'CancelRequested', status: 'CANCELLED' });
    expect(entry).not.toHaveProperty('eventId');
    expect(store.orders.get(ORDER_ID)?.cancellationNote).toBe('changed my mind');
  });

  it('writes nothing when the transition ignores the input', async () => {
    const { store, deps } = sagaSetup();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CONFIRMED' }));
    const result = await applyToOrder(
      { orderId: ORDER_ID, input: inputs.timedOut(), causationId: 'timer:ord-1' },
      deps,
    );
    expect(result).toMatchObject({ kind: 'ignored', reason: 'order_final' });
    expect(store.commitTransitionCalls).toBe(0);
  });

  it('reports a refused command without writing', async () => {
    const { store, deps } = sagaSetup();
    store.seed(newOrder({ orderId: ORDER_ID, status: 'CANCELLED', cancellationReason: 'timeout' }));
    const result = await applyToOrder(
      { orderId: ORDER_ID, input: inputs.cancelRequested(), causationId: 'req-1' },
      deps,
    );
    expect(result).toMatchObject({ kind: 'rejected', reason: 'already_cancelled' });
    expect(store.commitTransitionCalls).toBe(0);
  });

  it('reports an unknown order', async () => {
    const { deps } = sagaSetup();
    const result = await applyToOrder(
      { orderId: 'nope', input: inputs.paymentFailed(), causationId: 'evt-1' },
      deps,
    );
    expect(result).toEqual({ kind: 'not-found' });
  });

  it('writes nothing for a redelivered event: the order already reflects it', async () => {
    const { store, deps } = sagaSetup();
    const request = {
      orderId: ORDER_ID,
      input: inputs.paymentFailed(),
      causationId: 'evt-payment-failed',
    };
    expect((await applyToOrder(request, deps)).kind).toBe('applied');
    const outboxAfterFirst = store.outbox.size;

    const again = await applyToOrder(request, deps);

    expect(again).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    expect(store.commitTransitionCalls).toBe(1);
    expect(store.orders.get(ORDER_ID)?.version).toBe(2);
    expect(store.outbox.size).toBe(outboxAfterFirst);
    expect(store.timelines.get(ORDER_ID)?.size).toBe(1);
  });

  it('lets only one of two racing deliveries of an event commit: the other reloads and ignores it', async () => {
    const { store, deps } = sagaSetup();
    const request = {
      orderId: ORDER_ID,
      input: inputs.paymentFailed(),
      causationId: 'evt-payment-failed',
    };
    let raced = false;
    store.beforeCommit = () => {
      if (raced) return;
      raced = true;
      // The other delivery of the same event commits between this one's read and its write.
      const current = store.orders.get(ORDER_ID)!;
      const other = applySagaInput(current, request.input, NOW.toISOString());
      if (other.outcome !== 'applied') throw new Error('setup');
      store.orders.set(ORDER_ID, other.order);
    };

    const result = await applyToOrder(request, deps);

    expect(result).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    expect(store.commitTransitionCalls).toBe(1);
    expect(store.outbox.size).toBe(0);
  });

  it('reloads and reapplies when another writer changed the order first, losing neither update', async () => {
    const { store, deps, sleeps } = sagaSetup();
    let raced = false;
    store.beforeCommit = () => {
      if (raced) return;
      raced = true;
      // A concurrent consumer commits InventoryReserved between our read and our write.
      const current = store.orders.get(ORDER_ID)!;
      const other = applySagaInput(current, inputs.inventoryReserved(), NOW.toISOString());
      if (other.outcome !== 'applied') throw new Error('setup');
      store.orders.set(ORDER_ID, other.order);
    };

    const result = await applyToOrder(
      {
        orderId: ORDER_ID,
        input: inputs.paymentCompleted(),
        causationId: 'evt-completed-pay-1',
      },
      deps,
    );

    expect(result.kind).toBe('applied');
    expect(store.commitTransitionCalls).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(store.orders.get(ORDER_ID)).toMatchObject({
      status: 'CONFIRMED',
      saga: { payment: 'COMPLETED', inventory: 'RESERVED', paymentId: 'pay-1' },
      version: 3,
    });
    expect([...store.outbox.values()].map((event) => event.type)).toEqual(['OrderConfirmed']);
  });

  it('retries a transaction conflict with growing jittered backoff', async () => {
    const { store, deps, sleeps } = sagaSetup();
    store.transitionConflictsAhead = 3;
    const result = await applyToOrder(
      { orderId: ORDER_ID, input: inputs.paymentFailed(), causationId: 'evt-1' },
      deps,
    );
    expect(result.kind).toBe('applied');
    // random() = 0.5 of 25 ms × 2^(attempt-1).
    expect(sleeps).toEqual([12, 25, 50]);
  });

  it('gives up after the last attempt with a contention error and nothing written', async () => {
    const { store, deps } = sagaSetup();
    store.transitionConflictsAhead = 10;
    await expect(
      applyToOrder(
        { orderId: ORDER_ID, input: inputs.paymentFailed(), causationId: 'evt-1' },
        { ...deps, maxAttempts: 3 },
      ),
    ).rejects.toThrow(WriteContentionError);
    expect(store.commitTransitionCalls).toBe(3);
    expect(store.orders.get(ORDER_ID)?.version).toBe(1);
    expect(store.outbox.size).toBe(0);
  });
});

describe('becameFinal', () => {
  const applied = (before: 'PENDING' | 'CONFIRMED', after: 'CONFIRMED' | 'CANCELLED') => ({
    kind: 'applied' as const,
    before: newOrder({ status: before }),
    order: newOrder({ status: after }),
    events: [],
  });

  it('is true only when a pending order became confirmed or cancelled', () => {
    expect(becameFinal(applied('PENDING', 'CONFIRMED'))).toBe(true);
    expect(becameFinal(applied('PENDING', 'CANCELLED'))).toBe(true);
    expect(becameFinal(applied('CONFIRMED', 'CANCELLED'))).toBe(false);
  });
});
