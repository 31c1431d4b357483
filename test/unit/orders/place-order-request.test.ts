import { describe, expect, it } from '@jest/globals';
import {
  placeOrderLimits,
  validatePlaceOrderRequest,
  type PlaceOrderValidation,
} from '../../../lambdas/orders/domain/place-order-request.ts';

const validBody = () => ({
  customerId: 'cust-1001',
  customerEmail: 'a@example.com',
  currency: 'USD',
  items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
  paymentToken: 'tok_visa',
});

type Body = Record<string, unknown>;
const withItem = (item: Body): Body => ({
  ...validBody(),
  items: [{ ...validBody().items[0], ...item }],
});

function detailsOf(result: PlaceOrderValidation) {
  if (result.ok) throw new Error('expected the request to be rejected');
  return result.details;
}

/** The messages reported for one field. */
const messagesFor = (body: unknown, field: string) =>
  detailsOf(validatePlaceOrderRequest(body))
    .filter((detail) => detail.field === field)
    .map((detail) => detail.message);

describe('validatePlaceOrderRequest', () => {
  describe('a valid request', () => {
    it('is priced in minor units with its total', () => {
      const result = validatePlaceOrderRequest({
        ...validBody(),
        items: [
          { sku: 'SKU-1', quantity: 2, unitPrice: 12.5 },
          { sku: 'SKU-2', quantity: 3, unitPrice: 1.15 },
        ],
      });
      expect(result).toEqual({
        ok: true,
        value: {
          request: expect.objectContaining({ customerId: 'cust-1001', currency: 'USD' }),
          lines: [
            { sku: 'SKU-1', quantity: 2, unitPrice: 1250 },
            { sku: 'SKU-2', quantity: 3, unitPrice: 115 },
          ],
          total: 2845,
        },
      });
    });

    it('defaults the currency to USD', () => {
      const { currency: _omitted, ...body } = validBody();
      const result = validatePlaceOrderRequest(body);
      expect(result.ok && result.value.request.currency).toBe('USD');
    });

    it('needs only a customer and items', () => {
      const result = validatePlaceOrderRequest({
        customerId: 'c',
        items: [{ sku: 's', quantity: 1, unitPrice: 0 }],
      });
      expect(result.ok).toBe(true);
    });

    it('accepts whole prices in a currency without minor unit', () => {
      const result = validatePlaceOrderRequest({
        ...withItem({ unitPrice: 1500 }),
        currency: 'JPY',
      });
      expect(result.ok && result.value.lines[0]?.unitPrice).toBe(1500);
      expect(result.ok && result.value.total).toBe(3000);
    });

    it('accepts the limits themselves', () => {
      const items = Array.from({ length: placeOrderLimits.maxItems }, (_, index) => ({
        sku: 'S'.repeat(64).slice(0, 60) + String(index).padStart(4, '0'),
        quantity: placeOrderLimits.maxQuantity,
        unitPrice: placeOrderLimits.maxUnitPrice,
      }));
      const result = validatePlaceOrderRequest({
        customerId: 'c'.repeat(64),
        currency: 'BHD',
        items,
        paymentToken: 't'.repeat(64),
      });
      expect(result.ok).toBe(true);
      // 50 × 1000 × 100,000,000.000 BHD in fils is still an exact integer.
      expect(result.ok && Number.isSafeInteger(result.value.total)).toBe(true);
      expect(result.ok && result.value.total).toBe(50 * 1000 * 100_000_000 * 1000);
    });
  });

  describe('the body', () => {
    it('must be a JSON object', () => {
      for (const body of [null, [], 'order', 42, true]) {
        expect(detailsOf(validatePlaceOrderRequest(body))).toEqual([
          { field: 'body', message: 'must be a JSON object' },
        ]);
      }
    });

    it('rejects unknown fields by name, at any level', () => {
      const details = detailsOf(
        validatePlaceOrderRequest({ ...withItem({ colour: 'red' }), coupon: 'X', quantitiy: 1 }),
      );
      expect(details).toEqual(
        expect.arrayContaining([
          { field: 'coupon', message: 'is not a known field' },
          { field: 'quantitiy', message: 'is not a known field' },
          { field: 'items[0].colour', message: 'is not a known field' },
        ]),
      );
      expect(details).toHaveLength(3);
    });

    it('names every bad field at once', () => {
      const details = detailsOf(
        validatePlaceOrderRequest({
          customerId: '',
          items: [{ sku: 'a', quantity: 0, unitPrice: -1 }],
        }),
      );
      expect(details.map((detail) => detail.field).sort()).toEqual(
        ['customerId', 'items[0].quantity', 'items[0].unitPrice'].sort(),
      );
    });
  });

  describe('customerId', () => {
    it('is required', () => {
      const { customerId: _omitted, ...body } = validBody();
      expect(messagesFor(body, 'customerId')).toEqual(['is required']);
    });

    it('must be a string of 1 to 64 characters', () => {
      expect(messagesFor({ ...validBody(), customerId: 42 }, 'customerId')).toEqual([
        'must be a string',
      ]);
      expect(messagesFor({ ...validBody(), customerId: '' }, 'customerId')).toEqual([
        'must not be empty',
      ]);
      expect(messagesFor({ ...validBody(), customerId: 'c'.repeat(65) }, 'customerId')).toEqual([
        'must be at most 64 characters',
      ]);
    });

    it('allows only letters, digits and . _ : -', () => {
      expect(validatePlaceOrderRequest({ ...validBody(), customerId: 'Aa0._:-' }).ok).toBe(true);
      for (const customerId of ['cust 1', 'cust/1', 'cüst', 'cust#1', 'a\nb']) {
        expect(messagesFor({ ...validBody(), customerId }, 'customerId')).toEqual([
          'may contain only letters, digits and . _ : -',
        ]);
      }
    });
  });

  describe('customerEmail', () => {
    it('is optional', () => {
      const { customerEmail: _omitted, ...body } = validBody();
      expect(validatePlaceOrderRequest(body).ok).toBe(true);
    });

    it('must be a valid email address', () => {
      for (const customerEmail of ['not-an-email', 'a@b', '@example.com', 42, '']) {
        expect(messagesFor({ ...validBody(), customerEmail }, 'customerEmail')).toEqual([
          'must be a valid email address',
        ]);
      }
    });
  });

  describe('currency', () => {
    it('must be an upper-case ISO 4217 code', () => {
      for (const currency of ['usd', 'ABC', 'US', 'DOLLAR', 'XXX']) {
        expect(messagesFor({ ...validBody(), currency }, 'currency')).toEqual([
          'must be an ISO 4217 currency code in upper case, e.g. USD',
        ]);
      }
      expect(messagesFor({ ...validBody(), currency: 1 }, 'currency')).toEqual([
        'must be a string',
      ]);
    });

    it('accepts other ISO currencies', () => {
      expect(validatePlaceOrderRequest({ ...validBody(), currency: 'EUR' }).ok).toBe(true);
    });
  });

  describe('items', () => {
    it('are required, as a non-empty array', () => {
      const { items: _omitted, ...body } = validBody();
      expect(messagesFor(body, 'items')).toEqual(['is required']);
      expect(messagesFor({ ...validBody(), items: [] }, 'items')).toEqual([
        'must contain at least 1 item',
      ]);
      expect(messagesFor({ ...validBody(), items: {} }, 'items')).toEqual([
        'must be an array of items',
      ]);
    });

    it('are at most 50', () => {
      const items = Array.from({ length: 51 }, () => validBody().items[0]);
      expect(messagesFor({ ...validBody(), items }, 'items')).toEqual([
        'must contain at most 50 items',
      ]);
    });

    it('must each be an object', () => {
      expect(messagesFor({ ...validBody(), items: ['SKU-1'] }, 'items[0]')).toEqual([
        'must be an object',
      ]);
    });
  });

  describe('items[].sku', () => {
    it('must be a string of 1 to 64 characters', () => {
      expect(messagesFor(withItem({ sku: undefined }), 'items[0].sku')).toEqual(['is required']);
      expect(messagesFor(withItem({ sku: '' }), 'items[0].sku')).toEqual(['must not be empty']);
      expect(messagesFor(withItem({ sku: 'S'.repeat(65) }), 'items[0].sku')).toEqual([
        'must be at most 64 characters',
      ]);
      expect(messagesFor(withItem({ sku: 7 }), 'items[0].sku')).toEqual(['must be a string']);
    });
  });

  describe('items[].quantity', () => {
    it('must be a whole number from 1 to 1000', () => {
      expect(messagesFor(withItem({ quantity: undefined }), 'items[0].quantity')).toEqual([
        'is required',
      ]);
      expect(messagesFor(withItem({ quantity: '2' }), 'items[0].quantity')).toEqual([
        'must be a number',
      ]);
      expect(messagesFor(withItem({ quantity: 1.5 }), 'items[0].quantity')).toEqual([
        'must be a whole number',
      ]);
      expect(messagesFor(withItem({ quantity: 0 }), 'items[0].quantity')).toEqual([
        'must be at least 1',
      ]);
      expect(messagesFor(withItem({ quantity: -3 }), 'items[0].quantity')).toEqual([
        'must be at least 1',
      ]);
      expect(messagesFor(withItem({ quantity: 1001 }), 'items[0].quantity')).toEqual([
        'must be at most 1000',
      ]);
      expect(validatePlaceOrderRequest(withItem({ quantity: 1000 })).ok).toBe(true);
    });

    it('is named with the index of its item', () => {
      const body = {
        ...validBody(),
        items: [validBody().items[0], { sku: 'SKU-2', quantity: 0, unitPrice: 1 }],
      };
      expect(detailsOf(validatePlaceOrderRequest(body))).toEqual([
        { field: 'items[1].quantity', message: 'must be at least 1' },
      ]);
    });
  });

  describe('items[].unitPrice', () => {
    it('must be a number from 0 to 100,000,000', () => {
      expect(messagesFor(withItem({ unitPrice: undefined }), 'items[0].unitPrice')).toEqual([
        'is required',
      ]);
      expect(messagesFor(withItem({ unitPrice: '12.50' }), 'items[0].unitPrice')).toEqual([
        'must be a number',
      ]);
      expect(messagesFor(withItem({ unitPrice: -0.01 }), 'items[0].unitPrice')).toEqual([
        'must not be negative',
      ]);
      expect(messagesFor(withItem({ unitPrice: 100_000_000.01 }), 'items[0].unitPrice')).toEqual([
        'must be at most 100000000',
      ]);
      expect(validatePlaceOrderRequest(withItem({ unitPrice: 0 })).ok).toBe(true);
    });

    it('has no more decimal places than its currency, which the message names', () => {
      // Even far beyond any currency's minor unit (1e-7 has 7), the message is the
      // currency's limit, not the largest of all currencies.
      for (const unitPrice of [12.345, 1.2345, 1e-7]) {
        expect(messagesFor(withItem({ unitPrice }), 'items[0].unitPrice')).toEqual([
          'must have at most 2 decimal places for USD',
        ]);
      }
      expect(
        messagesFor({ ...withItem({ unitPrice: 1.2345 }), currency: 'KWD' }, 'items[0].unitPrice'),
      ).toEqual(['must have at most 3 decimal places for KWD']);
      // Listed with the other errors of the request, not after they are fixed.
      const withOtherErrors = validatePlaceOrderRequest(
        withItem({ unitPrice: 1.234, quantity: 0 }),
      );
      expect(withOtherErrors.ok ? [] : withOtherErrors.details).toEqual(
        expect.arrayContaining([
          { field: 'items[0].quantity', message: 'must be at least 1' },
          { field: 'items[0].unitPrice', message: 'must have at most 2 decimal places for USD' },
        ]),
      );
      // Dinars have fils: a thousandth.
      expect(
        validatePlaceOrderRequest({ ...withItem({ unitPrice: 1.005 }), currency: 'BHD' }).ok,
      ).toBe(true);
      expect(
        validatePlaceOrderRequest({ ...withItem({ unitPrice: 1.234 }), currency: 'KWD' }).ok,
      ).toBe(true);
    });

    it('has no more decimals than the currency, and says so', () => {
      expect(
        messagesFor({ ...withItem({ unitPrice: 12.5 }), currency: 'JPY' }, 'items[0].unitPrice'),
      ).toEqual(['must be a whole number: JPY has no minor unit']);
    });
  });

  describe('paymentToken', () => {
    it('is an optional string of 1 to 64 characters', () => {
      const { paymentToken: _omitted, ...body } = validBody();
      expect(validatePlaceOrderRequest(body).ok).toBe(true);
      expect(messagesFor({ ...validBody(), paymentToken: '' }, 'paymentToken')).toEqual([
        'must not be empty',
      ]);
      expect(messagesFor({ ...validBody(), paymentToken: 't'.repeat(65) }, 'paymentToken')).toEqual(
        ['must be at most 64 characters'],
      );
      expect(messagesFor({ ...validBody(), paymentToken: 4242 }, 'paymentToken')).toEqual([
        'must be a string',
      ]);
    });
  });
});
