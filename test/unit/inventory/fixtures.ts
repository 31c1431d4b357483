import { InventoryReleaseRequested, PaymentCompleted } from '../../../events/index.ts';
import type { StockLine } from '../../../lambdas/inventory/domain/reservation.ts';
import type { InventoryConsumerDeps } from '../../../lambdas/inventory/use-cases/consumer-deps.ts';
import { FakeInventoryStore } from './fake-inventory-store.ts';

/** Shared helpers for the inventory unit and handler tests. */

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A PaymentCompleted for an order (correlation id = order id, as the saga sets it). */
export function paymentCompleted(
  items: StockLine[],
  { orderId = 'order-1', eventId = 'payment-event-1' }: { orderId?: string; eventId?: string } = {},
) {
  return PaymentCompleted.create(
    {
      eventId,
      occurredAt: '2026-03-01T11:59:00.000Z',
      orderId,
      correlationId: orderId,
      causationId: 'order-created-1',
      sequence: 1,
    },
    { paymentId: `pay-${orderId}`, amount: 2500, currency: 'USD', items },
  );
}

/** An InventoryReleaseRequested for an order's reservation. */
export function releaseRequested(
  reservationId: string,
  items: StockLine[],
  { orderId = 'order-1', eventId = 'release-event-1' }: { orderId?: string; eventId?: string } = {},
) {
  return InventoryReleaseRequested.create(
    {
      eventId,
      occurredAt: '2026-03-01T12:01:00.000Z',
      orderId,
      correlationId: orderId,
      causationId: 'order-event-3',
      sequence: 3,
    },
    { reservationId, items, reason: 'timeout' },
  );
}

/** Consumer dependencies around a fake store: fixed clock, counting ids, no real sleeps. */
export function consumerDeps(store = new FakeInventoryStore()) {
  let counter = 0;
  const sleeps: number[] = [];
  const deps: InventoryConsumerDeps & { store: FakeInventoryStore } = {
    store,
    now: () => NOW,
    newId: () => `id-${++counter}`,
    retry: {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    },
  };
  return { deps, store, sleeps };
}
