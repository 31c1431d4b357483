import * as z from 'zod/mini';
import { TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import type { Order } from '../domain/order.ts';
import type { TimelineEntry } from '../domain/timeline.ts';

/**
 * The orders table's layout: key names, item keys and the customer index. Pure data and
 * functions with no AWS SDK import, so the CDK code can import the names from here
 * instead of retyping strings, and every writer of the table (API, saga reactions)
 * builds the same keys.
 *
 * | item             | pk                  | sk            | gsi1pk (byCustomer)   | gsi1sk                    |
 * |------------------|---------------------|---------------|-----------------------|---------------------------|
 * | order            | `ORDER#<orderId>`   | `ORDER`       | `CUSTOMER#<customer>` | `<createdAt>#<orderId>`   |
 * | idempotency      | `IDEMPOTENCY#<customerId>#<key>` | `IDEMPOTENCY` |                       |                           |
 * | outbox (shared)  | `OUTBOX#<eventId>`  | `OUTBOX`      |                       |                           |
 * | legacy timeline  | `ORDER#<orderId>`   | `TIMELINE#<version, 10 digits>` |     |                           |
 *
 * The order's timeline is stored on the order item (attribute {@link TIMELINE_ATTRIBUTE},
 * see `timeline-codec.ts`), appended to in the same write as each change. Earlier versions
 * wrote one item per entry in the order's partition; those are still read (one query reads
 * the partition), never written. No processed markers: a redelivered event finds the order
 * already reflecting it (the saga's transitions ignore it) and the version condition makes
 * two concurrent applications of it impossible.
 */
export const ordersTableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * A customer's orders, newest first. Keys only: every saga transition rewrites the order
   * item, and an index projecting its other attributes would be rewritten with it (a second
   * write per transition); with keys only, DynamoDB writes the index when an order is
   * created and never again (its keys never change). The list reads the orders by key.
   */
  byCustomerIndex: {
    name: 'byCustomer',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    projection: { type: 'KEYS_ONLY' },
  },
  /** Epoch-seconds TTL attribute (idempotency records and outbox items expire by it). */
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

/** The order item's attribute holding its encoded timeline entries, oldest first. */
export const TIMELINE_ATTRIBUTE = 'timeline';

/** `entityType` values of the items this table holds (besides the shared outbox's `OUTBOX`). */
export const OrdersEntityType = {
  order: 'ORDER',
  idempotency: 'IDEMPOTENCY',
  timeline: 'TIMELINE',
} as const;

/** The primary key of a table item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** The primary key of an order's item. */
export const orderKey = (orderId: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' });

/** Sort-key prefix of an order's timeline entries (they share the order's partition). */
export const TIMELINE_SORT_KEY_PREFIX = 'TIMELINE#';

/**
 * The primary key of the timeline entry written with version `version` of the order.
 * Zero-padded so that the sort key's text order is the version order.
 */
export const timelineKey = (orderId: string, version: number): ItemKey => ({
  pk: orderKey(orderId).pk,
  sk: `${TIMELINE_SORT_KEY_PREFIX}${String(version).padStart(10, '0')}`,
});

/** The primary key of an idempotency record. */
export const idempotencyKey = (key: string): ItemKey => ({
  pk: `IDEMPOTENCY#${key}`,
  sk: 'IDEMPOTENCY',
});

/** The byCustomer index partition of a customer's orders. */
export const customerPartition = (customerId: string): string => `CUSTOMER#${customerId}`;

/** An order as stored: the aggregate plus its keys. */
export type OrderItem = Order &
  ItemKey & { entityType: typeof OrdersEntityType.order; gsi1pk: string; gsi1sk: string };

/**
 * The item that stores an order. The index sort key starts with createdAt (ISO 8601
 * sorts as text), so a descending query lists a customer's newest orders first; the
 * orderId suffix keeps two orders of the same millisecond distinct.
 */
export function toOrderItem(order: Order): OrderItem {
  return {
    ...order,
    ...orderKey(order.orderId),
    entityType: OrdersEntityType.order,
    gsi1pk: customerPartition(order.customerId),
    gsi1sk: `${order.createdAt}#${order.orderId}`,
  };
}

/**
 * The order in a stored item: the storage attributes are removed and everything else is
 * kept, so attributes added to the aggregate later survive a read-modify-write.
 */
export function fromOrderItem(item: Record<string, unknown>): Order {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { pk, sk, entityType, gsi1pk, gsi1sk, [TIMELINE_ATTRIBUTE]: timeline, ...order } = item;
  return order as unknown as Order;
}

/** A legacy timeline item: the entry plus its keys and the order version it records. */
export type TimelineItem = TimelineEntry &
  ItemKey & { entityType: typeof OrdersEntityType.timeline; orderId: string; version: number };

/** The legacy item that stored the timeline entry of the order's version `version` (tests build old data with it). */
export function toTimelineItem(
  orderId: string,
  version: number,
  entry: TimelineEntry,
): TimelineItem {
  return {
    ...entry,
    ...timelineKey(orderId, version),
    entityType: OrdersEntityType.timeline,
    orderId,
    version,
  };
}

/** The entry in a legacy timeline item (fields are picked, so storage attributes stay out). */
export function fromTimelineItem(item: Record<string, unknown>): TimelineEntry {
  const entry = item as unknown as TimelineItem;
  return {
    at: entry.at,
    type: entry.type,
    ...(entry.eventId === undefined ? {} : { eventId: entry.eventId }),
    status: entry.status,
    payment: entry.payment,
    inventory: entry.inventory,
    emitted: entry.emitted,
  };
}

// ---- List cursors ------------------------------------------------------------------------

/** The LastEvaluatedKey of a byCustomer query: table keys plus index keys. */
export interface CustomerPageKey extends ItemKey {
  gsi1pk: string;
  gsi1sk: string;
}

const ORDER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const CustomerPageKeySchema = z.strictObject({
  pk: z.string().check(z.maxLength(200)),
  sk: z.literal('ORDER'),
  gsi1pk: z.string().check(z.maxLength(200)),
  gsi1sk: z.string().check(z.maxLength(200)),
});

/** An opaque list cursor: base64url of the page key's JSON. */
export function encodeCursor(key: CustomerPageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The page key in a cursor a client sent back, or `undefined` when the cursor is not
 * one we issued for this customer's listing (tampered, truncated, another customer's).
 * Checking it here means a bad cursor is the client's 400, never DynamoDB's
 * ValidationException (a 500).
 */
export function decodeCursor(cursor: string, customerId: string): CustomerPageKey | undefined {
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor))
    return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(CustomerPageKeySchema, json);
  if (!parsed.success) return undefined;
  const key = parsed.data;
  const orderId = key.pk.startsWith('ORDER#') ? key.pk.slice('ORDER#'.length) : '';
  const createdAt = key.gsi1sk.endsWith(`#${orderId}`)
    ? key.gsi1sk.slice(0, -orderId.length - 1)
    : '';
  const consistent =
    ORDER_ID.test(orderId) &&
    key.gsi1pk === customerPartition(customerId) &&
    z.safeParse(z.iso.datetime(), createdAt).success;
  return consistent ? key : undefined;
}
