import {
  InventoryFailed,
  InventoryReserved,
  type EventOf,
  type PaymentCompleted,
} from '../../../events/index.ts';
import {
  shortageOf,
  sumBySku,
  type Reservation,
  type StockShortage,
} from '../domain/reservation.ts';
import { RETRY, retryOnConflict } from './conflict-retry.ts';
import type { InventoryConsumerDeps } from './consumer-deps.ts';

export type PaymentCompletedEvent = EventOf<typeof PaymentCompleted>;

/**
 * Most distinct SKUs one reservation can hold: a DynamoDB transaction has at most 100
 * items, and two are the reservation and the outbox event (one more is kept free). (The order API
 * accepts at most 50 lines, so only a foreign or broken producer can exceed it.)
 */
export const MAX_SKUS_PER_RESERVATION = 97;

/** An order with more SKUs than one transaction can reserve: not retryable (the DLQ keeps it). */
export class TooManySkusError extends Error {
  override name = 'TooManySkusError';
}

export type ReserveStockResult =
  /** Every line was reserved; InventoryReserved is in the outbox. */
  | { kind: 'reserved'; reservationId: string }
  /** Nothing was reserved; InventoryFailed is in the outbox. */
  | { kind: 'failed'; reservationId: string; shortage: StockShortage }
  /** This event was already applied. */
  | { kind: 'duplicate' }
  /** The order already has a reservation, made for another PaymentCompleted event. */
  | { kind: 'reservation-exists' };

/**
 * Reserves the stock of a paid order: every line, all or none, in one transaction with
 * conditional decrements (available never goes below zero, so concurrent orders for the
 * last units can never oversell), plus the RESERVED reservation, the InventoryReserved
 * event. When a line is short, writes instead, in one transaction, a FAILED reservation
 * and InventoryFailed (why, and which SKUs).
 *
 * The reservation (one per order, written with `attribute_not_exists`, recording the
 * PaymentCompleted it was made for) is what makes this exactly once: a redelivered event
 * cancels on it and is told apart from another event by that eventId, so it changes
 * nothing and needs no processed marker. A transaction cancelled by
 * concurrent writers is retried with jittered backoff, and after the last attempt
 * {@link WriteContentionError} is thrown so the queue redelivers the event later.
 *
 * @throws {@link TooManySkusError} when the order has more SKUs than one transaction holds.
 */
export async function reserveStock(
  event: PaymentCompletedEvent,
  deps: InventoryConsumerDeps,
): Promise<ReserveStockResult> {
  const { store, now, newId } = deps;
  const items = sumBySku(event.data.items);
  if (items.length > MAX_SKUS_PER_RESERVATION) {
    throw new TooManySkusError(
      `Order ${event.orderId} has ${items.length} SKUs; one reservation holds at most ${MAX_SKUS_PER_RESERVATION}`,
    );
  }
  const at = now();
  const occurredAt = at.toISOString();
  const reservationId = newId();
  // Every event about an order is its first (reserved or failed) or its second (released).
  const reservation: Reservation = {
    orderId: event.orderId,
    reservationId,
    status: 'RESERVED',
    items,
    sequence: 1,
    paymentEventId: event.eventId,
    createdAt: occurredAt,
    updatedAt: occurredAt,
  };
  const envelopeFields = (eventId: string) => ({
    eventId,
    occurredAt,
    orderId: event.orderId,
    correlationId: event.correlationId,
    causationId: event.eventId,
    sequence: reservation.sequence,
  });
  const reserved = InventoryReserved.create(envelopeFields(newId()), { reservationId, items });

  return retryOnConflict(async () => {
    const attempt = await store.reserve({ reservation, event: reserved, now: at });
    switch (attempt.outcome) {
      case 'reserved':
        return { kind: 'reserved', reservationId };
      case 'duplicate':
      case 'reservation-exists':
        return { kind: attempt.outcome };
      case 'conflict':
        return RETRY;
      case 'insufficient': {
        const shortage = shortageOf(attempt.failed);
        const recorded = await store.recordFailedReservation({
          reservation: { ...reservation, status: 'FAILED', failure: shortage },
          event: InventoryFailed.create(envelopeFields(newId()), shortage),
          now: at,
        });
        switch (recorded.outcome) {
          case 'recorded':
            return { kind: 'failed', reservationId, shortage };
          case 'duplicate':
          case 'reservation-exists':
            return { kind: recorded.outcome };
          case 'conflict':
            return RETRY;
        }
      }
    }
  }, deps.retry);
}
