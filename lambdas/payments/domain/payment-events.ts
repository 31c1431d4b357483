import {
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
  type EventOf,
} from '../../../events/index.ts';
import type { Payment } from './payment.ts';

/** Envelope fields taken from the event being handled, and a fresh id for the new one. */
export interface PaymentEventContext {
  /** The saga of the consumed event (its correlationId). */
  correlationId: string;
  /** The consumed event's id. */
  causationId: string;
  /** A new unique event id (e.g. `randomUUID`), passed in to keep this pure. */
  eventId: string;
}

/**
 * The event a payment's new state announces, as a validated envelope: PaymentCompleted,
 * PaymentFailed or PaymentRefunded. Its `sequence` is the payment's (already incremented)
 * sequence and `occurredAt` the time of the transition. Throws for a PROCESSING or VOIDED
 * payment, which announce nothing, and if the envelope breaks its contract (a bug: it must never
 * reach the outbox).
 */
export function paymentEvent(
  payment: Payment,
  context: PaymentEventContext,
):
  | EventOf<typeof PaymentCompleted>
  | EventOf<typeof PaymentFailed>
  | EventOf<typeof PaymentRefunded> {
  const fields = {
    eventId: context.eventId,
    occurredAt: payment.updatedAt,
    orderId: payment.orderId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    sequence: payment.sequence,
  };
  const { paymentId, amount, currency } = payment;
  switch (payment.status) {
    case 'COMPLETED':
      return PaymentCompleted.create(fields, { paymentId, amount, currency, items: payment.items });
    case 'FAILED':
      return PaymentFailed.create(fields, {
        reason: required(payment.failureReason, 'failureReason of a FAILED payment'),
        amount,
        currency,
      });
    case 'REFUNDED':
      return PaymentRefunded.create(fields, { paymentId, amount, currency });
    case 'PROCESSING':
      throw new Error(`Payment ${paymentId} is PROCESSING: it has no event to announce yet`);
    case 'VOIDED':
      throw new Error(`Payment ${paymentId} is VOIDED: a void announces nothing`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Missing ${what}`);
  return value;
}
