import * as z from 'zod/mini';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, ownQueueEnv } from '../shared/message-delay.ts';

/** Default seconds a `tok_slow` charge takes: longer than the default 90 s saga timeout. */
export const DEFAULT_SLOW_PAYMENT_SECONDS = 120;

/**
 * Upper bound of `SLOW_PAYMENT_SECONDS`: three of the longest push-backs (just under 12 h
 * each). A slow charge then needs at most four receives of its message (three push-backs
 * and the one that settles it), one fewer than the queue's maxReceiveCount of 5, and well
 * within the queue's retention (SQS's default of 4 days; see `payments-consumer.ts`).
 */
export const MAX_SLOW_PAYMENT_SECONDS = 3 * MAX_VISIBILITY_TIMEOUT_SECONDS;

/** The payment function's environment, validated at cold start by `loadEnv`. */
export const paymentsEnv = {
  /** The payments table (payments and their outbox). */
  TABLE_NAME: z.string().check(z.minLength(1), z.maxLength(255)),
  ...ownQueueEnv,
  /** Fraction (0..1) of approvable charges declined at random, for demos. */
  PAYMENT_FAILURE_RATE: z._default(z.coerce.number().check(z.minimum(0), z.maximum(1)), 0),
  /** How long a `tok_slow` charge takes to settle (0..35.5 h). */
  SLOW_PAYMENT_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(0), z.maximum(MAX_SLOW_PAYMENT_SECONDS)),
    DEFAULT_SLOW_PAYMENT_SECONDS,
  ),
};
