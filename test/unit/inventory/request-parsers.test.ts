import { describe, expect, it } from '@jest/globals';
import {
  listLimits,
  parseListProductsQuery,
  parseSku,
  validatePutProduct,
} from '../../../lambdas/inventory/api/request-parsers.ts';
import { HttpError } from '../../../lambdas/shared/http.ts';

const body = { name: 'Mug', quantity: 10, unitPrice: 12.5 };

describe('validatePutProduct', () => {
  it('prices a valid body in minor units, in USD unless told otherwise', () => {
    expect(validatePutProduct('SKU-1', body)).toEqual({
      ok: true,
      value: { sku: 'SKU-1', name: 'Mug', quantity: 10, unitPrice: 1250, currency: 'USD' },
    });
    expect(validatePutProduct('SKU-1', { ...body, unitPrice: 1.15 })).toMatchObject({
      ok: true,
      value: { unitPrice: 115 },
    });
    expect(validatePutProduct('SKU-1', { ...body, unitPrice: 500, currency: 'JPY' })).toMatchObject(
      {
        ok: true,
        value: { unitPrice: 500, currency: 'JPY' },
      },
    );
  });

  it('prices dinars in fils, a thousandth, and forints in fillér, a hundredth (ISO, not ICU)', () => {
    expect(
      validatePutProduct('SKU-1', { ...body, unitPrice: 1.234, currency: 'KWD' }),
    ).toMatchObject({ ok: true, value: { unitPrice: 1234, currency: 'KWD' } });
    expect(
      validatePutProduct('SKU-1', { ...body, unitPrice: 1999.5, currency: 'HUF' }),
    ).toMatchObject({ ok: true, value: { unitPrice: 199950, currency: 'HUF' } });
  });

  it('accepts a quantity of zero (out of stock, still listed)', () => {
    expect(validatePutProduct('SKU-1', { ...body, quantity: 0 }).ok).toBe(true);
  });

  it.each([
    ['a missing name', { quantity: 1, unitPrice: 1 }, 'name', 'is required'],
    ['an empty name', { ...body, name: '' }, 'name', 'must not be empty'],
    ['a padded name', { ...body, name: ' Mug ' }, 'name', 'must not start or end with spaces'],
    ['a negative quantity', { ...body, quantity: -1 }, 'quantity', 'must not be negative'],
    ['a fractional quantity', { ...body, quantity: 1.5 }, 'quantity', 'must be a whole number'],
    ['a quantity as text', { ...body, quantity: '3' }, 'quantity', 'must be a number'],
    ['a negative price', { ...body, unitPrice: -1 }, 'unitPrice', 'must not be negative'],
    [
      'a price with 3 decimals in dollars',
      { ...body, unitPrice: 1.234 },
      'unitPrice',
      'must have at most 2 decimal places for USD',
    ],
    [
      'a price with 4 decimals in dinars',
      { ...body, unitPrice: 1.2345, currency: 'KWD' },
      'unitPrice',
      'must have at most 3 decimal places for KWD',
    ],
    [
      'a price with 7 decimals in dollars',
      { ...body, unitPrice: 1e-7 },
      'unitPrice',
      'must have at most 2 decimal places for USD',
    ],
    [
      'cents of a currency without them',
      { ...body, unitPrice: 1.5, currency: 'JPY' },
      'unitPrice',
      'must be a whole number: JPY has no minor unit',
    ],
    [
      'an unknown currency',
      { ...body, currency: 'usd' },
      'currency',
      expect.stringContaining('ISO 4217'),
    ],
    ['an unknown field', { ...body, quantiy: 3 }, 'quantiy', 'is not a known field'],
  ])('rejects %s, naming the field', (_why, input, field, message) => {
    const result = validatePutProduct('SKU-1', input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details).toContainEqual({ field, message });
  });

  it.each([null, [], 'text', 42])('rejects a body that is not an object (%p)', (input) => {
    expect(validatePutProduct('SKU-1', input)).toEqual({
      ok: false,
      details: [{ field: 'body', message: 'must be a JSON object' }],
    });
  });
});

describe('parseSku', () => {
  it.each(['SKU-1', 'a', 'Mug: large (blue)', 'x'.repeat(64)])('accepts %p', (sku) => {
    expect(parseSku({ sku })).toBe(sku);
  });

  it.each(['', ' SKU', 'SKU ', 'x'.repeat(65), 'tab\there', 'é'])('refuses %p', (sku) => {
    expect(parseSku({ sku })).toBeUndefined();
  });

  it('refuses a missing parameter', () => {
    expect(parseSku({})).toBeUndefined();
  });
});

describe('parseListProductsQuery', () => {
  it('defaults the page size and passes the cursor through', () => {
    expect(parseListProductsQuery({ queryStringParameters: null })).toEqual({
      limit: listLimits.defaultLimit,
    });
    expect(
      parseListProductsQuery({ queryStringParameters: { limit: '5', cursor: 'abc' } }),
    ).toEqual({
      limit: 5,
      cursor: 'abc',
    });
  });

  it.each(['0', '101', '-1', '1e2', 'ten', ''])('answers 400 for limit=%p', (limit) => {
    expect(() => parseListProductsQuery({ queryStringParameters: { limit } })).toThrow(HttpError);
  });
});
