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
 * What a send's idempotency record keeps and replays: the delivery, and whether it was
 * on the attempt record when the send was remembered as done.
 */
interface RememberedSend extends Delivery {
  /** Absent from the records of sends remembered before it was added. */
  recorded?: boolean;
}

/**
 * Wraps the provider with Powertools idempotency keyed by (eventId, channel): the first
 * call sends, runs its `onAccepted` and stores the {@link Delivery}; later calls replay
 * it without sending. A failed send deletes its record (Powertools does), so the retry
 * sends. Provider errors come out as {@link ProviderError}; Powertools' own errors (e.g.
 * the same send in progress in another invocation, or a failed write of the record)
 * come out as they are.
 *
 * Limit (Powertools' and any such scheme's): if the provider accepts a message and the
 * record never says so (the function dies, or the write that completes the record
 * fails), the retry sends again, once the in-progress record has expired. At least once;
 * `onAccepted` has run for the first send by then, so both sends are on record.
 */
export function createIdempotentSender(options: {
  provider: NotificationProvider;
  persistenceStore: BasePersistenceLayer;
  now: () => Date;
}): IdempotentSender {
  const { provider, persistenceStore, now } = options;
  const config = new IdempotencyConfig({ expiresAfterSeconds: SEND_MEMORY_SECONDS });

  // The key is the first argument only, so neither the message's content nor the
  // callback is part of it.
  const send = async (
    _key: SendKey,
    message: OutgoingMessage,
    onAccepted: (delivery: Delivery) => Promise<unknown>,
  ): Promise<RememberedSend> => {
    let delivery: Delivery;
    try {
      const { messageId } = await provider.send(message);
      delivery = { messageId, sentAt: now().toISOString() };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProviderError(reason, { cause: error });
    }
    // Throwing now would make Powertools delete the record of a send the provider
    // accepted, and the retry would send it again: a failure is remembered instead, and
    // the caller records the delivery itself.
    const recorded = await onAccepted(delivery).then(
      () => true,
      () => false,
    );
    return { ...delivery, recorded };
  };
  const idempotentSend = makeIdempotent(send, {
    persistenceStore,
    config,
    keyPrefix: SEND_IDEMPOTENCY_KEY_PREFIX,
  });

  return {
    sendOnce: async (notification, onAccepted) => {
      // Set only when this call's own send is accepted; a replay never runs it.
      let sentNow = false;
      const { messageId, sentAt, recorded } = await idempotentSend(
        { eventId: notification.eventId, channel: notification.message.channel },
        notification.message,
        (delivery) => {
          sentNow = true;
          return onAccepted(delivery);
        },
      );
      // Not known to be on record (an older record without `recorded` included): the
      // caller records it again, which the store counts once.
      return { delivery: { messageId, sentAt }, sentNow, recorded: recorded ?? false };
    },
    registerLambdaContext: (context) => config.registerLambdaContext(context),
  };
}
