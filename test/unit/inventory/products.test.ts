import { describe, expect, it } from '@jest/globals';
import { WriteContentionError } from '../../../lambdas/inventory/use-cases/conflict-retry.ts';
import {
  getProduct,
  listProducts,
  putProduct,
} from '../../../lambdas/inventory/use-cases/products.ts';
import { FakeInventoryStore } from './fake-inventory-store.ts';
import { NOW } from './fixtures.ts';

const deps = (store = new FakeInventoryStore()) => ({
  store,
  now: () => NOW,
  retry: { sleep: () => Promise.resolve() },
});
const mug = { sku: 'MUG', name: 'Mug', quantity: 10, unitPrice: 1250, currency: 'USD' };

describe('product use cases', () => {
  it('creates a product and shows it with decimal prices', async () => {
    const store = new FakeInventoryStore();
    expect(await putProduct(mug, deps(store))).toEqual({
      kind: 'created',
      product: {
        sku: 'MUG',
        name: 'Mug',
        quantity: 10,
        reserved: 0,
        available: 10,
        unitPrice: 12.5,
        currency: 'USD',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      },
    });
    expect(await getProduct('MUG', deps(store))).toMatchObject({ quantity: 10, unitPrice: 12.5 });
  });

  it('replaces a product keeping its reserved units', async () => {
    const store = new FakeInventoryStore();
    store.addProduct('MUG', 1, 4);
    expect(await putProduct(mug, deps(store))).toMatchObject({
      kind: 'replaced',
      product: { quantity: 10, reserved: 4, available: 6 },
    });
  });

  it('refuses a quantity below the reserved units', async () => {
    const store = new FakeInventoryStore();
    store.addProduct('MUG', 1, 4);
    expect(await putProduct({ ...mug, quantity: 3 }, deps(store))).toEqual({
      kind: 'below-reserved',
      reserved: 4,
    });
    expect(store.products.get('MUG')).toMatchObject({ available: 1, reserved: 4 });
  });

  it('retries a write that conflicted with a reservation, then gives up', async () => {
    const store = new FakeInventoryStore();
    store.conflicts.putProduct = 1;
    expect((await putProduct(mug, deps(store))).kind).toBe('created');
    store.conflicts.putProduct = 100;
    await expect(putProduct(mug, deps(store))).rejects.toThrow(WriteContentionError);
  });

  it('answers undefined for an unknown SKU', async () => {
    expect(await getProduct('NOPE', deps())).toBeUndefined();
  });

  it('lists products page by page with a null cursor on the last page', async () => {
    const store = new FakeInventoryStore();
    for (const sku of ['C', 'A', 'B']) store.addProduct(sku, 1);
    const first = await listProducts({ limit: 2 }, deps(store));
    expect(first.items.map((p) => p.sku)).toEqual(['A', 'B']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listProducts({ limit: 2, cursor: first.nextCursor! }, deps(store));
    expect(second).toMatchObject({ items: [{ sku: 'C' }], nextCursor: null });
  });
});
