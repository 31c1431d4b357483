import * as z from 'zod/mini';
import { defineEvent, Sources } from './define-event.ts';

// Amounts are integers in the currency's minor units (cents for USD); never floats.
const MinorUnits = z.number().check(z.int(), z.minimum(0));
const Currency = z.string().check(z.regex(/^[A-Z]{3}$/));
const Sku = z.string().check(z.minLength(1), z.maxLength(64));
const Quantity = z.number().check(z.int(), z.minimum(1));

/** A line of an order, priced in minor units. */
export const OrderLine = z.object({ sku: Sku, quantity: Quantity, unitPrice: MinorUnits });
/** A quantity of one SKU, for stock reservations and releases. */
export const StockLine = z.object({ sku: Sku, quantity: Quantity });

export const CancellationReason = z.enum([
  'payment_failed',
  'out_of_stock',
  'timeout',
  'customer_request',
]);
export type CancellationReason = z.infer<typeof CancellationReason>;

export const PaymentFailureReason = z.enum(['card_declined', 'insufficient_funds']);
export const InventoryFailureReason = z.enum(['out_of_stock', 'unknown_sku']);

// ---- Order service (the saga's owner) ------------------------------------------------

export const OrderCreated = defineEvent({
  source: Sources.orders,
  detailType: 'OrderCreated',
  version: 1,
  data: z.object({
    customerId: z.string(),
    customerEmail: z.optional(z.string()),
    currency: Currency,
    items: z.array(OrderLine).check(z.minLength(1)),
    total: MinorUnits,
    paymentToken: z.optional(z.string()),
    /** When the saga times out if the order is not final by then (ISO 8601). */
    deadline: z.iso.datetime(),
  }),
});

export const OrderConfirmed = defineEvent({
  source: Sources.orders,
  detailType: 'OrderConfirmed',
  version: 1,
  data: z.object({
    customerId: z.string(),
    customerEmail: z.optional(z.string()),
    currency: Currency,
    total: MinorUnits,
  }),
});

export const OrderCancelled = defineEvent({
  source: Sources.orders,
  detailType: 'OrderCancelled',
  version: 1,
  data: z.object({
    customerId: z.string(),
    customerEmail: z.optional(z.string()),
    currency: Currency,
    total: MinorUnits,
    reason: CancellationReason,
  }),
});

/** Compensation: the order service asks payments to give the money back. */
export const PaymentRefundRequested = defineEvent({
  source: Sources.orders,
  detailType: 'PaymentRefundRequested',
  version: 1,
  data: z.object({
    paymentId: z.string(),
    amount: MinorUnits,
    currency: Currency,
    reason: CancellationReason,
  }),
});

/** Compensation: the order service asks inventory to put reserved stock back. */
export const InventoryReleaseRequested = defineEvent({
  source: Sources.orders,
  detailType: 'InventoryReleaseRequested',
  version: 1,
  data: z.object({
    reservationId: z.string(),
    items: z.array(StockLine).check(z.minLength(1)),
    reason: CancellationReason,
  }),
});

// ---- Payment service -----------------------------------------------------------------

export const PaymentCompleted = defineEvent({
  source: Sources.payments,
  detailType: 'PaymentCompleted',
  version: 1,
  data: z.object({
    paymentId: z.string(),
    amount: MinorUnits,
    currency: Currency,
    /** Carried so inventory can reserve without reading another service's data. */
    items: z.array(StockLine).check(z.minLength(1)),
  }),
});

export const PaymentFailed = defineEvent({
  source: Sources.payments,
  detailType: 'PaymentFailed',
  version: 1,
  data: z.object({
    reason: PaymentFailureReason,
    amount: MinorUnits,
    currency: Currency,
  }),
});

export const PaymentRefunded = defineEvent({
  source: Sources.payments,
  detailType: 'PaymentRefunded',
  version: 1,
  data: z.object({ paymentId: z.string(), amount: MinorUnits, currency: Currency }),
});

// ---- Inventory service ---------------------------------------------------------------

export const InventoryReserved = defineEvent({
  source: Sources.inventory,
  detailType: 'InventoryReserved',
  version: 1,
  data: z.object({ reservationId: z.string(), items: z.array(StockLine).check(z.minLength(1)) }),
});

export const InventoryFailed = defineEvent({
  source: Sources.inventory,
  detailType: 'InventoryFailed',
  version: 1,
  data: z.object({
    reason: InventoryFailureReason,
    /** The SKUs that could not be reserved. */
    skus: z.array(Sku),
  }),
});

export const InventoryReleased = defineEvent({
  source: Sources.inventory,
  detailType: 'InventoryReleased',
  version: 1,
  data: z.object({ reservationId: z.string(), items: z.array(StockLine).check(z.minLength(1)) }),
});

/** Every event of the saga, in one place: the registry the relay and tooling use. */
export const allEvents = [
  OrderCreated,
  OrderConfirmed,
  OrderCancelled,
  PaymentRefundRequested,
  InventoryReleaseRequested,
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
  InventoryReserved,
  InventoryFailed,
  InventoryReleased,
] as const;
