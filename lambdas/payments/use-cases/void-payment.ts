import type { EventOf, OrderCancelled } from '../../../events/index.ts';
import { openVoidedPayment, voidPayment as voided, type Payment } from '../domain/payment.ts';
import type { PaymentStore } from './ports.ts';
import { runWithRetries, type RetryDeps, type StepOutcome } from './retry.ts';

export interface VoidPaymentDeps extends RetryDeps {
  store: PaymentStore;
  now: () => Date;
  /** A new unique id (UUID) for a payment recorded VOIDED. */
  newId: () => string;
}

export type VoidPaymentResult =
  /**
   * Voided now: the order had no payment (`previous` ABSENT; recorded VOIDED so that its
   * OrderCreated, whenever it comes, charges nothing), or a slow charge not settled yet
   * (`previous` PROCESSING; the processor's pending charge is cancelled).
   */
  | { kind: 'voided'; payment: Payment; previous: 'ABSENT' | 'PROCESSING' }
  /** Already VOIDED: by this event's earlier delivery, or the deadline passed first. */
  | { kind: 'duplicate'; reason: 'already-voided'; payment: Payment }
  /**
   * Nothing to void: the payment is COMPLETED, FAILED or REFUNDED. The order service asks
   * for the refund of a completed charge itself (PaymentRefundRequested).
   */
  | { kind: 'settled'; payment: Payment };

type OrderCancelledEvent = EventOf<typeof OrderCancelled>;

/**
 * Makes sure a cancelled order is never charged: on OrderCancelled, the order's payment
 * is voided if no charge has settled. No event is emitted (the order is cancelled
 * already; nobody waits for one), so each void is one conditional write: a new VOIDED
 * payment only if there is none (`attribute_not_exists`), a void only if the payment is
 * still PROCESSING. A concurrent OrderCreated that charges first, or a settling
 * redelivery, makes the condition fail; the payment is then read again and decided again
 * (a charge that won the race is then refunded at the order service's request, as for
 * any PaymentCompleted after a cancel).
 */
export async function voidPayment(
  event: OrderCancelledEvent,
  deps: VoidPaymentDeps,
): Promise<VoidPaymentResult> {
  const { store, now, newId } = deps;

  return runWithRetries(async (): Promise<StepOutcome<VoidPaymentResult>> => {
    const payment = await store.getPayment(event.orderId);
    const at = now();
    let next: Payment;
    let previous: 'ABSENT' | 'PROCESSING';
    if (payment === undefined) {
      next = openVoidedPayment(
        {
          orderId: event.orderId,
          amount: event.data.total,
          currency: event.data.currency,
          items: [],
          reason: 'cancelled',
          voidEventId: event.eventId,
        },
        { paymentId: newId(), now: at },
      );
      previous = 'ABSENT';
    } else {
      switch (payment.status) {
        case 'VOIDED':
          return { done: { kind: 'duplicate', reason: 'already-voided', payment } };
        case 'COMPLETED':
        case 'FAILED':
        case 'REFUNDED':
          return { done: { kind: 'settled', payment } };
        case 'PROCESSING':
          next = voided(payment, { reason: 'cancelled', now: at, voidEventId: event.eventId });
          previous = 'PROCESSING';
      }
    }
    const outcome = await store.commit({
      payment: { next, expected: previous },
      events: [],
      now: at,
    });
    switch (outcome) {
      case 'committed':
        return { done: { kind: 'voided', payment: next, previous } };
      case 'payment-changed':
        return { retry: 'changed' };
      case 'conflict':
        return { retry: 'conflict' };
    }
  }, deps);
}
