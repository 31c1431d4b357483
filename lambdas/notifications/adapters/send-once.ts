import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { DocumentDb } from '../../shared/aws/document-db.ts';
import { DocumentDbPersistenceLayer } from '../../shared/aws/idempotency-persistence.ts';
import { REDELIVERY_WINDOW_SECONDS } from '../../shared/redelivery.ts';
import type { Channel, OutgoingMessage } from '../domain/notification.ts';
import {
  ProviderError,
  type Delivery,
  type NotificationProvider,
  type SendOnce,
} from '../use-cases/ports.ts';
import { idempotencyRecordAttributes, SEND_IDEMPOTENCY_KEY_PREFIX } from './notifications-table.ts';

/**
 * How long a send is remembered (`REDELIVERY_WINDOW_SECONDS`): it must outlive
 * every way the event can come back: SQS retention (at most 14 days) and a redrive of
 * the DLQ within it.
 */
export const SEND_MEMORY_SECONDS = REDELIVERY_WINDOW_SECONDS;

/** What identifies one send: the hashed idempotency key. */
interface SendKey {
  eventId: string;
  channel: Channel;
}

/**
 * The Powertools persistence layer on the notifications table (see `notifications-table.ts`),
 * through the light DynamoDB client (the same records as Powertools' DynamoDB layer).
 */
export function createSendPersistenceLayer(
  db: DocumentDb,
  tableName: string,
): DocumentDbPersistenceLayer {
  return new DocumentDbPersistenceLayer(db, { tableName, ...idempotencyRecordAttributes });
}

/** A {@link SendOnce} and the hook that tells it how long the current invocation may run. */
export interface IdempotentSender {
  sendOnce: SendOnce;
  /**
   * Call at the start of each invocation: an in-progress send is then considered
   * abandoned once this invocation's time is up, so if the function crashes or times
   * out mid-send, the redelivered event can try again instead of waiting for the
   * record to expire (days).
   */
  registerLambdaContext(context: Context): void;
}

/**
 * Wraps the provider with Powertools idempotency keyed by (eventId, channel): the first
 * call sends and stores the {@link Delivery}; later calls return it without sending. A
 * failed send deletes its record (Powertools does), so the retry sends. Provider errors
 * come out as {@link ProviderError}; Powertools' own errors (e.g. the same send in
 * progress in another invocation) come out as they are.
 *
 * Limit (Powertools' and any such scheme's): if the provider accepts a message and the
 * function dies before the record says so, the retry sends again. At least once, with
 * that window as small as one DynamoDB write.
 */
export function createIdempotentSender(options: {
  provider: NotificationProvider;
  persistenceStore: BasePersistenceLayer;
  now: () => Date;
}): IdempotentSender {
  const { provider, persistenceStore, now } = options;
  const config = new IdempotencyConfig({ expiresAfterSeconds: SEND_MEMORY_SECONDS });

  // The key is the first argument only, so the message's content is not part of it.
  const send = async (_key: SendKey, message: OutgoingMessage): Promise<Delivery> => {
    try {
      const { messageId } = await provider.send(message);
      return { messageId, sentAt: now().toISOString() };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProviderError(reason, { cause: error });
    }
  };
  const idempotentSend = makeIdempotent(send, {
    persistenceStore,
    config,
    keyPrefix: SEND_IDEMPOTENCY_KEY_PREFIX,
  });

  return {
    sendOnce: (notification) =>
      idempotentSend(
        { eventId: notification.eventId, channel: notification.message.channel },
        notification.message,
      ),
    registerLambdaContext: (context) => config.registerLambdaContext(context),
  };
}
