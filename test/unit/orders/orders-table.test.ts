import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decodeCursor,
  encodeCursor,
  fromOrderItem,
  idempotencyKey,
  ordersTableKeys,
  orderKey,
  toOrderItem,
} from '../../../lambdas/orders/adapters/orders-table.ts';
import type { Order } from '../../../lambdas/orders/domain/order.ts';
import { TTL_ATTRIBUTE } from '../../../lambdas/shared/outbox.ts';

const order: Order = {
  orderId: '0b7c6c43-2a57-4a43-9e09-4d0fbb2f8e7a',
  customerId: 'cust-1',
  currency: 'USD',
  items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
  total: 100,
  status: 'PENDING',
  saga: { payment: 'NONE', inventory: 'NONE' },
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  deadline: '2026-03-01T12:01:30.000Z',
  sequence: 1,
  version: 1,
};

const pageKey = {
  pk: `ORDER#${order.orderId}`,
  sk: 'ORDER',
  gsi1pk: 'CUSTOMER#cust-1',
  gsi1sk: `${order.createdAt}#${order.orderId}`,
};

describe('ordersTableKeys', () => {
  it('names the keys, the customer index and the TTL attribute the infrastructure creates', () => {
    expect(ordersTableKeys).toEqual({
      partitionKey: 'pk',
      sortKey: 'sk',
      byCustomerIndex: {
        name: 'byCustomer',
        partitionKey: 'gsi1pk',
        sortKey: 'gsi1sk',
        projection: { type: 'KEYS_ONLY' },
      },
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
  });
});

describe('order items', () => {
  it('are keyed by order id and indexed by customer, newest sorting last', () => {
    expect(toOrderItem(order)).toEqual({ ...order, ...pageKey, entityType: 'ORDER' });
    expect(orderKey('o1')).toEqual({ pk: 'ORDER#o1', sk: 'ORDER' });
  });

  it('read back as the order, keeping attributes added later', () => {
    const stored = { ...toOrderItem(order), cancellationNote: 'changed my mind' };
    expect(fromOrderItem(stored)).toEqual({ ...order, cancellationNote: 'changed my mind' });
  });
});

describe('idempotencyKey', () => {
  it('keys a record by the client’s key', () => {
    expect(idempotencyKey('abc')).toEqual({ pk: 'IDEMPOTENCY#abc', sk: 'IDEMPOTENCY' });
  });
});

describe('list cursors', () => {
  it('round-trip the page key for the same customer', () => {
    const cursor = encodeCursor(pageKey);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'cust-1')).toEqual(pageKey);
  });

  it('are refused for another customer', () => {
    expect(decodeCursor(encodeCursor(pageKey), 'cust-2')).toBeUndefined();
  });

  it('are refused when they are not a page key we would issue', () => {
    const tampered = [
      { ...pageKey, sk: 'IDEMPOTENCY' },
      { ...pageKey, pk: 'IDEMPOTENCY#x' },
      { ...pageKey, gsi1sk: `${order.createdAt}#another-order` },
      { ...pageKey, gsi1sk: `yesterday#${order.orderId}` },
      { ...pageKey, extra: 1 },
      { pk: pageKey.pk, sk: pageKey.sk },
      { ...pageKey, gsi1pk: 7 },
    ];
    for (const key of tampered) {
      expect(
        decodeCursor(Buffer.from(JSON.stringify(key)).toString('base64url'), 'cust-1'),
      ).toBeUndefined();
    }
  });

  it('are refused when they are not base64url JSON', () => {
    for (const cursor of [
      '',
      'not a cursor!',
      'e30',
      Buffer.from('[1,2]').toString('base64url'),
      'x'.repeat(2000),
    ]) {
      expect(decodeCursor(cursor, 'cust-1')).toBeUndefined();
    }
  });

  it('never throw, whatever the client sends', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (cursor, customerId) => {
        expect(() => decodeCursor(cursor, customerId)).not.toThrow();
      }),
    );
  });
});
