import { describe, expect, it } from '@jest/globals';
import { InventoryReleased } from '../../../events/index.ts';
import { WriteContentionError } from '../../../lambdas/inventory/use-cases/conflict-retry.ts';
import { releaseStock } from '../../../lambdas/inventory/use-cases/release-stock.ts';
import { reserveStock } from '../../../lambdas/inventory/use-cases/reserve-stock.ts';
import { consumerDeps, NOW, paymentCompleted, releaseRequested } from './fixtures.ts';

/** A store where order-1 holds 2 units of A (of 5) under reservation id-1. */
async function reserved() {
  const setup = consumerDeps();
  setup.store.addProduct('A', 5);
  const result = await reserveStock(paymentCompleted([{ sku: 'A', quantity: 2 }]), setup.deps);
  if (result.kind !== 'reserved') throw new Error('setup failed');
  return { ...setup, reservationId: result.reservationId };
}

describe('releaseStock', () => {
  it('gives the units back once, marks the reservation RELEASED and emits InventoryReleased', async () => {
    const { deps, store, reservationId } = await reserved();
    const request = releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }]);

    const result = await releaseStock(request, deps);

    expect(result).toEqual({ kind: 'released', reservationId });
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
    expect(store.reservations.get('order-1')).toMatchObject({
      status: 'RELEASED',
      releaseReason: 'timeout',
      sequence: 2,
      updatedAt: NOW.toISOString(),
    });
    expect(store.outbox.at(-1)).toEqual(
      InventoryReleased.create(
        {
          eventId: 'id-3',
          occurredAt: NOW.toISOString(),
          orderId: 'order-1',
          correlationId: 'order-1',
          causationId: request.eventId,
          sequence: 2,
        },
        { reservationId, items: [{ sku: 'A', quantity: 2 }] },
      ),
    );
  });

  it('releases what the reservation holds, whatever the request lists', async () => {
    const { deps, store, reservationId } = await reserved();
    await releaseStock(releaseRequested(reservationId, [{ sku: 'A', quantity: 99 }]), deps);
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
    // The event says what was given back: the reservation's lines, not the request's.
    expect(store.outbox.at(-1)).toMatchObject({
      type: 'InventoryReleased',
      data: { reservationId, items: [{ sku: 'A', quantity: 2 }] },
    });
  });

  it('acknowledges the same request delivered again without giving the units back twice', async () => {
    const { deps, store, reservationId } = await reserved();
    const request = releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }]);
    await releaseStock(request, deps);

    expect(await releaseStock(request, deps)).toEqual({ kind: 'already-released' });
    expect(
      await releaseStock(
        releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }], { eventId: 'release-2' }),
        deps,
      ),
    ).toEqual({ kind: 'already-released' });
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
    expect(store.outbox).toHaveLength(2);
  });

  it('finds the reservation released when a concurrent delivery released it first', async () => {
    const { deps, store, reservationId } = await reserved();
    const request = releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }]);
    // The other delivery committed between this one's read and its write.
    const read = store.getReservation.bind(store);
    store.getReservation = async (orderId) => {
      const seen = await read(orderId);
      store.getReservation = read;
      await releaseStock(request, deps);
      return seen;
    };
    expect(await releaseStock(request, deps)).toEqual({ kind: 'already-released' });
    expect(store.products.get('A')).toMatchObject({ available: 5, reserved: 0 });
    expect(store.outbox).toHaveLength(2);
  });

  it('acknowledges an unknown reservation without writing, however often delivered', async () => {
    const { deps, store } = await reserved();
    const request = releaseRequested('someone-else', [{ sku: 'A', quantity: 2 }]);
    expect(await releaseStock(request, deps)).toEqual({
      kind: 'nothing-to-release',
      found: 'other-reservation',
    });
    expect(store.products.get('A')).toMatchObject({ available: 3, reserved: 2 });
    expect(await releaseStock(request, deps)).toEqual({
      kind: 'nothing-to-release',
      found: 'other-reservation',
    });
    expect(store.calls.release).toBe(0);
    expect(store.outbox).toHaveLength(1);
  });

  it('acknowledges a release for an order it never saw', async () => {
    const { deps } = consumerDeps();
    expect(
      await releaseStock(
        releaseRequested('r-1', [{ sku: 'A', quantity: 1 }], { orderId: 'o-9' }),
        deps,
      ),
    ).toEqual({ kind: 'nothing-to-release', found: 'none' });
  });

  it('acknowledges a release of a FAILED reservation (nothing was held)', async () => {
    const { deps, store } = consumerDeps();
    store.addProduct('A', 0);
    const failed = await reserveStock(paymentCompleted([{ sku: 'A', quantity: 1 }]), deps);
    if (failed.kind !== 'failed') throw new Error('setup failed');
    expect(
      await releaseStock(releaseRequested(failed.reservationId, [{ sku: 'A', quantity: 1 }]), deps),
    ).toEqual({ kind: 'nothing-to-release', found: 'failed' });
    expect(store.products.get('A')).toMatchObject({ available: 0, reserved: 0 });
  });

  it('reads again and retries when the reservation changed or writers conflicted', async () => {
    const { deps, store, reservationId } = await reserved();
    store.conflicts.release = 2;
    const result = await releaseStock(
      releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }]),
      deps,
    );
    expect(result.kind).toBe('released');
    expect(store.calls.release).toBe(3);
  });

  it('throws WriteContentionError when conflicts never stop, having written nothing', async () => {
    const { deps, store, reservationId } = await reserved();
    store.conflicts.release = 100;
    await expect(
      releaseStock(releaseRequested(reservationId, [{ sku: 'A', quantity: 2 }]), deps),
    ).rejects.toThrow(WriteContentionError);
    expect(store.products.get('A')).toMatchObject({ available: 3, reserved: 2 });
  });
});
