import type {
  EventOf,
  InventoryFailed,
  InventoryReleased,
  InventoryReserved,
} from '../../../events/index.ts';
import type { ProcessedMarker } from '../../shared/processed-marker.ts';
import type { Product, RestockCommand, RestockResult } from '../domain/product.ts';
import type { FailedStockCheck, Reservation } from '../domain/reservation.ts';

/**
 * What the inventory use cases need from the outside world. The DynamoDB adapter
 * (`adapters/inventory-store.ts`) implements {@link InventoryStore}; tests pass fakes.
 * Each write method is ONE transaction: the effect, its outbox event and the consumer's
 * processed marker commit together or not at all.
 */

export type InventoryReservedEvent = EventOf<typeof InventoryReserved>;
export type InventoryFailedEvent = EventOf<typeof InventoryFailed>;
export type InventoryReleasedEvent = EventOf<typeof InventoryReleased>;

/** Outcomes every transactional write can end with besides its own success. */
export type TransactionOutcome =
  /** The marker exists: this event was already applied. Nothing was written. */
  | { outcome: 'duplicate' }
  /** A concurrent transaction touched the same items. Nothing was written: retry. */
  | { outcome: 'conflict' };

/** Reserve every line of a RESERVED reservation, write it, its event and the marker. */
export interface ReserveWrite {
  reservation: Reservation;
  event: InventoryReservedEvent;
  marker: ProcessedMarker;
  now: Date;
}

export type ReserveOutcome =
  | { outcome: 'reserved' }
  | TransactionOutcome
  /** The order already has a reservation record (made for another event). Nothing was written. */
  | { outcome: 'reservation-exists' }
  /** Some lines are not in stock. Nothing was written. */
  | { outcome: 'insufficient'; failed: FailedStockCheck[] };

/** Record a FAILED reservation, its InventoryFailed event and the marker. */
export interface FailedReservationWrite {
  reservation: Reservation;
  event: InventoryFailedEvent;
  marker: ProcessedMarker;
  now: Date;
}

export type RecordFailureOutcome =
  { outcome: 'recorded' } | TransactionOutcome | { outcome: 'reservation-exists' };

/** Return a reservation's units to available, mark it RELEASED, write its event and the marker. */
export interface ReleaseWrite {
  /** The reservation as read: the write is conditional on it being unchanged. */
  previous: Reservation;
  /** The RELEASED reservation to store. */
  next: Reservation;
  event: InventoryReleasedEvent;
  marker: ProcessedMarker;
  now: Date;
}

export type ReleaseOutcome =
  | { outcome: 'released' }
  | TransactionOutcome
  /** The reservation changed since it was read. Nothing was written: read it again. */
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
  /** Writes the marker alone, for an event that is acknowledged without an effect. */
  markProcessed(marker: ProcessedMarker): Promise<{ outcome: 'recorded' } | TransactionOutcome>;
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
