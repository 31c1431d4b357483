import type { EventOf, OrderCreated } from '../../../events/index.ts';
import type { Order } from '../domain/order.ts';

/**
 * What the order use cases need from the outside world. The DynamoDB adapter
 * (`adapters/order-store.ts`) implements {@link OrderStore}; tests pass plain fakes.
 */

/** The OrderCreated envelope, as written to the outbox. */
export type OrderCreatedEvent = EventOf<typeof OrderCreated>;

/**
 * What the API remembers about a request made with an `Idempotency-Key`: a fingerprint
 * of the request and the response it got, so a retry gets the same response.
 */
export interface IdempotencyRecord {
  key: string;
  /** Canonical hash of the validated request (see `shared/canonical-hash.ts`). */
  requestHash: string;
  orderId: string;
  /** The first response, replayed as is. */
  statusCode: number;
  /** The first response's body, serialized, so a replay is byte-for-byte the same. */
  responseBody: string;
  createdAt: string;
  /** Epoch seconds after which the key is forgotten (DynamoDB TTL deletes it later). */
  expiresAt: number;
}

/** Everything a new order writes, in one transaction. */
export interface NewOrderWrite {
  order: Order;
  event: OrderCreatedEvent;
  /** Present when the request carried an `Idempotency-Key`. */
  idempotency?: IdempotencyRecord;
  /** Now: when outbox items expire is counted from it; an idempotency record older than it is expired. */
  now: Date;
}

/** How a {@link OrderStore.createOrder} transaction ended. Nothing is written unless `created`. */
export type CreateOrderOutcome =
  | { outcome: 'created' }
  /** The idempotency key is taken; `existing` is the record when the store got it for free. */
  | { outcome: 'idempotency-key-taken'; existing?: IdempotencyRecord }
  /** Another transaction was writing the same item (a concurrent request with the same key): retry. */
  | { outcome: 'write-conflict' }
  /** An order or outbox item with the same id exists (never happens with fresh UUIDs). */
  | { outcome: 'already-exists'; item: 'order' | 'outbox' };

/** One page of a customer's orders, newest first. */
export interface OrderPage {
  orders: Order[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface OrderStore {
  /** Writes the order, its OrderCreated outbox item and the idempotency record atomically. */
  createOrder(write: NewOrderWrite): Promise<CreateOrderOutcome>;
  /** The unexpired record for an idempotency key, read strongly consistently. */
  getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
  getOrder(orderId: string): Promise<Order | undefined>;
  /**
   * A page of the customer's orders, newest first.
   * @throws {@link InvalidCursorError} when `cursor` was not issued for this customer.
   */
  listOrdersByCustomer(
    customerId: string,
    page: { limit: number; cursor?: string },
  ): Promise<OrderPage>;
}

/** A list cursor that is not one we issued for this listing: the client's error (400). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  constructor() {
    super('The cursor is not valid for this listing');
  }
}
