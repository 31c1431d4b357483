import * as z from 'zod/mini';
import { ownQueueEnv } from '../shared/message-delay.ts';

/**
 * The notification functions' environments, validated at cold start by `loadEnv`.
 */

const TableName = z.string().check(z.minLength(1), z.maxLength(255));

/** The event consumer (`handler.ts`). */
export const notificationsConsumerEnv = {
  /** The notifications table (attempt records and idempotency records). */
  TABLE_NAME: TableName,
  /** Fraction of sends the simulated provider fails, 0..1 (demos of retries and the DLQ). */
  PROVIDER_FAILURE_RATE: z._default(z.coerce.number().check(z.minimum(0), z.maximum(1)), 0),
  ...ownQueueEnv,
};

/** The API (`api-handler.ts`). */
export const notificationsApiEnv = { TABLE_NAME: TableName };
