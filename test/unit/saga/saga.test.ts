import type { Order } from '../../../lambdas/orders/domain/order.ts';
import { describe, expect, it } from '@jest/globals';
import { applySagaInput, isFinal, isSettled } from '../../../lambdas/orders/domain/saga.ts';
import { at, deepFreeze, inputs, newOrder, play, typesOf } from './fixtures.ts';

const customer = {
  customerId: 'cust-1',
  customerEmail: 'ada@example.com',
  currency: 'USD',
  total: 2500,
};
const refundOf = (reason: string, amount = 2500) => ({
  type: 'PaymentRefundRequested',
  data: { paymentId: 'pay-1', amount, currency: 'USD', reason },
});
const releaseOf = (reason: string) => ({
  type: 'InventoryReleaseRequested',
  data: {
    reservationId: 'res-1',
    items: [
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 1 },
    ],
    reason,
  },
});

/** A confirmed order (payment pay-1, reservation res-1). */
const confirmedOrder = (): Order =>
  play(newOrder(), inputs.paymentCompleted(), inputs.inventoryReserved()).order;

describe('applySagaInput: happy path', () => {
  it('records the payment and waits for stock', () => {
    const result = applySagaInput(newOrder(), inputs.paymentCompleted(), at(1));
    expect(result.outcome).toBe('applied');
    expect(result.emit).toEqual([]);
    expect(result.order.status).toBe('PENDING');
    expect(result.order.saga).toEqual({
      payment: 'COMPLETED',
      inventory: 'NONE',
      paymentId: 'pay-1',
    });
  });

  it('confirms once the order has both the payment and the reservation', () => {
    const { order, emitted } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.inventoryReserved(),
    );
    expect(order.status).toBe('CONFIRMED');
    expect(order.saga).toEqual({
      payment: 'COMPLETED',
      inventory: 'RESERVED',
      paymentId: 'pay-1',
      reservationId: 'res-1',
    });
    expect(emitted).toEqual([{ type: 'OrderConfirmed', data: customer }]);
  });

  it('confirms when the reservation is seen before the payment (the two travel separately)', () => {
    const { order, emitted, results } = play(
      newOrder(),
      inputs.inventoryReserved(),
      inputs.paymentCompleted(),
    );
    expect(results[0]).toMatchObject({ outcome: 'applied', emit: [] });
    expect(order.status).toBe('CONFIRMED');
    expect(typesOf(emitted)).toEqual(['OrderConfirmed']);
  });

  it('leaves customerEmail out of the events when the order has none', () => {
    const { customerEmail: _none, ...withoutEmail } = newOrder();
    const { emitted } = play(withoutEmail, inputs.paymentCompleted(), inputs.inventoryReserved());
    expect(emitted[0]?.data).not.toHaveProperty('customerEmail');
  });

  it('stamps each applied transition: version + 1, updatedAt = now, sequence + events emitted', () => {
    const paid = applySagaInput(newOrder(), inputs.paymentCompleted(), at(1));
    expect(paid.order).toMatchObject({ version: 2, sequence: 1, updatedAt: at(1) });
    const confirmed = applySagaInput(paid.order, inputs.inventoryReserved(), at(2));
    expect(confirmed.order).toMatchObject({ version: 3, sequence: 2, updatedAt: at(2) });
  });

  it('never mutates the order it is given', () => {
    const order = deepFreeze(newOrder());
    const snapshot = structuredClone(order);
    const paid = applySagaInput(order, inputs.paymentCompleted(), at(1));
    deepFreeze(paid.order);
    applySagaInput(paid.order, inputs.inventoryReserved(), at(2));
    applySagaInput(paid.order, inputs.cancelRequested('changed my mind'), at(2));
    expect(order).toEqual(snapshot);
  });
});

describe('applySagaInput: payment declined', () => {
  it('cancels with payment_failed and has nothing to compensate', () => {
    const { order, emitted } = play(newOrder(), inputs.paymentFailed());
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_failed' });
    expect(order.saga.payment).toBe('FAILED');
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'payment_failed' } },
    ]);
    expect(isSettled(order)).toBe(true);
  });
});

describe('applySagaInput: out of stock', () => {
  it('cancels with out_of_stock and asks for the payment back in the same transition', () => {
    const { order, emitted } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.inventoryFailed(),
    );
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'out_of_stock' });
    expect(order.saga).toMatchObject({ payment: 'REFUND_REQUESTED', inventory: 'FAILED' });
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'out_of_stock' } },
      refundOf('out_of_stock'),
    ]);
    expect(order.sequence).toBe(3);
    expect(isSettled(order)).toBe(false);
  });

  it('settles when the refund is reported, emitting nothing more', () => {
    const { order, results } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.inventoryFailed(),
      inputs.paymentRefunded(),
    );
    expect(results[2]).toMatchObject({ outcome: 'applied', emit: [] });
    expect(order.saga.payment).toBe('REFUNDED');
    expect(order.status).toBe('CANCELLED');
    expect(isSettled(order)).toBe(true);
  });

  it('treats an unknown SKU like missing stock: the order cannot be fulfilled', () => {
    const { order } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.inventoryFailed('unknown_sku'),
    );
    expect(order.cancellationReason).toBe('out_of_stock');
  });
});

describe('applySagaInput: timeout', () => {
  it('cancels a pending order that has seen nothing, with nothing to compensate', () => {
    const { order, emitted } = play(newOrder(), inputs.timedOut());
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    expect(typesOf(emitted)).toEqual(['OrderCancelled']);
    expect(isSettled(order)).toBe(true);
  });

  it('refunds a payment that was already taken', () => {
    const { order, emitted } = play(newOrder(), inputs.paymentCompleted(), inputs.timedOut());
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'timeout' } },
      refundOf('timeout'),
    ]);
    expect(order.saga.payment).toBe('REFUND_REQUESTED');
  });

  it('releases a reservation that was already made', () => {
    const { order, emitted } = play(newOrder(), inputs.inventoryReserved(), inputs.timedOut());
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'timeout' } },
      releaseOf('timeout'),
    ]);
    expect(order.saga.inventory).toBe('RELEASE_REQUESTED');
  });

  it('does nothing when the order is already confirmed', () => {
    const order = confirmedOrder();
    const result = applySagaInput(order, inputs.timedOut(), at(9));
    expect(result).toMatchObject({ outcome: 'ignored', reason: 'order_final', emit: [] });
    expect(result.order).toBe(order);
  });

  it('does nothing when the order is already cancelled', () => {
    const order = play(newOrder(), inputs.paymentFailed()).order;
    const result = applySagaInput(order, inputs.timedOut(), at(9));
    expect(result).toMatchObject({ outcome: 'ignored', reason: 'order_final', emit: [] });
    expect(result.order).toBe(order);
  });
});

describe('applySagaInput: customer cancel', () => {
  it('cancels a pending order and keeps the customer’s words, trimmed', () => {
    const { order, emitted } = play(newOrder(), inputs.cancelRequested('  found it cheaper  '));
    expect(order).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'customer_request',
      cancellationNote: 'found it cheaper',
    });
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'customer_request' } },
    ]);
  });

  it('keeps no note when the customer gave none or only blanks', () => {
    expect(play(newOrder(), inputs.cancelRequested()).order).not.toHaveProperty('cancellationNote');
    expect(play(newOrder(), inputs.cancelRequested('   ')).order).not.toHaveProperty(
      'cancellationNote',
    );
  });

  it('refunds the payment of a pending order that was already paid', () => {
    const { emitted } = play(newOrder(), inputs.paymentCompleted(), inputs.cancelRequested());
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'customer_request' } },
      refundOf('customer_request'),
    ]);
  });

  it('cancels a confirmed order with a refund and a release, and settles when both are reported', () => {
    const cancelled = applySagaInput(confirmedOrder(), inputs.cancelRequested(), at(5));
    expect(cancelled.outcome).toBe('applied');
    expect(cancelled.emit).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'customer_request' } },
      refundOf('customer_request'),
      releaseOf('customer_request'),
    ]);
    expect(cancelled.order.saga).toMatchObject({
      payment: 'REFUND_REQUESTED',
      inventory: 'RELEASE_REQUESTED',
    });
    const { order } = play(cancelled.order, inputs.inventoryReleased(), inputs.paymentRefunded());
    expect(order.saga).toMatchObject({ payment: 'REFUNDED', inventory: 'RELEASED' });
    expect(isSettled(order)).toBe(true);
  });

  it('rejects cancelling an order that is already cancelled, changing nothing', () => {
    const order = play(newOrder(), inputs.timedOut()).order;
    const result = applySagaInput(order, inputs.cancelRequested('again'), at(9));
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'already_cancelled', emit: [] });
    expect(result.order).toBe(order);
  });
});

describe('applySagaInput: late events after a cancellation', () => {
  it('refunds a payment that arrives after a timeout, by exactly what was charged', () => {
    const { order, emitted } = play(
      newOrder(),
      inputs.timedOut(),
      inputs.paymentCompleted('pay-1', 2400),
    );
    expect(emitted).toEqual([
      { type: 'OrderCancelled', data: { ...customer, reason: 'timeout' } },
      refundOf('timeout', 2400),
    ]);
    expect(order).toMatchObject({ status: 'CANCELLED', sequence: 3 });
    expect(order.saga).toMatchObject({ payment: 'REFUND_REQUESTED', paymentId: 'pay-1' });
  });

  it('releases a reservation that arrives after a customer cancel, summing stock per SKU', () => {
    const order = newOrder({
      items: [
        { sku: 'SKU-1', quantity: 1, unitPrice: 1000 },
        { sku: 'SKU-2', quantity: 1, unitPrice: 500 },
        { sku: 'SKU-1', quantity: 1, unitPrice: 1000 },
      ],
    });
    const { emitted } = play(
      order,
      inputs.paymentCompleted(),
      inputs.cancelRequested(),
      inputs.inventoryReserved(),
    );
    expect(emitted.at(-1)).toEqual(releaseOf('customer_request'));
  });

  it('records a payment failure that arrives after a timeout, with nothing to refund', () => {
    const { order, results } = play(newOrder(), inputs.timedOut(), inputs.paymentFailed());
    expect(results[1]).toMatchObject({ outcome: 'applied', emit: [] });
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    expect(order.saga.payment).toBe('FAILED');
    expect(isSettled(order)).toBe(true);
  });

  it('records an inventory failure after a cancellation without cancelling again', () => {
    const { order, emitted } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.timedOut(),
      inputs.inventoryFailed(),
      inputs.paymentRefunded(),
    );
    expect(typesOf(emitted)).toEqual(['OrderCancelled', 'PaymentRefundRequested']);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    expect(isSettled(order)).toBe(true);
  });

  it('lets a refund report race with the timer: the timer is ignored, the refund recorded', () => {
    const { order, results } = play(
      newOrder(),
      inputs.paymentCompleted(),
      inputs.inventoryFailed(),
      inputs.timedOut(),
      inputs.paymentRefunded(),
    );
    expect(results[2]).toMatchObject({ outcome: 'ignored', reason: 'order_final' });
    expect(order.saga.payment).toBe('REFUNDED');
  });
});

describe('applySagaInput: duplicates', () => {
  const cases = [
    ['PaymentCompleted', [inputs.paymentCompleted()]],
    ['PaymentFailed', [inputs.paymentFailed()]],
    ['InventoryReserved', [inputs.inventoryReserved()]],
    ['InventoryFailed', [inputs.paymentCompleted(), inputs.inventoryFailed()]],
    ['PaymentRefunded', [inputs.paymentCompleted(), inputs.timedOut(), inputs.paymentRefunded()]],
    [
      'InventoryReleased',
      [inputs.inventoryReserved(), inputs.timedOut(), inputs.inventoryReleased()],
    ],
  ] as const;

  it.each(cases)('recognises a second %s as already applied', (_name, sequence) => {
    const { order } = play(newOrder(), ...sequence);
    const again = applySagaInput(order, sequence.at(-1)!, at(20));
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate', emit: [] });
    expect(again.order).toBe(order);
  });

  it('does not refund twice when a late payment is redelivered after its refund completed', () => {
    const { emitted, results } = play(
      newOrder(),
      inputs.timedOut(),
      inputs.paymentCompleted(),
      inputs.paymentRefunded(),
      inputs.paymentCompleted(),
    );
    expect(typesOf(emitted)).toEqual(['OrderCancelled', 'PaymentRefundRequested']);
    expect(results[3]).toMatchObject({ outcome: 'ignored', reason: 'duplicate' });
  });

  it('does not release twice when a late reservation is redelivered after its release', () => {
    const { emitted } = play(
      newOrder(),
      inputs.cancelRequested(),
      inputs.inventoryReserved(),
      inputs.inventoryReleased(),
      inputs.inventoryReserved(),
    );
    expect(typesOf(emitted)).toEqual(['OrderCancelled', 'InventoryReleaseRequested']);
  });

  it('ignores a second timer', () => {
    const { results, emitted } = play(newOrder(), inputs.timedOut(), inputs.timedOut());
    expect(results[1]).toMatchObject({ outcome: 'ignored', reason: 'order_final' });
    expect(typesOf(emitted)).toEqual(['OrderCancelled']);
  });
});

describe('applySagaInput: facts that contradict the order', () => {
  it('ignores a second, different payment and keeps the first', () => {
    const paid = play(newOrder(), inputs.paymentCompleted('pay-1')).order;
    const result = applySagaInput(paid, inputs.paymentCompleted('pay-2'), at(5));
    expect(result).toMatchObject({ outcome: 'ignored', reason: 'contradicts_order' });
    expect(result.order).toBe(paid);
  });

  it('ignores a payment failure after the payment completed', () => {
    const paid = play(newOrder(), inputs.paymentCompleted()).order;
    expect(applySagaInput(paid, inputs.paymentFailed(), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
  });

  it('ignores an inventory failure after the stock was reserved', () => {
    const reserved = play(newOrder(), inputs.inventoryReserved()).order;
    expect(applySagaInput(reserved, inputs.inventoryFailed(), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
  });

  it('ignores a refund or a release the order never asked for', () => {
    const confirmed = confirmedOrder();
    expect(applySagaInput(confirmed, inputs.paymentRefunded(), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
    expect(applySagaInput(confirmed, inputs.inventoryReleased(), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
    expect(applySagaInput(newOrder(), inputs.paymentRefunded(), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
  });

  it('ignores a refund or a release of another payment or reservation than the one it asked about', () => {
    const cancelled = play(confirmedOrder(), inputs.cancelRequested()).order;
    expect(cancelled.saga).toMatchObject({
      payment: 'REFUND_REQUESTED',
      inventory: 'RELEASE_REQUESTED',
    });
    expect(applySagaInput(cancelled, inputs.paymentRefunded('pay-other'), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
    expect(applySagaInput(cancelled, inputs.inventoryReleased('res-other'), at(5))).toMatchObject({
      outcome: 'ignored',
      reason: 'contradicts_order',
    });
    // The compensations it did ask for still settle the order.
    expect(
      play(cancelled, inputs.paymentRefunded('pay-1'), inputs.inventoryReleased('res-1')).order
        .saga,
    ).toMatchObject({ payment: 'REFUNDED', inventory: 'RELEASED' });
  });

  it('still refunds a payment that completes after a reported failure: money must go back', () => {
    const { order, emitted } = play(newOrder(), inputs.paymentFailed(), inputs.paymentCompleted());
    expect(emitted.at(-1)).toEqual(refundOf('payment_failed'));
    expect(order.saga).toMatchObject({ payment: 'REFUND_REQUESTED', paymentId: 'pay-1' });
  });

  it('refuses to work on a corrupt order rather than emit a refund without a paymentId', () => {
    const corrupt = newOrder({ saga: { payment: 'COMPLETED', inventory: 'NONE' } });
    expect(() => applySagaInput(corrupt, inputs.timedOut(), at(1))).toThrow(/paymentId/);
  });
});

describe('isFinal', () => {
  it('is false while pending and true once confirmed or cancelled', () => {
    expect(isFinal(newOrder())).toBe(false);
    expect(isFinal(confirmedOrder())).toBe(true);
    expect(isFinal(play(newOrder(), inputs.timedOut()).order)).toBe(true);
  });
});

describe('isSettled', () => {
  it('is true only for a cancelled order that holds neither money nor stock', () => {
    const refunding = play(newOrder(), inputs.paymentCompleted(), inputs.timedOut()).order;
    expect(isSettled(refunding)).toBe(false);
    expect(isSettled(play(refunding, inputs.paymentRefunded()).order)).toBe(true);
    expect(isSettled(newOrder())).toBe(false);
    expect(isSettled(confirmedOrder())).toBe(false);
  });
});
