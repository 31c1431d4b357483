import type * as z from 'zod/mini';
import type { PaymentFailureReason as FailureReasonSchema } from '../../../events/index.ts';

/**
 * The payment aggregate: at most one per order. Its status only moves forward:
 *
 * ```
 * (none) ──charge──> COMPLETED ──refund──> REFUNDED
 *    │  └──charge──> FAILED
 *    ├──tok_slow──> PROCESSING ──settles──> COMPLETED
 *    │                   └──void──> VOIDED
 *    └──void──> VOIDED
 * ```
 *
 * VOIDED is terminal and means nothing was ever charged: the order was cancelled, or its
 * deadline passed, before the charge started or settled. It announces nothing (the order
 * is cancelled already, or the saga timer cancels it), and a later OrderCreated for the
 * order finds it and charges nothing.
 */
export type PaymentStatus = 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'REFUNDED' | 'VOIDED';

/**
 * Why a payment was voided: `cancelled`, its order was cancelled (OrderCancelled);
 * `expired`, the order's deadline passed before the charge started or settled.
 */
export type VoidReason = 'cancelled' | 'expired';

/** Why the (simulated) processor declined a charge; the same values as PaymentFailed's. */
export type PaymentFailureReason = z.infer<typeof FailureReasonSchema>;

/** A quantity of one SKU, carried to PaymentCompleted so inventory can reserve. */
export interface PaymentLine {
  sku: string;
  quantity: number;
}

export interface Payment {
  paymentId: string;
  orderId: string;
  /** What is charged, in the currency's minor units (the order's total). */
  amount: number;
  currency: string;
  items: PaymentLine[];
  status: PaymentStatus;
  /** Set when FAILED. */
  failureReason?: PaymentFailureReason;
  /**
   * The OrderCreated eventId that opened this payment. A redelivery of that event may
   * settle a PROCESSING payment; another OrderCreated for the same order never charges.
   * Absent only on a payment voided by an OrderCancelled that arrived before any
   * OrderCreated.
   */
  chargeEventId?: string;
  createdAt: string;
  updatedAt: string;
  /** When a PROCESSING charge settles (ISO 8601): its message is redelivered then. */
  settlesAt?: string;
  completedAt?: string;
  failedAt?: string;
  refundedAt?: string;
  /** Set when VOIDED. */
  voidedAt?: string;
  /** Set when VOIDED. */
  voidReason?: VoidReason;
  /** The OrderCancelled eventId that voided it (when `voidReason` is `cancelled`). */
  voidEventId?: string;
  /**
   * Envelope sequence of the last event the payment service emitted for this order (0
   * before the first), so the events of one order are numbered 1, 2, … by this producer.
   */
  sequence: number;
}

/** How the simulated processor answers a charge (see `decideCharge`). */
export type ChargeDecision =
  | { outcome: 'approved' }
  | { outcome: 'declined'; reason: PaymentFailureReason }
  /** The processor answers later: the payment stays PROCESSING until it settles. */
  | { outcome: 'settles-later' };

/** The order a payment is opened for: the parts of OrderCreated it keeps. */
export interface ChargeRequest {
  orderId: string;
  /** The OrderCreated eventId. */
  eventId: string;
  amount: number;
  currency: string;
  items: readonly PaymentLine[];
}

/**
 * The new payment for an order, as the processor's decision leaves it. Pure: the id,
 * the time and the settlement delay are given.
 */
export function openPayment(
  request: ChargeRequest,
  decision: ChargeDecision,
  context: { paymentId: string; now: Date; slowPaymentSeconds: number },
): Payment {
  const at = context.now.toISOString();
  const base = {
    paymentId: context.paymentId,
    orderId: request.orderId,
    amount: request.amount,
    currency: request.currency,
    // Only what inventory needs; prices stay with the order.
    items: request.items.map(({ sku, quantity }) => ({ sku, quantity })),
    chargeEventId: request.eventId,
    createdAt: at,
    updatedAt: at,
  };
  switch (decision.outcome) {
    case 'approved':
      return { ...base, status: 'COMPLETED', completedAt: at, sequence: 1 };
    case 'declined':
      return {
        ...base,
        status: 'FAILED',
        failureReason: decision.reason,
        failedAt: at,
        sequence: 1,
      };
    case 'settles-later':
      return {
        ...base,
        status: 'PROCESSING',
        settlesAt: new Date(
          context.now.getTime() + context.slowPaymentSeconds * 1000,
        ).toISOString(),
        // Nothing is emitted until it settles.
        sequence: 0,
      };
  }
}

/**
 * Whether the order's deadline (OrderCreated's `deadline`) has passed at `now`. From then
 * on no charge is started or settled: the saga timer cancels the order at that moment.
 */
export function isPastDeadline(deadline: string, now: Date): boolean {
  return Date.parse(deadline) <= now.getTime();
}

/** An order whose payment is voided before any was opened. */
export interface VoidRequest {
  orderId: string;
  amount: number;
  currency: string;
  /** The order's lines when known (from OrderCreated); OrderCancelled carries none. */
  items: readonly PaymentLine[];
  reason: VoidReason;
  /** The OrderCreated eventId, when that event is what found the deadline passed. */
  chargeEventId?: string;
  /** The OrderCancelled eventId, when that event is what voided it. */
  voidEventId?: string;
}

/**
 * The VOIDED payment recorded for an order that has none yet, so that its OrderCreated,
 * whenever it comes, charges nothing. Pure: the id and the time are given.
 */
export function openVoidedPayment(
  request: VoidRequest,
  context: { paymentId: string; now: Date },
): Payment {
  const at = context.now.toISOString();
  return {
    paymentId: context.paymentId,
    orderId: request.orderId,
    amount: request.amount,
    currency: request.currency,
    items: request.items.map(({ sku, quantity }) => ({ sku, quantity })),
    status: 'VOIDED',
    ...(request.chargeEventId === undefined ? {} : { chargeEventId: request.chargeEventId }),
    createdAt: at,
    updatedAt: at,
    voidedAt: at,
    voidReason: request.reason,
    ...(request.voidEventId === undefined ? {} : { voidEventId: request.voidEventId }),
    // Nothing is emitted for a void.
    sequence: 0,
  };
}

/**
 * A PROCESSING payment once voided: the processor's pending charge is cancelled before it
 * settles. VOIDED, with no event (its sequence is unchanged).
 */
export function voidPayment(
  payment: Payment,
  context: { reason: VoidReason; now: Date; voidEventId?: string },
): Payment {
  if (payment.status !== 'PROCESSING')
    throw new Error(`Cannot void payment ${payment.paymentId}: it is ${payment.status}`);
  const at = context.now.toISOString();
  return {
    ...payment,
    status: 'VOIDED',
    voidedAt: at,
    updatedAt: at,
    voidReason: context.reason,
    ...(context.voidEventId === undefined ? {} : { voidEventId: context.voidEventId }),
  };
}

/** Whether a PROCESSING payment has settled by `now`. */
export function hasSettled(payment: Payment, now: Date): boolean {
  return payment.settlesAt === undefined || Date.parse(payment.settlesAt) <= now.getTime();
}

/** Whole seconds from `now` until a PROCESSING payment settles (at least 1, never early). */
export function secondsUntilSettled(payment: Payment, now: Date): number {
  const remainingMs = (payment.settlesAt ? Date.parse(payment.settlesAt) : 0) - now.getTime();
  return Math.max(1, Math.ceil(remainingMs / 1000));
}

/** A PROCESSING payment once the processor settled it: COMPLETED, one more event. */
export function settlePayment(payment: Payment, now: Date): Payment {
  if (payment.status !== 'PROCESSING')
    throw new Error(`Cannot settle payment ${payment.paymentId}: it is ${payment.status}`);
  const at = now.toISOString();
  return {
    ...payment,
    status: 'COMPLETED',
    completedAt: at,
    updatedAt: at,
    sequence: payment.sequence + 1,
  };
}

/** A COMPLETED payment once refunded: REFUNDED, one more event. */
export function refundPayment(payment: Payment, now: Date): Payment {
  if (payment.status !== 'COMPLETED')
    throw new Error(`Cannot refund payment ${payment.paymentId}: it is ${payment.status}`);
  const at = now.toISOString();
  return {
    ...payment,
    status: 'REFUNDED',
    refundedAt: at,
    updatedAt: at,
    sequence: payment.sequence + 1,
  };
}
