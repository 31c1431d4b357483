import type { CancellationReason } from '../../../events/index.ts';

/** A quantity of one SKU (the events' `StockLine`). */
export interface StockLine {
  sku: string;
  quantity: number;
}

export type InventoryFailureReason = 'out_of_stock' | 'unknown_sku';

/** Why some SKUs of an order could not be reserved. */
export interface StockShortage {
  reason: InventoryFailureReason;
  /** The SKUs that could not be reserved for that reason. */
  skus: string[];
}

/**
 * - `RESERVED`: the units are held (moved from available to reserved) for the order.
 * - `FAILED`: nothing was reserved; the order's saga was told why.
 * - `RELEASED`: the held units went back to available (a compensation).
 */
export type ReservationStatus = 'RESERVED' | 'FAILED' | 'RELEASED';

/**
 * The inventory service's record of what it did for one order: at most one per order,
 * so however many PaymentCompleted events an order gets, its stock is reserved once.
 * It also keeps the per-order `sequence` of the events the service emitted about it.
 */
export interface Reservation {
  orderId: string;
  /** The id the saga uses to ask for a release (carried by InventoryReserved). */
  reservationId: string;
  status: ReservationStatus;
  /** What was (or would have been) reserved, one line per SKU. */
  items: StockLine[];
  /** Set when FAILED. */
  failure?: StockShortage;
  /** Set when RELEASED: why the saga gave the stock back. */
  releaseReason?: CancellationReason;
  /** Sequence number of the last event emitted about this order (envelope `sequence`). */
  sequence: number;
  /** The eventId of the PaymentCompleted that created this record. */
  paymentEventId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * One line per SKU with the quantities summed, in the order SKUs first appear. A
 * transaction may touch an item only once, and two lines of one SKU must be checked
 * against the stock together (2 + 2 of a SKU with 3 available is short).
 */
export function sumBySku(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

/** A SKU whose conditional decrement failed, and whether its product exists at all. */
export interface FailedStockCheck {
  sku: string;
  productExists: boolean;
}

/**
 * Why a reservation failed, from the SKUs whose checks failed. An unknown SKU is the
 * more fundamental problem (no restock will fix the order), so it wins over a shortage:
 * the event names the unknown SKUs only.
 */
export function shortageOf(failed: readonly FailedStockCheck[]): StockShortage {
  const unknown = failed.filter((check) => !check.productExists).map((check) => check.sku);
  if (unknown.length > 0) return { reason: 'unknown_sku', skus: unknown };
  return { reason: 'out_of_stock', skus: failed.map((check) => check.sku) };
}
