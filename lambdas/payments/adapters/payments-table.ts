import * as z from 'zod/mini';
import { TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import type { Payment } from '../domain/payment.ts';

/**
 * The payments table's layout: key names and item keys. Pure data and functions with no
 * AWS SDK import, so the CDK code imports the names from here instead of retyping them.
 *
 * | item                | pk                             | sk          | expires (TTL) |
 * |---------------------|--------------------------------|-------------|---------------|
 * | payment             | `PAYMENT#<orderId>`            | `PAYMENT`   | never         |
 * | outbox (shared)     | `OUTBOX#<eventId>`             | `OUTBOX`    | 24 h          |
 *
 * The payment is keyed by order, not by paymentId: one payment per order is then a
 * condition on a single item. That item is also what makes each consumed event count once
 * (no processed markers): it records the OrderCreated that opened it (`chargeEventId`) and
 * every change is conditioned on the status it was decided from, so a redelivery either
 * finds its effect already there or loses the condition and re-reads. An order cancelled
 * before its charge gets a VOIDED payment item, which its OrderCreated then finds.
 * Payments are financial records and never expire.
 */
export const paymentsTableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch-seconds TTL attribute (outbox items expire by it). */
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

/** `entityType` of a payment item (besides the shared `OUTBOX`). */
export const PAYMENT_ENTITY_TYPE = 'PAYMENT';

/** The primary key of a table item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** The primary key of an order's payment. */
export const paymentKey = (orderId: string): ItemKey => ({
  pk: `PAYMENT#${orderId}`,
  sk: 'PAYMENT',
});

/** A payment as stored: the aggregate plus its keys. */
export type PaymentItem = Payment & ItemKey & { entityType: typeof PAYMENT_ENTITY_TYPE };

/** The item that stores a payment. */
export function toPaymentItem(payment: Payment): PaymentItem {
  return { ...payment, ...paymentKey(payment.orderId), entityType: PAYMENT_ENTITY_TYPE };
}

const iso = z.iso.datetime();
const PaymentItemSchema = z.object({
  paymentId: z.string().check(z.minLength(1)),
  orderId: z.string().check(z.minLength(1)),
  amount: z.number().check(z.int(), z.minimum(0)),
  currency: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().check(z.int()) })),
  status: z.enum(['PROCESSING', 'COMPLETED', 'FAILED', 'REFUNDED', 'VOIDED']),
  failureReason: z.optional(z.enum(['card_declined', 'insufficient_funds'])),
  chargeEventId: z.optional(z.string()),
  createdAt: iso,
  updatedAt: iso,
  settlesAt: z.optional(iso),
  completedAt: z.optional(iso),
  failedAt: z.optional(iso),
  refundedAt: z.optional(iso),
  voidedAt: z.optional(iso),
  voidReason: z.optional(z.enum(['cancelled', 'expired'])),
  voidEventId: z.optional(z.string()),
  sequence: z.number().check(z.int(), z.minimum(0)),
});

/**
 * The payment in a stored item. Throws when the item is not a valid payment: acting on
 * a corrupt record (charging or refunding the wrong amount) is worse than failing the
 * message, which then lands in the DLQ for a human.
 */
export function fromPaymentItem(item: object): Payment {
  const parsed = z.safeParse(PaymentItemSchema, item);
  if (!parsed.success)
    throw new Error(
      `Invalid payment item ${String((item as { pk?: unknown }).pk)}: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}
