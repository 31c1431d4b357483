import * as z from 'zod/mini';

/** Default seconds an order has to complete its saga before the timer cancels it. */
export const DEFAULT_SAGA_TIMEOUT_SECONDS = 90;

/** The order API function's environment, validated at cold start by `loadEnv`. */
export const orderApiEnv = {
  /** The orders table (orders, their outbox, idempotency records). */
  TABLE_NAME: z.string().check(z.minLength(1), z.maxLength(255)),
  /** Seconds from creation to the order's `deadline`. */
  SAGA_TIMEOUT_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(1), z.maximum(24 * 60 * 60)),
    DEFAULT_SAGA_TIMEOUT_SECONDS,
  ),
};
