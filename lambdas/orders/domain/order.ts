import type { CancellationReason } from '../../../events/index.ts';

/** The order's own lifecycle, as the API shows it. */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

/** What the order service knows of the payment, from payment events and its own requests. */
export type PaymentState = 'NONE' | 'COMPLETED' | 'FAILED' | 'REFUND_REQUESTED' | 'REFUNDED';

/** What the order service knows of the stock reservation. */
export type InventoryState = 'NONE' | 'RESERVED' | 'FAILED' | 'RELEASE_REQUESTED' | 'RELEASED';

/** A priced order line; unitPrice in the currency's minor units. */
export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface SagaProgress {
  payment: PaymentState;
  inventory: InventoryState;
  /** Set by PaymentCompleted; needed to ask for a refund. */
  paymentId?: string;
  /** Set by InventoryReserved; needed to ask for a release. */
  reservationId?: string;
}

/**
 * The order aggregate, owned by the order service. Money is integer minor units
 * throughout; conversion to decimals happens only at the API edge.
 */
export interface Order {
  orderId: string;
  customerId: string;
  customerEmail?: string;
  currency: string;
  items: OrderLine[];
  /** Sum of quantity × unitPrice, in minor units. */
  total: number;
  paymentToken?: string;
  status: OrderStatus;
  cancellationReason?: CancellationReason;
  /** The customer's own words when they cancelled (free text, trimmed). */
  cancellationNote?: string;
  saga: SagaProgress;
  createdAt: string;
  updatedAt: string;
  /** When the saga times out if the order is not final by then (ISO 8601). */
  deadline: string;
  /** Sequence number of the last event this order emitted (envelope `sequence`). */
  sequence: number;
  /** Optimistic-concurrency version, incremented on every write. */
  version: number;
}
