import type { EventOf, OrderCreated } from '../../../events/index.ts';
import { decideCharge } from '../domain/charge-decision.ts';
import {
  hasSettled,
  isPastDeadline,
  openPayment,
  openVoidedPayment,
  secondsUntilSettled,
  settlePayment,
  voidPayment,
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
   * The order's deadline had passed: the charge was not started (`previous` ABSENT) or not
   * settled (`previous` PROCESSING), and the payment is now VOIDED (`expired`), with no
   * event. The saga timer cancels the order.
   */
  | { kind: 'voided'; payment: Payment; previous: 'ABSENT' | 'PROCESSING' }
  /**
   * Nothing charged: the order's payment is VOIDED (the order was cancelled, or its
   * deadline passed, before the charge).
   */
  | { kind: 'not-charged'; payment: Payment }
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
 * Charges an order once, whatever the number of deliveries of its OrderCreated, and never
 * once the order is cancelled or past its deadline.
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
 *
 * From the order's deadline (`data.deadline`) on, no charge is started or settled: the
 * payment is voided instead (`expired`; conditioned on there being none, or on it still
 * being PROCESSING), and nothing is announced, since the saga timer cancels the order at
 * that deadline. An order whose payment is VOIDED (cancelled first: see `voidPayment`) is
 * not charged. Every write is conditioned on the state it was decided from, so a
 * concurrent OrderCancelled or delivery makes it fail, and it is decided again on a fresh
 * read.
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
  const expired = (at: Date) => isPastDeadline(event.data.deadline, at);

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

  /** Voids a PROCESSING payment whose order's deadline passed before it settled. */
  const voidExpired = async (
    payment: Payment,
    at: Date,
  ): Promise<StepOutcome<ChargePaymentResult>> => {
    const voided = voidPayment(payment, { reason: 'expired', now: at });
    const outcome = await store.commit({
      payment: { next: voided, expected: 'PROCESSING' },
      events: [],
      now: at,
    });
    return outcome === 'committed'
      ? { done: { kind: 'voided', payment: voided, previous: 'PROCESSING' } }
      : commitOutcome(outcome);
  };

  const settleOrWait = async (payment: Payment): Promise<StepOutcome<ChargePaymentResult>> => {
    const at = now();
    if (expired(at)) return voidExpired(payment, at);
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
    const request = {
      orderId: event.orderId,
      eventId: event.eventId,
      amount: event.data.total,
      currency: event.data.currency,
      items: event.data.items,
    };
    if (expired(at)) {
      // Recorded, so that a redelivery (or a late OrderCancelled) finds it decided.
      const voided = openVoidedPayment(
        { ...request, chargeEventId: event.eventId, reason: 'expired' },
        { paymentId: newId(), now: at },
      );
      const outcome = await store.commit({
        payment: { next: voided, expected: 'ABSENT' },
        events: [],
        now: at,
      });
      return outcome === 'committed'
        ? { done: { kind: 'voided', payment: voided, previous: 'ABSENT' } }
        : commitOutcome(outcome);
    }
    const decision = decideCharge(event.data.paymentToken, deps.random, deps.failureRate);
    const payment = openPayment(request, decision, {
      paymentId: newId(),
      now: at,
      slowPaymentSeconds: deps.slowPaymentSeconds,
    });
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
    if (existing.status === 'VOIDED') return { done: { kind: 'not-charged', payment: existing } };
    if (existing.chargeEventId !== event.eventId)
      return { done: { kind: 'duplicate', reason: 'order-already-charged', payment: existing } };
    if (existing.status === 'PROCESSING') return settleOrWait(existing);
    return { done: { kind: 'duplicate', reason: 'already-processed', payment: existing } };
  }, deps);
}
