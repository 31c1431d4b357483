import type { InventoryState, Order, OrderStatus, PaymentState } from './order.ts';
import type { SagaInputKind } from './saga.ts';

/**
 * The order's history as the API shows it (`GET /orders/{orderId}/timeline`): one entry per
 * committed change of the order, written in the same transaction as the change, so the
 * timeline never shows a change that did not happen nor misses one that did.
 */

/**
 * What changed the order: `OrderPlaced` (the creation, whose event is OrderCreated) or the
 * kind of saga input that was applied (an event of another service, the saga timer, the
 * customer's cancel).
 */
export type TimelineEntryType = 'OrderPlaced' | SagaInputKind;

export interface TimelineEntry {
  /** When the change was committed (the order's `updatedAt` after it). */
  at: string;
  type: TimelineEntryType;
  /** The consumed event's id, for changes caused by another service's event. */
  eventId?: string;
  /** The order's state after the change. */
  status: OrderStatus;
  payment: PaymentState;
  inventory: InventoryState;
  /** Detail-types of the events this change emitted, in the order they were emitted. */
  emitted: string[];
}

/**
 * The entry recording that `after` (the order as the change left it) was reached by `type`,
 * emitting `emitted`.
 */
export function timelineEntry(
  after: Pick<Order, 'updatedAt' | 'status' | 'saga'>,
  cause: { type: TimelineEntryType; eventId?: string },
  emitted: readonly { type: string }[],
): TimelineEntry {
  return {
    at: after.updatedAt,
    type: cause.type,
    ...(cause.eventId === undefined ? {} : { eventId: cause.eventId }),
    status: after.status,
    payment: after.saga.payment,
    inventory: after.saga.inventory,
    emitted: emitted.map((event) => event.type),
  };
}
