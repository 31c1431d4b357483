import * as z from 'zod/mini';
import { ownQueueEnv } from '../shared/message-delay.ts';

/** The environment of both inventory functions, validated at cold start by `loadEnv`. */
export const inventoryEnv = {
  /** The inventory table (products, reservations, outbox). */
  TABLE_NAME: z.string().check(z.minLength(1), z.maxLength(255)),
};

/** The consumer's environment: the table and its own queue. */
export const inventoryConsumerEnv = { ...inventoryEnv, ...ownQueueEnv };
