import * as z from 'zod/mini';
import type { ErrorDetail } from '../../shared/http.ts';
import { expected, toErrorDetails } from '../../shared/validation.ts';
import {
  currencyExponent,
  decimalPlaces,
  isIsoCurrency,
  toMinorUnits,
} from '../../shared/money.ts';
import type { OrderLine } from './order.ts';

/** Limits of a `POST /orders` request; exported so tests and docs quote the same numbers. */
export const placeOrderLimits = {
  maxIdLength: 64,
  maxItems: 50,
  maxQuantity: 1000,
  /**
   * Largest unit price in major units. With 50 lines of 1000 units each, totals stay
   * exact integers of minor units for every currency with up to 3 decimals.
   */
  maxUnitPrice: 100_000_000,
  /**
   * Decimal places a unit price may have at all: the most any accepted currency's minor
   * unit has (BHD, KWD, ...). The currency's own minor unit is checked next (USD: 2).
   */
  maxPriceDecimals: 3,
  maxEmailLength: 254,
} as const;

/** Currency when the client names none. */
export const DEFAULT_CURRENCY = 'USD';

const { maxIdLength, maxItems, maxQuantity, maxUnitPrice, maxPriceDecimals, maxEmailLength } =
  placeOrderLimits;

const boundedString = (what: string, max: number) =>
  z
    .string(expected(what))
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

const OrderItemRequest = z.strictObject(
  {
    sku: boundedString('a string', maxIdLength),
    quantity: z
      .number(expected('a number'))
      .check(
        z.int('must be a whole number'),
        z.minimum(1, 'must be at least 1'),
        z.maximum(maxQuantity, `must be at most ${maxQuantity}`),
      ),
    unitPrice: z.number(expected('a number')).check(
      z.minimum(0, 'must not be negative'),
      z.maximum(maxUnitPrice, `must be at most ${maxUnitPrice}`),
      z.refine((price) => decimalPlaces(price) <= maxPriceDecimals, {
        error: `must have at most ${maxPriceDecimals} decimal places`,
      }),
    ),
  },
  expected('an object'),
);

/**
 * The body of `POST /orders`, as the client sends it (prices are decimals in major
 * units). The object schemas are strict: an unknown field is rejected (400 naming the
 * field) rather than silently dropped, so a client's typo (`quantitiy`) or a field
 * this version does not support never passes for a valid order.
 */
export const PlaceOrderRequest = z.strictObject(
  {
    customerId: boundedString('a string', maxIdLength).check(
      z.regex(/^[A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : -'),
    ),
    customerEmail: z.optional(
      z
        .email({ error: 'must be a valid email address' })
        .check(z.maxLength(maxEmailLength, `must be at most ${maxEmailLength} characters`)),
    ),
    currency: z._default(
      z.string(expected('a string')).check(
        z.refine((code) => /^[A-Z]{3}$/.test(code) && isIsoCurrency(code), {
          error: 'must be an ISO 4217 currency code in upper case, e.g. USD',
        }),
      ),
      DEFAULT_CURRENCY,
    ),
    items: z
      .array(OrderItemRequest, expected('an array of items'))
      .check(
        z.minLength(1, 'must contain at least 1 item'),
        z.maxLength(maxItems, `must contain at most ${maxItems} items`),
      ),
    paymentToken: z.optional(boundedString('a string', maxIdLength)),
  },
  expected('a JSON object'),
);

/** A `POST /orders` body after validation, with defaults applied (currency). */
export type PlaceOrderRequest = z.output<typeof PlaceOrderRequest>;

/** A valid order request, priced in integer minor units. */
export interface ValidPlaceOrder {
  /** The request as validated: what idempotency fingerprints. */
  request: PlaceOrderRequest;
  /** The lines with unit prices in minor units. */
  lines: OrderLine[];
  /** Sum of quantity × unitPrice, in minor units. */
  total: number;
}

export type PlaceOrderValidation =
  { ok: true; value: ValidPlaceOrder } | { ok: false; details: ErrorDetail[] };

/**
 * Validates an untrusted `POST /orders` body and prices it in minor units. Every
 * problem is reported with its field (`items[0].quantity`), including prices with more
 * decimals than the currency has (JPY has none): nothing is ever rounded.
 */
export function validatePlaceOrderRequest(body: unknown): PlaceOrderValidation {
  const parsed = z.safeParse(PlaceOrderRequest, body);
  if (!parsed.success) return { ok: false, details: toErrorDetails(parsed.error.issues) };
  const request = parsed.data;
  const exponent = currencyExponent(request.currency);
  const details: ErrorDetail[] = [];
  const lines: OrderLine[] = [];
  request.items.forEach((item, index) => {
    if (decimalPlaces(item.unitPrice) > exponent) {
      details.push({
        field: `items[${index}].unitPrice`,
        message:
          exponent === 0
            ? `must be a whole number: ${request.currency} has no minor unit`
            : `must have at most ${exponent} decimal places for ${request.currency}`,
      });
      return;
    }
    lines.push({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: toMinorUnits(item.unitPrice, exponent),
    });
  });
  if (details.length > 0) return { ok: false, details };
  const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  // Unreachable with today's limits and currencies; guards a future limit or currency change.
  if (!Number.isSafeInteger(total)) {
    return { ok: false, details: [{ field: 'items', message: 'the order total is too large' }] };
  }
  return { ok: true, value: { request, lines, total } };
}
