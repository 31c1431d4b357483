import { describe, expect, it } from '@jest/globals';
import {
  decodeProductCursor,
  encodeProductCursor,
  fromProductItem,
  fromReservationItem,
  inventoryTableKeys,
  productIndexKeys,
  productKey,
  reservationKey,
  toReservationItem,
} from '../../../lambdas/inventory/adapters/inventory-table.ts';
import type { Reservation } from '../../../lambdas/inventory/domain/reservation.ts';

const pageKey = { ...productKey('SKU-9'), ...productIndexKeys('SKU-9') };

describe('inventory table layout', () => {
  it('uses the service-table key names, the shared TTL attribute and a keys-only products index', () => {
    expect(inventoryTableKeys).toEqual({
      partitionKey: 'pk',
      sortKey: 'sk',
      productsIndex: {
        name: 'products',
        partitionKey: 'gsi1pk',
        sortKey: 'gsi1sk',
        projection: { type: 'KEYS_ONLY' },
      },
      timeToLiveAttribute: 'expiresAt',
    });
  });

  it('keys products by SKU and reservations by order, each in its own partition', () => {
    expect(productKey('A-1')).toEqual({ pk: 'PRODUCT#A-1', sk: 'PRODUCT' });
    expect(productIndexKeys('A-1')).toEqual({ gsi1pk: 'PRODUCT', gsi1sk: 'A-1' });
    expect(reservationKey('o-1')).toEqual({ pk: 'RESERVATION#o-1', sk: 'RESERVATION' });
  });

  it('stores a reservation with its keys and reads back exactly the reservation', () => {
    const reservation: Reservation = {
      orderId: 'o-1',
      reservationId: 'r-1',
      status: 'RESERVED',
      items: [{ sku: 'A', quantity: 1 }],
      sequence: 1,
      paymentEventId: 'e-1',
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    };
    const item = toReservationItem(reservation);
    expect(item).toMatchObject({
      pk: 'RESERVATION#o-1',
      sk: 'RESERVATION',
      entityType: 'RESERVATION',
    });
    expect(fromReservationItem(item)).toEqual(reservation);
  });

  it('drops the storage attributes of a product item', () => {
    expect(
      fromProductItem({
        ...pageKey,
        entityType: 'PRODUCT',
        sku: 'SKU-9',
        available: 1,
        reserved: 0,
      }),
    ).toEqual({ sku: 'SKU-9', available: 1, reserved: 0 });
  });
});

describe('product list cursors', () => {
  it('round-trip a page key through an opaque URL-safe string', () => {
    const cursor = encodeProductCursor(pageKey);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeProductCursor(cursor)).toEqual(pageKey);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['missing keys', Buffer.from(JSON.stringify({ pk: 'PRODUCT#A' })).toString('base64url')],
    ['extra keys', Buffer.from(JSON.stringify({ ...pageKey, extra: 1 })).toString('base64url')],
    [
      'another partition',
      Buffer.from(JSON.stringify({ ...pageKey, gsi1pk: 'OTHER' })).toString('base64url'),
    ],
    [
      'keys of two products',
      Buffer.from(JSON.stringify({ ...pageKey, gsi1sk: 'SKU-8' })).toString('base64url'),
    ],
    ['too long', 'a'.repeat(2000)],
  ])('are refused when %s', (_why, cursor) => {
    expect(decodeProductCursor(cursor)).toBeUndefined();
  });
});
