import type * as z from 'zod/mini';
import {
  InventoryFailed,
  InventoryReleased,
  InventoryReserved,
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
  type EventOf,
  type InventoryFailureReason,
  type PaymentFailureReason,
} from '../../../events/index.ts';

/**
 * The events of other services that move an order's saga forward. The order service's
 * rule (`patternOf(...sagaEventContracts)`) and its consumer's parser
 * (`parseEventBridgeEvent(event, sagaEventContracts)`) both come from this list, so the
 * events routed to the order service are exactly the ones {@link sagaInputFromEvent} maps.
 */
export const sagaEventContracts = [
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
  InventoryReserved,
  InventoryFailed,
  InventoryReleased,
] as const;

/** A validated envelope of one of the {@link sagaEventContracts}. */
export type SagaEvent = EventOf<(typeof sagaEventContracts)[number]>;

/**
 * What can happen to an order's saga: a fact reported by another service (carrying the
 * eventId it was published with, for logs and causation), or a command — the saga timer
 * firing, or the customer asking to cancel. Commands are not EventBridge events, so they
 * have no eventId.
 */
export type SagaInput =
  | {
      kind: 'PaymentCompleted';
      eventId: string;
      paymentId: string;
      /** What was charged, in minor units: a late payment is refunded by exactly this. */
      amount: number;
      currency: string;
    }
  | { kind: 'PaymentFailed'; eventId: string; reason: z.infer<typeof PaymentFailureReason> }
  | { kind: 'PaymentRefunded'; eventId: string; paymentId: string }
  | { kind: 'InventoryReserved'; eventId: string; reservationId: string }
  | { kind: 'InventoryFailed'; eventId: string; reason: z.infer<typeof InventoryFailureReason> }
  | { kind: 'InventoryReleased'; eventId: string; reservationId: string }
  | { kind: 'SagaTimedOut' }
  | {
      kind: 'CancelRequested';
      /** The customer's own words, kept on the order; the event's reason is `customer_request`. */
      reason?: string;
    };

/** The `kind` of a saga input, e.g. for metrics dimensions. */
export type SagaInputKind = SagaInput['kind'];

/**
 * Maps a validated event envelope to the saga input it means. Only the fields the
 * transition function uses are kept; the envelope stays with the handler (orderId to load
 * the order, eventId for the exactly-once marker and as the causation id of what it emits).
 */
export function sagaInputFromEvent(event: SagaEvent): SagaInput {
  const { eventId } = event;
  switch (event.type) {
    case 'PaymentCompleted':
      return {
        kind: 'PaymentCompleted',
        eventId,
        paymentId: event.data.paymentId,
        amount: event.data.amount,
        currency: event.data.currency,
      };
    case 'PaymentFailed':
      return { kind: 'PaymentFailed', eventId, reason: event.data.reason };
    case 'PaymentRefunded':
      return { kind: 'PaymentRefunded', eventId, paymentId: event.data.paymentId };
    case 'InventoryReserved':
      return { kind: 'InventoryReserved', eventId, reservationId: event.data.reservationId };
    case 'InventoryFailed':
      return { kind: 'InventoryFailed', eventId, reason: event.data.reason };
    case 'InventoryReleased':
      return { kind: 'InventoryReleased', eventId, reservationId: event.data.reservationId };
  }
}
