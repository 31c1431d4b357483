import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { getHeader, httpErrors, readJsonBody } from '../../shared/http.ts';
import { expected, toErrorDetails } from '../../shared/validation.ts';
import type { ListOrdersQuery } from '../use-cases/list-orders.ts';

/** Request parts other than the POST body: headers, query string, path parameters. */

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Printable ASCII (space to tilde): what fits in a header and a key, and logs safely. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const IdempotencyKey = z
  .string()
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(128, 'must be at most 128 characters'),
    z.regex(PRINTABLE_ASCII, 'may contain only printable ASCII characters'),
  );

/** The `Idempotency-Key` header: undefined when absent, 400 when present but invalid. */
export function parseIdempotencyKey(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
): string | undefined {
  const value = getHeader(event, IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return undefined;
  const parsed = z.safeParse(IdempotencyKey, value);
  if (parsed.success) return parsed.data;
  throw httpErrors.validation(toErrorDetails(parsed.error.issues, IDEMPOTENCY_KEY_HEADER));
}

/** Page size of `GET /orders` when the client gives none, and the largest it may ask for. */
export const listLimits = { defaultLimit: 20, maxLimit: 100 } as const;

const ListOrdersQuerySchema = z.object({
  customerId: z
    .string(expected('a string'))
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(64, 'must be at most 64 characters'),
      z.regex(/^[A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : -'),
    ),
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

/**
 * The `GET /orders` query: `customerId` (required), `limit`, `cursor`. Other parameters
 * are ignored, as query strings conventionally allow (cache busters, tracking tags).
 */
export function parseListOrdersQuery(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters'>,
): ListOrdersQuery {
  const query = event.queryStringParameters ?? {};
  const parsed = z.safeParse(ListOrdersQuerySchema, {
    customerId: query.customerId,
    limit: query.limit,
    cursor: query.cursor,
  });
  if (!parsed.success) throw httpErrors.validation(toErrorDetails(parsed.error.issues, 'query'));
  const { customerId, limit, cursor } = parsed.data;
  return { customerId, limit: Number(limit), ...(cursor === undefined ? {} : { cursor }) };
}

/** Order ids are UUIDs; accept any token of that alphabet and size, so lookups stay cheap and safe. */
const OrderId = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The order id from the path, or undefined when it cannot name an order (so the
 * answer is a 404 without asking DynamoDB, whose key size limits would otherwise turn a
 * 3 KB id into a 500).
 */
export function parseOrderId(params: Record<string, string>): string | undefined {
  const orderId = params.orderId;
  return orderId !== undefined && OrderId.test(orderId) ? orderId : undefined;
}

/** Longest cancellation reason a customer may give. */
export const MAX_CANCEL_REASON_LENGTH = 500;

const CancelRequestSchema = z.strictObject(
  {
    reason: z.optional(
      z.string(expected('a string')).check(
        z.minLength(1, 'must not be empty'),
        z.maxLength(
          MAX_CANCEL_REASON_LENGTH,
          `must be at most ${MAX_CANCEL_REASON_LENGTH} characters`,
        ),
        // Only spaces is blank; an empty string already fails "must not be empty" alone.
        z.refine((text) => text === '' || text.trim() !== '', 'must not be blank'),
      ),
    ),
  },
  expected('an object'),
);

/**
 * The optional body of `POST /orders/{orderId}/cancel`: `{ "reason"?: string }` (1–500
 * characters). No body at all is a cancel without a reason; a body that is there must be
 * JSON of that shape (an unknown field is a 400, as for `POST /orders`).
 */
export function parseCancelRequest(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
): { reason?: string } {
  if (event.body === null || event.body === undefined || event.body === '') return {};
  const parsed = z.safeParse(CancelRequestSchema, readJsonBody(event));
  if (!parsed.success) throw httpErrors.validation(toErrorDetails(parsed.error.issues));
  const { reason } = parsed.data;
  return reason === undefined ? {} : { reason };
}
