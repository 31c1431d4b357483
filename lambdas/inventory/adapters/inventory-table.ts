import * as z from 'zod/mini';
import { TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import type { Product } from '../domain/product.ts';
import type { Reservation } from '../domain/reservation.ts';

/**
 * The inventory table's layout: key names, item keys and the products index. Pure data
 * and functions with no AWS SDK import, so the CDK code imports the names from here and
 * every writer of the table builds the same keys.
 *
 * | item                 | pk                        | sk            | gsi1pk (products) | gsi1sk  |
 * |----------------------|---------------------------|---------------|-------------------|---------|
 * | product              | `PRODUCT#<sku>`           | `PRODUCT`     | `PRODUCT`         | `<sku>` |
 * | reservation          | `RESERVATION#<orderId>`   | `RESERVATION` |                   |         |
 * | outbox (shared)      | `OUTBOX#<eventId>`        | `OUTBOX`      |                   |         |
 *
 * The products index is sparse (only products carry its keys) and lists the catalog in
 * SKU order. It projects keys only: every reservation and release rewrites the product's
 * stock, and an index holding the stock would be rewritten with it, a second write per
 * stock change, all into the index's one partition (every product shares it), which
 * would throttle the reservations at about 1,000 a second. With keys only, DynamoDB
 * writes the index when a product is created and never again; the listing reads the
 * products by key.
 */
export const inventoryTableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  productsIndex: {
    name: 'products',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    projection: { type: 'KEYS_ONLY' },
  },
  /** Epoch-seconds TTL attribute (outbox items expire by it). */
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

/** `entityType` values of the items this table holds (besides the shared outbox). */
export const InventoryEntityType = { product: 'PRODUCT', reservation: 'RESERVATION' } as const;

/** The products index partition every product is in. */
export const PRODUCTS_PARTITION = 'PRODUCT';

/** The primary key of a table item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** The primary key of a product's item. */
export const productKey = (sku: string): ItemKey => ({ pk: `PRODUCT#${sku}`, sk: 'PRODUCT' });

/** The primary key of an order's reservation (one per order). */
export const reservationKey = (orderId: string): ItemKey => ({
  pk: `RESERVATION#${orderId}`,
  sk: 'RESERVATION',
});

/** A product as stored: the product plus its keys and index keys. */
export type ProductItem = Product &
  ItemKey & { entityType: typeof InventoryEntityType.product; gsi1pk: string; gsi1sk: string };

/** The index keys a product item carries (the store sets them on every write). */
export const productIndexKeys = (sku: string) => ({ gsi1pk: PRODUCTS_PARTITION, gsi1sk: sku });

/** The product in a stored item; storage attributes are dropped, the rest is kept. */
export function fromProductItem(item: Record<string, unknown>): Product {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { pk, sk, entityType, gsi1pk, gsi1sk, ...product } = item;
  return product as unknown as Product;
}

/** A reservation as stored. */
export type ReservationItem = Reservation &
  ItemKey & { entityType: typeof InventoryEntityType.reservation };

/** The item that stores a reservation (one per order, keyed by order id). */
export function toReservationItem(reservation: Reservation): ReservationItem {
  return {
    ...reservation,
    ...reservationKey(reservation.orderId),
    entityType: InventoryEntityType.reservation,
  };
}

/** The reservation in a stored item; storage attributes are dropped, the rest is kept. */
export function fromReservationItem(item: object): Reservation {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { pk, sk, entityType, ...reservation } = item as Record<string, unknown>;
  return reservation as unknown as Reservation;
}

// ---- List cursors ------------------------------------------------------------------------

/** The LastEvaluatedKey of a products-index query: table keys plus index keys. */
export interface ProductPageKey extends ItemKey {
  gsi1pk: string;
  gsi1sk: string;
}

const ProductPageKeySchema = z.strictObject({
  pk: z.string().check(z.maxLength(200)),
  sk: z.literal('PRODUCT'),
  gsi1pk: z.literal(PRODUCTS_PARTITION),
  gsi1sk: z.string().check(z.minLength(1), z.maxLength(200)),
});

/** An opaque list cursor: base64url of the page key's JSON. */
export function encodeProductCursor(key: ProductPageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The page key in a cursor a client sent back, or `undefined` when it is not one we
 * issued (tampered, truncated): the client's 400, never DynamoDB's ValidationException.
 */
export function decodeProductCursor(cursor: string): ProductPageKey | undefined {
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor))
    return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(ProductPageKeySchema, json);
  if (!parsed.success) return undefined;
  const key = parsed.data;
  // The keys must describe one product: the same SKU in the table key and the index key.
  return key.pk === productKey(key.gsi1sk).pk ? key : undefined;
}
