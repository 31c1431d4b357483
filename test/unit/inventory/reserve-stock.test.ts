import { describe, expect, it } from '@jest/globals';
import { InventoryFailed, InventoryReserved } from '../../../events/index.ts';
import { WriteContentionError } from '../../../lambdas/inventory/use-cases/conflict-retry.ts';
import {
  MAX_SKUS_PER_RESERVATION,
  reserveStock,
  TooManySkusError,
} from '../../../lambdas/inventory/use-cases/reserve-stock.ts';
import { consumerDeps, NOW, paymentCompleted } from './fixtures.ts';

describe('reserveStock', () => {
  it('reserves every line, records the reservation and emits InventoryReserved in the saga', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 5);
    store.addProduct('B', 1);
    const event = paymentCompleted([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 1 },
      { sku: 'A', quantity: 1 },
    ]);

    const result = await reserveStock(event, deps);

    expect(result).toEqual({ kind: 'reserved', reservationId: 'id-1' });
    expect(store.products.get('A')).toMatchObject({ available: 2, reserved: 3 });
    expect(store.products.get('B')).toMatchObject({ available: 0, reserved: 1 });
    expect(store.reservations.get('order-1')).toEqual({
      orderId: 'order-1',
      reservationId: 'id-1',
      status: 'RESERVED',
      items: [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
      sequence: 1,
      paymentEventId: event.eventId,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(store.outbox).toEqual([
      InventoryReserved.create(
        {
          eventId: 'id-2',
          occurredAt: NOW.toISOString(),
          orderId: 'order-1',
          correlationId: event.correlationId,
          causationId: event.eventId,
          sequence: 1,
        },
        {
          reservationId: 'id-1',
          items: [
            { sku: 'A', quantity: 3 },
            { sku: 'B', quantity: 1 },
          ],
        },
      ),
    ]);
    expect(store.reservations.get('order-1')?.paymentEventId).toBe(event.eventId);
  });

  it('reserves nothing when a line is short, and records the failure with InventoryFailed', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 5);
    store.addProduct('B', 1);
    const event = paymentCompleted([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 2 },
    ]);

    const result = await reserveStock(event, deps);

    expect(result).toEqual({
      kind: 'failed',
      reservationId: 'id-1',
      shortage: { reason: 'out_of_stock', skus: ['B'] },
    });
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
    expect(store.products.get('B')).toMatchObject({ available: 1, reserved: 0 });
    expect(store.reservations.get('order-1')).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'out_of_stock', skus: ['B'] },
      sequence: 1,
    });
    expect(store.outbox).toHaveLength(1);
    const [failed] = store.outbox;
    expect(InventoryFailed.parse(failed)).toMatchObject({
      causationId: event.eventId,
      correlationId: 'order-1',
      sequence: 1,
      data: { reason: 'out_of_stock', skus: ['B'] },
    });
    expect(store.reservations.get('order-1')?.paymentEventId).toBe(event.eventId);
  });

  it('fails with unknown_sku when a SKU has no product', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 0);
    const result = await reserveStock(
      paymentCompleted([
        { sku: 'A', quantity: 1 },
        { sku: 'GHOST', quantity: 1 },
      ]),
      deps,
    );
    expect(result).toMatchObject({
      kind: 'failed',
      shortage: { reason: 'unknown_sku', skus: ['GHOST'] },
    });
  });

  it('acknowledges a duplicate event without touching anything', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 5);
    const event = paymentCompleted([{ sku: 'A', quantity: 1 }]);
    await reserveStock(event, deps);

    expect(await reserveStock(event, deps)).toEqual({ kind: 'duplicate' });
    expect(store.products.get('A')).toMatchObject({ available: 4, reserved: 1 });
    expect(store.outbox).toHaveLength(1);
  });

  it('acknowledges a duplicate that is also short without recording a failure', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 0);
    const event = paymentCompleted([{ sku: 'A', quantity: 1 }]);
    await reserveStock(event, deps);

    expect(await reserveStock(event, deps)).toEqual({ kind: 'duplicate' });
    expect(store.outbox).toHaveLength(1);
  });

  it('reports an order that already has a reservation from another event', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 5);
    await reserveStock(paymentCompleted([{ sku: 'A', quantity: 1 }]), deps);

    const again = await reserveStock(
      paymentCompleted([{ sku: 'A', quantity: 1 }], { eventId: 'payment-event-2' }),
      deps,
    );
    expect(again).toEqual({ kind: 'reservation-exists' });
    expect(store.products.get('A')).toMatchObject({ available: 4, reserved: 1 });
  });

  it('retries a transaction cancelled by concurrent writers, with backoff', async () => {
    const { deps, store, sleeps } = consumerDeps();
    store.addProduct('A', 5);
    store.conflicts.reserve = 2;

    const result = await reserveStock(paymentCompleted([{ sku: 'A', quantity: 1 }]), deps);

    expect(result.kind).toBe('reserved');
    expect(store.calls.reserve).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(store.outbox).toHaveLength(1);
  });

  it('retries when recording the failure conflicts, starting again from the reservation', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 0);
    store.conflicts.recordFailedReservation = 1;

    const result = await reserveStock(paymentCompleted([{ sku: 'A', quantity: 1 }]), deps);

    expect(result.kind).toBe('failed');
    expect(store.calls.reserve).toBe(2);
    expect(store.outbox).toHaveLength(1);
  });

  it('throws WriteContentionError when conflicts never stop, having written nothing', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 5);
    store.conflicts.reserve = 100;

    await expect(reserveStock(paymentCompleted([{ sku: 'A', quantity: 1 }]), deps)).rejects.toThrow(
      WriteContentionError,
    );
    expect(store.outbox).toHaveLength(0);
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('refuses an order with more SKUs than one transaction can hold', async () => {
    const { deps, store } = consumerDeps();
    const items = Array.from({ length: MAX_SKUS_PER_RESERVATION + 1 }, (_, i) => ({
      sku: `S-${i}`,
      quantity: 1,
    }));
    await expect(reserveStock(paymentCompleted(items), deps)).rejects.toThrow(TooManySkusError);
    expect(store.calls.reserve).toBe(0);
  });
});
