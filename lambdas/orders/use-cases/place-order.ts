import { OrderCreated } from '../../../events/index.ts';
import { canonicalHash } from '../../shared/canonical-hash.ts';
import type { Order } from '../domain/order.ts';
import type { ValidPlaceOrder } from '../domain/place-order-request.ts';
import { timelineEntry } from '../domain/timeline.ts';
import { toOrderView } from './order-view.ts';
import type { IdempotencyRecord, OrderStore } from './ports.ts';

export interface PlaceOrderDeps {
  store: Pick<OrderStore, 'createOrder' | 'getIdempotencyRecord'>;
  now: () => Date;
  /** A new unique id (UUID) for the order and for its event. */
  newId: () => string;
  /** The saga's deadline is this many seconds after the order is created. */
  sagaTimeoutSeconds: number;
  /** Waits between retries of a conflicting write. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Transaction attempts when concurrent requests conflict. @default 5 */
  maxAttempts?: number;
}

export interface PlaceOrderCommand {
  order: ValidPlaceOrder;
  /** The `Idempotency-Key` header, when the client sent one. */
  idempotencyKey?: string;
}

/** How long an `Idempotency-Key` is remembered (its record then expires by TTL). */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;

/** The status code of a created order; stored with the response so replays repeat it. */
export const ORDER_CREATED_STATUS = 201;

export type PlaceOrderResult =
  /** The order was created now (`replayed: false`) or by an earlier request with the same key. */
  | { kind: 'placed'; orderId: string; statusCode: number; body: string; replayed: boolean }
  /** The idempotency key was used for a different request. */
  | { kind: 'idempotency-key-reused' };

/**
 * Concurrent requests kept conflicting and none of them committed: nothing was written,
 * and the client may retry with the same key.
 */
export class WriteContentionError extends Error {
  override name = 'WriteContentionError';
}

const BASE_BACKOFF_MS = 25;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Places an order: the order (PENDING), its OrderCreated event in the outbox, the first
 * entry of its timeline and, with an idempotency key, the key's record with the response,
 * all in one transaction.
 *
 * Idempotency: a request whose key is taken gets the first request's response if it is
 * the same request (same canonical hash), or `idempotency-key-reused` if not; either way
 * it writes nothing. Concurrent requests with one key race on the key's
 * `attribute_not_exists` condition, so exactly one order is created. A loser sees either
 * the winner's record (DynamoDB returns it on the failed condition) or a
 * TransactionConflict while the winner is in flight; a conflict is retried with jittered
 * exponential backoff, and after the last attempt the record is read consistently.
 */
export async function placeOrder(
  command: PlaceOrderCommand,
  deps: PlaceOrderDeps,
): Promise<PlaceOrderResult> {
  const { store, now, newId, sagaTimeoutSeconds } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const maxAttempts = deps.maxAttempts ?? 5;

  const { request, lines, total } = command.order;
  const createdAtDate = now();
  const createdAt = createdAtDate.toISOString();
  const orderId = newId();
  const order: Order = {
    orderId,
    customerId: request.customerId,
    ...(request.customerEmail === undefined ? {} : { customerEmail: request.customerEmail }),
    currency: request.currency,
    items: lines,
    total,
    ...(request.paymentToken === undefined ? {} : { paymentToken: request.paymentToken }),
    status: 'PENDING',
    saga: { payment: 'NONE', inventory: 'NONE' },
    createdAt,
    updatedAt: createdAt,
    deadline: new Date(createdAtDate.getTime() + sagaTimeoutSeconds * 1000).toISOString(),
    sequence: 1,
    version: 1,
  };
  const event = OrderCreated.create(
    {
      eventId: newId(),
      occurredAt: createdAt,
      orderId,
      correlationId: orderId,
      causationId: orderId,
      sequence: 1,
    },
    {
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      currency: order.currency,
      items: order.items,
      total: order.total,
      paymentToken: order.paymentToken,
      deadline: order.deadline,
    },
  );
  const timeline = timelineEntry(order, { type: 'OrderPlaced' }, [event]);
  const body = JSON.stringify(toOrderView(order));
  // Keys are the client's own strings ("order-1"): scoped to the customer, two customers'
  // keys never collide, and nobody can take a key another customer will use. A customer
  // id has no '#', so the scoped key is unambiguous.
  const key =
    command.idempotencyKey === undefined
      ? undefined
      : `${request.customerId}#${command.idempotencyKey}`;
  const requestHash = key === undefined ? undefined : canonicalHash(request);
  const idempotency: IdempotencyRecord | undefined =
    key === undefined || requestHash === undefined
      ? undefined
      : {
          key,
          requestHash,
          orderId,
          statusCode: ORDER_CREATED_STATUS,
          responseBody: body,
          createdAt,
          expiresAt: Math.floor(createdAtDate.getTime() / 1000) + IDEMPOTENCY_RETENTION_SECONDS,
        };

  const answerFrom = (record: IdempotencyRecord): PlaceOrderResult =>
    record.requestHash === requestHash
      ? {
          kind: 'placed',
          orderId: record.orderId,
          statusCode: record.statusCode,
          body: record.responseBody,
          replayed: true,
        }
      : { kind: 'idempotency-key-reused' };

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const result = await store.createOrder({
      order,
      event,
      ...(idempotency === undefined ? {} : { idempotency }),
      timeline,
      now: now(),
    });
    switch (result.outcome) {
      case 'created':
        return { kind: 'placed', orderId, statusCode: ORDER_CREATED_STATUS, body, replayed: false };
      case 'idempotency-key-taken': {
        const existing =
          result.existing ??
          (key === undefined ? undefined : await store.getIdempotencyRecord(key, now()));
        if (existing) return answerFrom(existing);
        // The record expired between the failed condition and the read: the key is free again.
        break;
      }
      case 'write-conflict':
        if (attempt < maxAttempts) {
          // Full jitter: concurrent retries spread out instead of colliding again in lockstep.
          await sleep(Math.floor(random() * BASE_BACKOFF_MS * 2 ** (attempt - 1)));
        }
        break;
      case 'already-exists':
        // A UUID collision: a bug (or a broken id generator), not something to retry blindly.
        throw new Error(`An ${result.item} item for order ${orderId} already exists`);
    }
  }
  if (key !== undefined) {
    const existing = await store.getIdempotencyRecord(key, now());
    if (existing) return answerFrom(existing);
  }
  throw new WriteContentionError(
    `Order could not be written after ${maxAttempts} attempts of conflicting writes`,
  );
}
