import type {
  EventOf,
  InventoryFailed,
  InventoryReleased,
  InventoryReserved,
} from '../../../events/index.ts';
import type { Product, RestockCommand, RestockResult } from '../domain/product.ts';
import type { FailedStockCheck, Reservation } from '../domain/reservation.ts';

/**
 * What the inventory use cases need from the outside world. The DynamoDB adapter
 * (`adapters/inventory-store.ts`) implements {@link InventoryStore}; tests pass fakes.
 * Each write method is ONE transaction: the effect and its outbox event commit together or
 * not at all. There are no processed markers: the reservation, one per order, conditionally
 * written, is what tells a redelivered event from a new one.
 */

export type InventoryReservedEvent = EventOf<typeof InventoryReserved>;
export type InventoryFailedEvent = EventOf<typeof InventoryFailed>;
export type InventoryReleasedEvent = EventOf<typeof InventoryReleased>;

/** Outcomes every transactional write can end with besides its own success. */
export type TransactionOutcome =
  /** The order's reservation was made for this very event: it was already applied. Nothing was written. */
  | { outcome: 'duplicate' }
  /** A concurrent transaction touched the same items. Nothing was written: retry. */
  | { outcome: 'conflict' };

/** Reserve every line of a RESERVED reservation, write it and its event. */
export interface ReserveWrite {
  reservation: Reservation;
  event: InventoryReservedEvent;
  now: Date;
}

export type ReserveOutcome =
  | { outcome: 'reserved' }
  | TransactionOutcome
  /** The order already has a reservation record (made for another event). Nothing was written. */
  | { outcome: 'reservation-exists' }
  /** Some lines are not in stock. Nothing was written. */
  | { outcome: 'insufficient'; failed: FailedStockCheck[] };

/** Record a FAILED reservation and its InventoryFailed event. */
export interface FailedReservationWrite {
  reservation: Reservation;
  event: InventoryFailedEvent;
  now: Date;
}

export type RecordFailureOutcome =
  { outcome: 'recorded' } | TransactionOutcome | { outcome: 'reservation-exists' };

/** Return a reservation's units to available, mark it RELEASED, write its event. */
export interface ReleaseWrite {
  /** The reservation as read: the write is conditional on it being unchanged. */
  previous: Reservation;
  /** The RELEASED reservation to store. */
  next: Reservation;
  event: InventoryReleasedEvent;
  now: Date;
}

export type ReleaseOutcome =
  | { outcome: 'released' }
  | { outcome: 'conflict' }
  /**
   * The reservation changed since it was read (e.g. another delivery of the same request
   * released it). Nothing was written: read it again.
   */
  | { outcome: 'stale' };

/** One page of products, in SKU order. */
export interface ProductPage {
  products: Product[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface InventoryStore {
  reserve(write: ReserveWrite): Promise<ReserveOutcome>;
  recordFailedReservation(write: FailedReservationWrite): Promise<RecordFailureOutcome>;
  release(write: ReleaseWrite): Promise<ReleaseOutcome>;
  /** The order's reservation, read strongly consistently. */
  getReservation(orderId: string): Promise<Reservation | undefined>;

  /** Creates or replaces a product atomically, keeping its reserved units (see `restock`). */
  putProduct(command: RestockCommand, now: Date): Promise<RestockResult | { outcome: 'conflict' }>;
  getProduct(sku: string): Promise<Product | undefined>;
  /**
   * A page of products in SKU order.
   * @throws {@link InvalidCursorError} when `cursor` is not one this listing issued.
   */
  listProducts(page: { limit: number; cursor?: string }): Promise<ProductPage>;
}

/** A list cursor that is not one we issued: the client's error (400). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  constructor() {
    super('The cursor is not valid for this listing');
  }
}
