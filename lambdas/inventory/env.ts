import * as z from 'zod/mini';

/** The environment of both inventory functions, validated at cold start by `loadEnv`. */
export const inventoryEnv = {
  /** The inventory table (products, reservations, outbox). */
  TABLE_NAME: z.string().check(z.minLength(1), z.maxLength(255)),
};
