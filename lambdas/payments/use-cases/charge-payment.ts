import type { EventOf, OrderCreated } from '../../../events/index.ts';
import { decideCharge } from '../domain/charge-decision.ts';
import {
  hasSettled,
  openPayment,
  secondsUntilSettled,
  settlePayment,
  type Payment,
} from '../domain/payment.ts';
import { paymentEvent } from '../domain/payment-events.ts';
import type { CommitOutcome, PaymentStore } from './ports.ts';
import { runWithRetries, type RetryDeps, type StepOutcome } from './retry.ts';

export interface ChargePaymentDeps extends RetryDeps {
  store: PaymentStore;
  now: () => Date;
  /** A new unique id (UUID) for the payment and for each event. */
  newId: () => string;
  /** The simulator's random source in [0, 1): `Math.random` in production. */
  random: () => number;
  /** Fraction (0..1) of immediately approved charges to decline at random (demos). */
  failureRate: number;
  /** How long a `tok_slow` charge takes to settle. */
  slowPaymentSeconds: number;
}

export type ChargePaymentResult =
  /** The charge was decided now and committed with its event: PaymentCompleted/Failed. */
  | { kind: 'completed' | 'failed'; payment: Payment }
  /**
   * The charge is PROCESSING and settles in `retryAfterSeconds`: the caller must have this
   * same event delivered again then (nothing else is left to remember it).
   */
  | { kind: 'pending'; payment: Payment; retryAfterSeconds: number }
  /**
   * Nothing to do: this event was already applied (`already-processed`), or another
   * OrderCreated for the same order opened the order's payment (`order-already-charged`).
   */
  | {
      kind: 'duplicate';
      reason: 'already-processed' | 'order-already-charged';
      payment?: Payment;
    };

type OrderCreatedEvent = EventOf<typeof OrderCreated>;

/**
 * Charges an order once, whatever the number of deliveries of its OrderCreated.
 *
 * A new payment is written with `attribute_not_exists`, together with its event
 * (PaymentCompleted or PaymentFailed) in the outbox. The payment, keyed by order, is what
 * makes it exactly once (no processed marker): a redelivery reads it and finds its own
 * eventId as `chargeEventId` (already processed), another OrderCreated for the same order
 * finds another one; and two deliveries racing cannot both write it (the loser's condition
 * fails, it re-reads and finds the winner's). Either way nothing is charged twice.
 *
 * A slow charge (`tok_slow`) is first written as PROCESSING with `settlesAt`, with no
 * event: the result is `pending` and the caller arranges the redelivery. A delivery at or
 * after `settlesAt` completes it (PROCESSING → COMPLETED, conditioned on PROCESSING) with
 * PaymentCompleted.
 */
export async function chargePayment(
  event: OrderCreatedEvent,
  deps: ChargePaymentDeps,
): Promise<ChargePaymentResult> {
  const { store, now, newId } = deps;
  const eventContext = () => ({
    correlationId: event.correlationId,
    causationId: event.eventId,
    eventId: newId(),
  });

  // A lost condition means another delivery wrote the payment first: the retry re-reads it.
  const commitOutcome = (
    outcome: Exclude<CommitOutcome, 'committed'>,
  ): StepOutcome<ChargePaymentResult> => {
    switch (outcome) {
      case 'payment-changed':
        return { retry: 'changed' };
      case 'conflict':
        return { retry: 'conflict' };
    }
  };

  const settleOrWait = async (payment: Payment): Promise<StepOutcome<ChargePaymentResult>> => {
    const at = now();
    if (!hasSettled(payment, at))
      return {
        done: { kind: 'pending', payment, retryAfterSeconds: secondsUntilSettled(payment, at) },
      };
    const settled = settlePayment(payment, at);
    const outcome = await store.commit({
      payment: { next: settled, expected: 'PROCESSING' },
      events: [paymentEvent(settled, eventContext())],
      now: at,
    });
    return outcome === 'committed'
      ? { done: { kind: 'completed', payment: settled } }
      : commitOutcome(outcome);
  };

  const open = async (): Promise<StepOutcome<ChargePaymentResult>> => {
    const at = now();
    const decision = decideCharge(event.data.paymentToken, deps.random, deps.failureRate);
    const payment = openPayment(
      {
        orderId: event.orderId,
        eventId: event.eventId,
        amount: event.data.total,
        currency: event.data.currency,
        items: event.data.items,
      },
      decision,
      { paymentId: newId(), now: at, slowPaymentSeconds: deps.slowPaymentSeconds },
    );
    if (payment.status === 'PROCESSING') {
      // No event yet: the redelivery of this same event settles it.
      const outcome = await store.commit({
        payment: { next: payment, expected: 'ABSENT' },
        events: [],
        now: at,
      });
      // With SLOW_PAYMENT_SECONDS = 0 it settles at once.
      return outcome === 'committed' ? settleOrWait(payment) : commitOutcome(outcome);
    }
    const outcome = await store.commit({
      payment: { next: payment, expected: 'ABSENT' },
      events: [paymentEvent(payment, eventContext())],
      now: at,
    });
    if (outcome !== 'committed') return commitOutcome(outcome);
    return { done: { kind: payment.status === 'COMPLETED' ? 'completed' : 'failed', payment } };
  };

  return runWithRetries(async () => {
    const existing = await store.getPayment(event.orderId);
    if (existing === undefined) return open();
    if (existing.chargeEventId !== event.eventId)
      return { done: { kind: 'duplicate', reason: 'order-already-charged', payment: existing } };
    if (existing.status === 'PROCESSING') return settleOrWait(existing);
    return { done: { kind: 'duplicate', reason: 'already-processed', payment: existing } };
  }, deps);
}
