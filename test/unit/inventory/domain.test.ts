import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { restock, toProductView, type Product } from '../../../lambdas/inventory/domain/product.ts';
import { shortageOf, sumBySku } from '../../../lambdas/inventory/domain/reservation.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const command = { sku: 'SKU-1', name: 'Mug', quantity: 10, unitPrice: 1250, currency: 'USD' };
const existing: Product = {
  sku: 'SKU-1',
  name: 'Old mug',
  unitPrice: 999,
  currency: 'USD',
  available: 2,
  reserved: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
};

describe('sumBySku', () => {
  it('sums the quantities of lines of the same SKU, keeping first-appearance order', () => {
    expect(
      sumBySku([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'B', quantity: 4 },
      { sku: 'A', quantity: 2 },
    ]);
  });

  it('keeps the total quantity of every SKU, with one line per SKU', () => {
    const lines = fc.array(
      fc.record({
        sku: fc.constantFrom('A', 'B', 'C', 'D'),
        quantity: fc.integer({ min: 1, max: 50 }),
      }),
    );
    fc.assert(
      fc.property(lines, (input) => {
        const summed = sumBySku(input);
        expect(new Set(summed.map((line) => line.sku)).size).toBe(summed.length);
        for (const { sku, quantity } of summed) {
          const expected = input
            .filter((line) => line.sku === sku)
            .reduce((n, l) => n + l.quantity, 0);
          expect(quantity).toBe(expected);
        }
        expect(summed.reduce((n, l) => n + l.quantity, 0)).toBe(
          input.reduce((n, l) => n + l.quantity, 0),
        );
      }),
    );
  });
});

describe('shortageOf', () => {
  it('reports out_of_stock with every short SKU when all of them exist', () => {
    expect(
      shortageOf([
        { sku: 'A', productExists: true },
        { sku: 'B', productExists: true },
      ]),
    ).toEqual({ reason: 'out_of_stock', skus: ['A', 'B'] });
  });

  it('reports unknown_sku with only the unknown SKUs when any SKU does not exist', () => {
    expect(
      shortageOf([
        { sku: 'A', productExists: true },
        { sku: 'X', productExists: false },
      ]),
    ).toEqual({ reason: 'unknown_sku', skus: ['X'] });
  });
});

describe('restock', () => {
  it('creates a new product with everything available', () => {
    expect(restock(undefined, command, NOW)).toEqual({
      outcome: 'created',
      product: {
        sku: 'SKU-1',
        name: 'Mug',
        unitPrice: 1250,
        currency: 'USD',
        available: 10,
        reserved: 0,
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      },
    });
  });

  it('replaces a product keeping its reserved units, so available is quantity minus reserved', () => {
    expect(restock(existing, command, NOW)).toEqual({
      outcome: 'replaced',
      product: {
        ...existing,
        name: 'Mug',
        unitPrice: 1250,
        available: 7,
        reserved: 3,
        updatedAt: NOW.toISOString(),
      },
    });
  });

  it('accepts a quantity equal to the reserved units (nothing left available)', () => {
    const result = restock(existing, { ...command, quantity: 3 }, NOW);
    expect(result).toMatchObject({ outcome: 'replaced', product: { available: 0, reserved: 3 } });
  });

  it('refuses a quantity below the reserved units', () => {
    expect(restock(existing, { ...command, quantity: 2 }, NOW)).toEqual({
      outcome: 'below-reserved',
      reserved: 3,
    });
  });
});

describe('toProductView', () => {
  it('shows the quantity on hand and the price in decimal major units', () => {
    expect(toProductView({ ...existing, unitPrice: 1999 })).toEqual({
      sku: 'SKU-1',
      name: 'Old mug',
      quantity: 5,
      reserved: 3,
      available: 2,
      unitPrice: 19.99,
      currency: 'USD',
      createdAt: existing.createdAt,
      updatedAt: existing.updatedAt,
    });
  });

  it('uses the currency minor unit (JPY has none)', () => {
    expect(toProductView({ ...existing, unitPrice: 500, currency: 'JPY' }).unitPrice).toBe(500);
  });

  it('never shows storage attributes', () => {
    const stored = { ...existing, pk: 'PRODUCT#SKU-1', gsi1pk: 'PRODUCT' } as Product;
    expect(Object.keys(toProductView(stored))).not.toContain('pk');
  });
});
