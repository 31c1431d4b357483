import type { Channel, Notification, OutgoingMessage, Template } from '../domain/notification.ts';

/**
 * What the notification use cases need from the outside world. Adapters implement these
 * (`adapters/`); tests pass plain fakes.
 */

/** The provider's answer to an accepted message. */
export interface ProviderReceipt {
  /** The provider's id of the message, for support and for counting each send once. */
  messageId: string;
}

/** An email/SMS provider. Throws when it does not accept the message. */
export interface NotificationProvider {
  send(message: OutgoingMessage): Promise<ProviderReceipt>;
}

/** A notification the provider accepted: what the idempotent sender remembers and replays. */
export interface Delivery {
  messageId: string;
  /** When the provider accepted it (ISO 8601). */
  sentAt: string;
}

/**
 * Thrown by a {@link SendOnce} when the provider refused or failed the send: a real
 * attempt that failed (unlike, say, a duplicate that is still in flight elsewhere).
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
}

/** What a {@link SendOnce} call did. */
export interface SendOutcome {
  delivery: Delivery;
  /** True when this call had the provider send it; false when it replayed an earlier send. */
  sentNow: boolean;
  /**
   * Whether the send's `onAccepted` succeeded, in this call or in the one that sent it: when
   * false, the send may be missing from the attempt record and is recorded now.
   */
  recorded: boolean;
}

/**
 * Sends a notification at most once per (eventId, channel): a second call for the same
 * pair replays the first send without calling the provider. A failed send is
 * forgotten, so calling again tries again. Throws {@link ProviderError} when the
 * provider fails; any other error means nothing was sent (or the outcome is not known
 * yet) and the call should be retried later.
 *
 * `onAccepted` runs once per accepted send, right after the provider accepted it and
 * before the send is remembered as done: if remembering it fails, the event comes back
 * and is sent again, and the first send must already be on record by then. Its failure
 * does not fail the send (forgetting a send the provider accepted would only send it
 * again); the outcome's `recorded` says whether it succeeded.
 */
export type SendOnce = (
  notification: Notification,
  onAccepted: (delivery: Delivery) => Promise<unknown>,
) => Promise<SendOutcome>;

export type NotificationStatus = 'SENT' | 'FAILED';

/** A notification as recorded and listed: never the full recipient. */
export interface NotificationRecord {
  orderId: string;
  eventId: string;
  eventType: string;
  channel: Channel;
  /** Masked, e.g. `a***@example.com`, `cust-***01`. */
  recipient: string;
  template: Template;
  status: NotificationStatus;
  /** Sends tried for this notification, failed ones included. */
  attempts: number;
  /** Why the latest failed attempt failed; kept after a later success, as history. */
  lastError?: string;
  /** First attempt (ISO 8601). */
  createdAt: string;
  /** Latest change (ISO 8601). */
  updatedAt: string;
  /** When the provider accepted it (its latest send, when there were several). */
  sentAt?: string;
  providerMessageId?: string;
  /**
   * Messages the provider accepted before `providerMessageId`, oldest first: the
   * notification was sent again because its first send could not be remembered as done
   * (the completion write failed or the function died). Absent when sent once.
   */
  earlierProviderMessageIds?: string[];
}

/** Whether a write changed the record or found it already said so. */
export type RecordOutcome = 'recorded' | 'unchanged';

export interface NotificationStore {
  /**
   * Records that the provider accepted `delivery`, counting one attempt. Idempotent per
   * delivery: recording the same delivery again (a replayed send, a retried write)
   * changes nothing and answers `unchanged`. A different delivery of the same
   * notification (sent again) counts another attempt and keeps the earlier one's id.
   */
  recordSent(notification: Notification, delivery: Delivery, now: Date): Promise<RecordOutcome>;
  /**
   * Records a failed attempt (attempts + 1, lastError). A notification already recorded
   * as sent stays sent (`unchanged`).
   */
  recordFailed(notification: Notification, error: string, now: Date): Promise<RecordOutcome>;
  /** Every notification of an order, in no particular order. */
  listByOrder(orderId: string): Promise<NotificationRecord[]>;
  /**
   * Notes that the order was cancelled, before its cancellation is sent, so that a
   * confirmation handled later is not sent after it. Idempotent.
   */
  noteCancellation(orderId: string, eventId: string, now: Date): Promise<void>;
  /** Whether a cancellation of the order was noted (read consistently). */
  wasCancelled(orderId: string): Promise<boolean>;
}
