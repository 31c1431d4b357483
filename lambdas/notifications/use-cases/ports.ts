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

/**
 * Sends a notification at most once per (eventId, channel): a second call for the same
 * pair returns the first {@link Delivery} without calling the provider. A failed send
 * is forgotten, so calling again tries again. Throws {@link ProviderError} when the
 * provider fails; any other error means nothing was attempted (or the outcome is not
 * known yet) and the call should be retried later.
 */
export type SendOnce = (notification: Notification) => Promise<Delivery>;

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
  /** When the provider accepted it. */
  sentAt?: string;
  providerMessageId?: string;
}

/** Whether a write changed the record or found it already said so. */
export type RecordOutcome = 'recorded' | 'unchanged';

export interface NotificationStore {
  /**
   * Records that the provider accepted `delivery`, counting one attempt. Idempotent per
   * delivery: recording the same delivery again (a replayed send) changes nothing and
   * answers `unchanged`.
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
