import type { Envelope, EventOf, OrderCreated } from '../../../events/index.ts';
import type { Order } from '../domain/order.ts';
import type { TimelineEntry } from '../domain/timeline.ts';

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
  /** The creation's entry in the order's timeline (version 1). */
  timeline: TimelineEntry;
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

/**
 * Everything one saga transition writes, atomically: the order with its new timeline entry
 * and the events it emitted (outbox). No processed marker: a redelivered cause is detected
 * by the order itself (its transitions ignore a fact it already reflects, and the version
 * condition stops two concurrent applications).
 */
export interface TransitionWrite {
  /** The order as the transition left it (its `version` is `expectedVersion + 1`). */
  order: Order;
  /** The version the transition was computed from: the write fails if the order moved on. */
  expectedVersion: number;
  /** The emitted envelopes, written as outbox items. */
  events: Envelope[];
  timeline: TimelineEntry;
  /** When outbox items expire is counted from it. */
  now: Date;
}

/** How a {@link OrderStore.commitTransition} transaction ended. Nothing is written unless `committed`. */
export type TransitionOutcome =
  | { outcome: 'committed' }
  /** The stored order is no longer at `expectedVersion` (or is gone): reload and reapply. */
  | { outcome: 'version-conflict' }
  /** Another transaction was writing the same items at the same moment: retry. */
  | { outcome: 'write-conflict' };

/** An order with its timeline, oldest entry first. */
export interface OrderHistory {
  order: Order;
  timeline: TimelineEntry[];
}

export interface OrderStore {
  /** Writes the order, its OrderCreated outbox item and the idempotency record atomically. */
  createOrder(write: NewOrderWrite): Promise<CreateOrderOutcome>;
  /** The unexpired record for an idempotency key, read strongly consistently. */
  getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
  /** The order, read strongly consistently (a transition must start from the latest version). */
  getOrder(orderId: string): Promise<Order | undefined>;
  /** Writes a saga transition atomically; see {@link TransitionWrite}. */
  commitTransition(write: TransitionWrite): Promise<TransitionOutcome>;
  /** The order and its timeline in the order the changes were applied, or undefined if no such order. */
  getOrderHistory(orderId: string): Promise<OrderHistory | undefined>;
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

/**
 * The saga timer: one timer per order that fires at the order's deadline (it then runs the
 * timeout task), so an order that never completes is cancelled. Starting is idempotent per
 * order; stopping spares the cost of a timer firing for an order that is already final.
 */
export interface SagaTimer {
  /**
   * Starts the order's timer, firing at `deadline` (ISO 8601). `already-started` when the
   * order's timer exists (running or finished): starting again changes nothing.
   */
  startTimer(orderId: string, deadline: string): Promise<'started' | 'already-started'>;
  /** Stops the order's timer; `not-running` when there is none or it already finished. */
  stopTimer(orderId: string): Promise<'stopped' | 'not-running'>;
}
