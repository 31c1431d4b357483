import * as z from 'zod/mini';
import type { ErrorDetail } from '../../shared/http.ts';
import { expected, toErrorDetails } from '../../shared/validation.ts';
import {
  currencyExponent,
  excessDecimals,
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
  maxEmailLength: 254,
} as const;

/** Currency when the client names none. */
export const DEFAULT_CURRENCY = 'USD';

const { maxIdLength, maxItems, maxQuantity, maxUnitPrice, maxEmailLength } = placeOrderLimits;

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
    unitPrice: z
      .number(expected('a number'))
      .check(
        z.minimum(0, 'must not be negative'),
        z.maximum(maxUnitPrice, `must be at most ${maxUnitPrice}`),
      ),
    // Decimal places are checked against the order's currency once it is known (below):
    // a bound across all currencies here told a USD client "at most 3".
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
 * Prices with more decimals than the order's currency, read from the body as sent: the
 * schema cannot check them (an item does not know the currency), and reading them
 * apart lists them with the schema's errors rather than after those are fixed.
 */
function priceDecimalDetails(body: unknown): ErrorDetail[] {
  if (typeof body !== 'object' || body === null) return [];
  const { items, currency = DEFAULT_CURRENCY } = body as { items?: unknown; currency?: unknown };
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown, index) => {
    const price =
      typeof item === 'object' && item !== null
        ? (item as { unitPrice?: unknown }).unitPrice
        : undefined;
    const message = excessDecimals(price, currency);
    return message ? [{ field: `items[${index}].unitPrice`, message }] : [];
  });
}

/**
 * Validates an untrusted `POST /orders` body and prices it in minor units. Every
 * problem is reported with its field (`items[0].quantity`), including prices with more
 * decimals than the currency has (JPY has none): nothing is ever rounded.
 */
export function validatePlaceOrderRequest(body: unknown): PlaceOrderValidation {
  const parsed = z.safeParse(PlaceOrderRequest, body);
  const decimals = priceDecimalDetails(body);
  if (!parsed.success) {
    return { ok: false, details: [...toErrorDetails(parsed.error.issues), ...decimals] };
  }
  if (decimals.length > 0) return { ok: false, details: decimals };
  const request = parsed.data;
  const exponent = currencyExponent(request.currency);
  const lines: OrderLine[] = request.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unitPrice: toMinorUnits(item.unitPrice, exponent),
  }));
  const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  // Unreachable with today's limits and currencies; guards a future limit or currency change.
  if (!Number.isSafeInteger(total)) {
    return { ok: false, details: [{ field: 'items', message: 'the order total is too large' }] };
  }
  return { ok: true, value: { request, lines, total } };
}
