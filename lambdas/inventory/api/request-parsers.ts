import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { httpErrors, type ErrorDetail } from '../../shared/http.ts';
import { expected, toErrorDetails } from '../../shared/validation.ts';
import {
  currencyExponent,
  excessDecimals,
  isIsoCurrency,
  toMinorUnits,
} from '../../shared/money.ts';
import type { RestockCommand } from '../domain/product.ts';

/** Limits of the admin API; exported so tests and docs quote the same numbers. */
export const productLimits = {
  maxSkuLength: 64,
  maxNameLength: 200,
  /** Largest quantity on hand: far beyond any stock, far below Number's exact integers. */
  maxQuantity: 1_000_000_000,
  /** Largest unit price in major units (as the order API). */
  maxUnitPrice: 100_000_000,
} as const;

/** Currency of a product when the request names none. */
export const DEFAULT_CURRENCY = 'USD';

/**
 * A SKU the API accepts: printable ASCII without leading or trailing spaces, at most 64
 * characters (the events' limit). An order may name any SKU; one this API cannot create
 * simply fails its reservation with `unknown_sku`.
 */
const SKU = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;

/** The SKU from the path, or undefined when it cannot name a product. */
export function parseSku(params: Record<string, string>): string | undefined {
  const sku = params.sku;
  return sku !== undefined && SKU.test(sku) ? sku : undefined;
}

const { maxNameLength, maxQuantity, maxUnitPrice } = productLimits;

/**
 * The body of `PUT /inventory/{sku}`. Strict: an unknown field (a typo such as
 * `quantiy`) is a 400 naming it, never silently ignored.
 */
export const PutProductRequest = z.strictObject(
  {
    name: z.string(expected('a string')).check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(maxNameLength, `must be at most ${maxNameLength} characters`),
      z.refine((name) => name.trim() === name, 'must not start or end with spaces'),
    ),
    quantity: z
      .number(expected('a number'))
      .check(
        z.int('must be a whole number'),
        z.minimum(0, 'must not be negative'),
        z.maximum(maxQuantity, `must be at most ${maxQuantity}`),
      ),
    unitPrice: z
      .number(expected('a number'))
      .check(
        z.minimum(0, 'must not be negative'),
        z.maximum(maxUnitPrice, `must be at most ${maxUnitPrice}`),
      ),
    // Decimal places are checked against the currency once it is known (below).
    currency: z._default(
      z.string(expected('a string')).check(
        z.refine((code) => /^[A-Z]{3}$/.test(code) && isIsoCurrency(code), {
          error: 'must be an ISO 4217 currency code in upper case, e.g. USD',
        }),
      ),
      DEFAULT_CURRENCY,
    ),
  },
  expected('a JSON object'),
);

export type PutProductValidation =
  { ok: true; value: RestockCommand } | { ok: false; details: ErrorDetail[] };

/**
 * Validates an untrusted `PUT /inventory/{sku}` body and prices it in minor units of its
 * currency (USD unless given). Nothing is rounded: a price with more decimals than the
 * currency has (JPY has none) is a 400 naming `unitPrice`.
 */
export function validatePutProduct(sku: string, body: unknown): PutProductValidation {
  const parsed = z.safeParse(PutProductRequest, body);
  // Read from the body as sent, so that it is listed with the schema's errors too.
  const sent = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const decimals = excessDecimals(sent.unitPrice, sent.currency ?? DEFAULT_CURRENCY);
  const decimalDetails = decimals ? [{ field: 'unitPrice', message: decimals }] : [];
  if (!parsed.success) {
    return { ok: false, details: [...toErrorDetails(parsed.error.issues), ...decimalDetails] };
  }
  if (decimalDetails.length > 0) return { ok: false, details: decimalDetails };
  const { name, quantity, unitPrice, currency } = parsed.data;
  const exponent = currencyExponent(currency);
  return {
    ok: true,
    value: { sku, name, quantity, unitPrice: toMinorUnits(unitPrice, exponent), currency },
  };
}

/** Page size of `GET /inventory` when the client gives none, and the largest it may ask for. */
export const listLimits = { defaultLimit: 20, maxLimit: 100 } as const;

const ListProductsQuery = z.object({
  limit: z._default(
    z
      .string()
      .check(
        z.refine(
          (text) =>
            /^\d{1,3}$/.test(text) && Number(text) >= 1 && Number(text) <= listLimits.maxLimit,
          `must be a whole number from 1 to ${listLimits.maxLimit}`,
        ),
      ),
    String(listLimits.defaultLimit),
  ),
  cursor: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
});

/** The `GET /inventory` query: `limit`, `cursor`; other parameters are ignored. */
export function parseListProductsQuery(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters'>,
): {
  limit: number;
  cursor?: string;
} {
  const query = event.queryStringParameters ?? {};
  const parsed = z.safeParse(ListProductsQuery, { limit: query.limit, cursor: query.cursor });
  if (!parsed.success) throw httpErrors.validation(toErrorDetails(parsed.error.issues, 'query'));
  const { limit, cursor } = parsed.data;
  return { limit: Number(limit), ...(cursor === undefined ? {} : { cursor }) };
}
