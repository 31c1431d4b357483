import { describe, expect, it } from '@jest/globals';
import type { Order } from '../../../lambdas/orders/domain/order.ts';
import { getOrder } from '../../../lambdas/orders/use-cases/get-order.ts';
import { listOrders } from '../../../lambdas/orders/use-cases/list-orders.ts';
import { toOrderView } from '../../../lambdas/orders/use-cases/order-view.ts';
import { InvalidCursorError } from '../../../lambdas/orders/use-cases/ports.ts';
import { FakeOrderStore } from './fake-order-store.ts';

function order(orderId: string, overrides: Partial<Order> = {}): Order {
  return {
    orderId,
    customerId: 'cust-1',
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 3, unitPrice: 1999 }],
    total: 5997,
    paymentToken: 'tok_secret',
    status: 'PENDING',
    saga: { payment: 'COMPLETED', inventory: 'NONE', paymentId: 'pay-internal' },
    createdAt: '2026-03-01T12:00:00.000Z',
    updatedAt: '2026-03-01T12:00:05.000Z',
    deadline: '2026-03-01T12:01:30.000Z',
    sequence: 1,
    version: 2,
    ...overrides,
  };
}

describe('toOrderView', () => {
  it('shows amounts in decimal major units of the order’s currency', () => {
    expect(toOrderView(order('o1')).items[0]?.unitPrice).toBe(19.99);
    expect(toOrderView(order('o1')).total).toBe(59.97);
    const yen = toOrderView(
      order('o2', {
        currency: 'JPY',
        items: [{ sku: 'S', quantity: 2, unitPrice: 500 }],
        total: 1000,
      }),
    );
    expect(yen.total).toBe(1000);
    const dinar = toOrderView(
      order('o3', {
        currency: 'BHD',
        items: [{ sku: 'S', quantity: 1, unitPrice: 1005 }],
        total: 1005,
      }),
    );
    expect(dinar.total).toBe(1.005);
  });

  it('never shows the payment token or the saga’s internal ids', () => {
    const json = JSON.stringify(toOrderView(order('o1')));
    expect(json).not.toContain('tok_secret');
    expect(json).not.toContain('pay-internal');
    expect(json).not.toContain('deadline');
    expect(toOrderView(order('o1')).saga).toEqual({ payment: 'COMPLETED', inventory: 'NONE' });
  });

  it('shows the cancellation reason and email only when there are some', () => {
    expect(toOrderView(order('o1'))).not.toHaveProperty('cancellationReason');
    expect(toOrderView(order('o1'))).not.toHaveProperty('customerEmail');
    const cancelled = toOrderView(
      order('o1', {
        status: 'CANCELLED',
        cancellationReason: 'out_of_stock',
        customerEmail: 'a@example.com',
      }),
    );
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out_of_stock',
      customerEmail: 'a@example.com',
    });
  });
});

describe('getOrder', () => {
  it('returns the order’s view', async () => {
    const store = new FakeOrderStore();
    store.orders.set('o1', order('o1'));
    expect(await getOrder('o1', { store })).toEqual(toOrderView(order('o1')));
  });

  it('returns undefined for an unknown order', async () => {
    expect(await getOrder('missing', { store: new FakeOrderStore() })).toBeUndefined();
  });
});

describe('listOrders', () => {
  const store = new FakeOrderStore();
  for (let minute = 0; minute < 5; minute += 1) {
    const createdAt = `2026-03-01T12:0${minute}:00.000Z`;
    store.orders.set(`o${minute}`, order(`o${minute}`, { createdAt, updatedAt: createdAt }));
  }
  store.orders.set('other', order('other', { customerId: 'cust-2' }));

  it('lists the customer’s orders newest first, as views', async () => {
    const page = await listOrders({ customerId: 'cust-1', limit: 10 }, { store });
    expect(page.items.map((item) => item.orderId)).toEqual(['o4', 'o3', 'o2', 'o1', 'o0']);
    expect(JSON.stringify(page)).not.toContain('tok_secret');
    expect(page.nextCursor).toBeNull();
  });

  it('pages with the cursor of the previous page', async () => {
    const first = await listOrders({ customerId: 'cust-1', limit: 2 }, { store });
    expect(first.items.map((item) => item.orderId)).toEqual(['o4', 'o3']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listOrders(
      { customerId: 'cust-1', limit: 2, cursor: first.nextCursor! },
      { store },
    );
    expect(second.items.map((item) => item.orderId)).toEqual(['o2', 'o1']);
  });

  it('lets an invalid cursor surface as InvalidCursorError', async () => {
    await expect(
      listOrders({ customerId: 'cust-1', limit: 2, cursor: 'bogus' }, { store }),
    ).rejects.toThrow(InvalidCursorError);
  });
});
