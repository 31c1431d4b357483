import {
  InventoryReleased,
  type EventOf,
  type InventoryReleaseRequested,
} from '../../../events/index.ts';
import type { Reservation } from '../domain/reservation.ts';
import { RETRY, retryOnConflict } from './conflict-retry.ts';
import type { InventoryConsumerDeps } from './consumer-deps.ts';

export type InventoryReleaseRequestedEvent = EventOf<typeof InventoryReleaseRequested>;

export type ReleaseStockResult =
  /** The units went back to available; InventoryReleased is in the outbox. */
  | { kind: 'released'; reservationId: string }
  /** The reservation was released before (by this request's earlier delivery or another request): nothing to do. */
  | { kind: 'already-released' }
  /**
   * No RESERVED reservation with this id exists for the order (unknown id, or the
   * reservation FAILED): nothing to give back, now or on any redelivery (a reservation made
   * later has a new id, and FAILED is final), so nothing is written.
   */
  | { kind: 'nothing-to-release'; found: 'none' | 'other-reservation' | 'failed' };

/**
 * Gives a reservation's units back (a saga compensation), once: the reservation goes
 * RESERVED → RELEASED and each of its lines moves from reserved to available, with the
 * InventoryReleased event, in one transaction conditional on the reservation being as it
 * was read (so a redelivery racing the first delivery re-reads and finds it RELEASED: no
 * processed marker is needed). The units given back are the ones the reservation holds,
 * whatever the request lists.
 *
 * Requests that cannot release anything are acknowledged (never retried) without writing.
 *
 * @throws {@link WriteContentionError} when concurrent writers keep cancelling the transaction.
 */
export async function releaseStock(
  event: InventoryReleaseRequestedEvent,
  deps: InventoryConsumerDeps,
): Promise<ReleaseStockResult> {
  const { store, now, newId } = deps;
  const at = now();
  const occurredAt = at.toISOString();
  const { reservationId } = event.data;

  const acknowledge = (found: 'none' | 'other-reservation' | 'failed'): ReleaseStockResult => ({
    kind: 'nothing-to-release',
    found,
  });

  return retryOnConflict(async () => {
    const previous = await store.getReservation(event.orderId);
    if (!previous) return acknowledge('none');
    if (previous.reservationId !== reservationId) return acknowledge('other-reservation');
    if (previous.status === 'RELEASED') return { kind: 'already-released' };
    if (previous.status === 'FAILED') return acknowledge('failed');

    const next: Reservation = {
      ...previous,
      status: 'RELEASED',
      releaseReason: event.data.reason,
      sequence: previous.sequence + 1,
      updatedAt: occurredAt,
    };
    const released = InventoryReleased.create(
      {
        eventId: newId(),
        occurredAt,
        orderId: event.orderId,
        correlationId: event.correlationId,
        causationId: event.eventId,
        sequence: next.sequence,
      },
      { reservationId, items: previous.items },
    );
    const attempt = await store.release({ previous, next, event: released, now: at });
    switch (attempt.outcome) {
      case 'released':
        return { kind: 'released', reservationId };
      case 'stale':
      case 'conflict':
        return RETRY;
    }
  }, deps.retry);
}
