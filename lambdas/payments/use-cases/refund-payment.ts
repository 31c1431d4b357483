import type { EventOf, PaymentRefundRequested } from '../../../events/index.ts';
import { refundPayment as refunded, type Payment } from '../domain/payment.ts';
import { paymentEvent } from '../domain/payment-events.ts';
import type { PaymentStore } from './ports.ts';
import { runWithRetries, type RetryDeps, type StepOutcome } from './retry.ts';

export interface RefundPaymentDeps extends RetryDeps {
  store: PaymentStore;
  now: () => Date;
  /** A new unique id (UUID) for each event. */
  newId: () => string;
}

export type RefundPaymentResult =
  /**
   * Refunded now, with PaymentRefunded. The whole charged amount is given back;
   * `mismatch` says how the request disagreed with the payment (amount or currency).
   */
  | { kind: 'refunded'; payment: Payment; mismatch?: string }
  /** Already applied: the payment is REFUNDED (by this request's first delivery or another request). */
  | { kind: 'duplicate'; reason: 'already-refunded' }
  /**
   * Nothing to refund, and nothing is written: `unknown-payment` (no payment, another
   * paymentId, or a failed or voided one) stays so on every redelivery (a payment opened
   * later has a new paymentId, and FAILED and VOIDED are final); `still-processing` should never happen, since the
   * order only asks after PaymentCompleted.
   */
  | { kind: 'ignored'; reason: 'unknown-payment' | 'still-processing'; detail: string };

type RefundRequest = EventOf<typeof PaymentRefundRequested>;

/**
 * Refunds a payment at most once: COMPLETED → REFUNDED with PaymentRefunded in one
 * transaction, conditioned on the payment still being COMPLETED, so neither a redelivery
 * nor a second request for the same payment refunds twice (no processed marker needed:
 * the payment's status is the record).
 */
export async function refundPayment(
  request: RefundRequest,
  deps: RefundPaymentDeps,
): Promise<RefundPaymentResult> {
  const { store, now, newId } = deps;
  const { paymentId } = request.data;

  const unknown = (detail: string): StepOutcome<RefundPaymentResult> => ({
    done: { kind: 'ignored', reason: 'unknown-payment', detail },
  });

  return runWithRetries(async () => {
    const payment = await store.getPayment(request.orderId);
    if (payment === undefined)
      return unknown(`order ${request.orderId} has no payment (asked for ${paymentId})`);
    if (payment.paymentId !== paymentId)
      return unknown(`order ${request.orderId} has payment ${payment.paymentId}, not ${paymentId}`);
    switch (payment.status) {
      case 'FAILED':
        return unknown(`payment ${paymentId} failed: nothing was charged`);
      case 'VOIDED':
        return unknown(`payment ${paymentId} was voided: nothing was charged`);
      case 'REFUNDED':
        return { done: { kind: 'duplicate', reason: 'already-refunded' } };
      case 'PROCESSING':
        return {
          done: {
            kind: 'ignored',
            reason: 'still-processing',
            detail: `payment ${paymentId} is still PROCESSING: a refund was asked before it completed`,
          },
        };
      case 'COMPLETED': {
        const at = now();
        const next = refunded(payment, at);
        const outcome = await store.commit({
          payment: { next, expected: 'COMPLETED' },
          events: [
            paymentEvent(next, {
              correlationId: request.correlationId,
              causationId: request.eventId,
              eventId: newId(),
            }),
          ],
          now: at,
        });
        switch (outcome) {
          case 'committed': {
            const mismatch = describeMismatch(request, payment);
            return { done: { kind: 'refunded', payment: next, ...(mismatch ? { mismatch } : {}) } };
          }
          case 'payment-changed':
            return { retry: 'changed' };
          case 'conflict':
            return { retry: 'conflict' };
        }
      }
    }
  }, deps);
}

function describeMismatch(request: RefundRequest, payment: Payment): string | undefined {
  const { amount, currency } = request.data;
  if (amount === payment.amount && currency === payment.currency) return undefined;
  return `requested ${amount} ${currency}, charged ${payment.amount} ${payment.currency}`;
}
