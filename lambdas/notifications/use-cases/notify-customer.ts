import {
  notificationsFor,
  type Channel,
  type NotifiableEvent,
  type Notification,
} from '../domain/notification.ts';
import {
  ProviderError,
  type Delivery,
  type NotificationStore,
  type SendOnce,
  type SendOutcome,
} from './ports.ts';

export interface NotifyCustomerDeps {
  sendOnce: SendOnce;
  store: NotificationStore;
  now: () => Date;
}

/** What happened to each channel of one event. */
export interface NotifyCustomerResult {
  /** Sent by this call. */
  sent: Channel[];
  /** Already sent by an earlier delivery of the same event: nothing was sent again. */
  alreadySent: Channel[];
  /**
   * An OrderConfirmed not sent because the order's cancellation came first (the customer
   * must not be told "confirmed" after "cancelled"); nothing was sent.
   */
  superseded: boolean;
}

/** One channel that could not be notified this time. */
export interface ChannelFailure {
  channel: Channel;
  /** True when the provider was called and failed (an attempt was counted). */
  providerFailed: boolean;
  error: unknown;
}

/**
 * Thrown when at least one channel was not notified, so the event is delivered again
 * (through the queue, then its DLQ). The channels that did succeed are not sent again on
 * that retry: {@link SendOnce} remembers them.
 */
export class NotificationDeliveryError extends Error {
  override name = 'NotificationDeliveryError';
  readonly failures: readonly ChannelFailure[];

  constructor(failures: readonly ChannelFailure[]) {
    super(
      `Could not notify on ${failures.map(({ channel }) => channel).join(', ')}: ${failures
        .map(({ error }) => errorText(error))
        .join('; ')}`,
    );
    this.failures = failures;
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message || error.name : String(error);

/** Longest `lastError` stored: provider messages can be long, and this is for humans. */
export const MAX_ERROR_LENGTH = 500;

/**
 * Tells the customer their order was confirmed or cancelled, on every channel the event
 * allows, each at most once per event however often the event is delivered, and records
 * every attempt.
 *
 * Channels are independent: a failure on one does not stop the other. When any failed,
 * throws {@link NotificationDeliveryError} after trying them all. A confirmation of an
 * order whose cancellation was already handled is not sent (`superseded`).
 */
export async function notifyCustomer(
  event: NotifiableEvent,
  deps: NotifyCustomerDeps,
): Promise<NotifyCustomerResult> {
  const { store, now } = deps;
  // The two final events of an order travel apart (separate outbox items, queue
  // redeliveries, a retry after a provider failure), so a confirmation can be handled
  // after the cancellation of the same order. The cancellation is noted before it is
  // sent, and a confirmation checks for it first. Left open: both handled at the same
  // moment, when the confirmation's check can pass just before the note is written.
  if (event.type === 'OrderCancelled') {
    await store.noteCancellation(event.orderId, event.eventId, now());
  } else if (await store.wasCancelled(event.orderId)) {
    return { sent: [], alreadySent: [], superseded: true };
  }
  const result: NotifyCustomerResult = { sent: [], alreadySent: [], superseded: false };
  const failures: ChannelFailure[] = [];
  for (const notification of notificationsFor(event)) {
    const { channel } = notification.message;
    try {
      const outcome = await notifyOnce(notification, deps);
      result[outcome].push(channel);
    } catch (error) {
      failures.push({ channel, providerFailed: error instanceof ProviderError, error });
    }
  }
  if (failures.length > 0) throw new NotificationDeliveryError(failures);
  return result;
}

/**
 * Sends one notification (at most once) and records every attempt: `sent` when this call
 * sent it or put an earlier send on record, `alreadySent` when both were done before.
 */
async function notifyOnce(
  notification: Notification,
  deps: NotifyCustomerDeps,
): Promise<'sent' | 'alreadySent'> {
  const { sendOnce, store, now } = deps;
  const record = (delivery: Delivery) => store.recordSent(notification, delivery, now());
  let outcome: SendOutcome;
  try {
    // Recorded inside the send, before the send is remembered as done: when that last
    // write fails, the event comes back and is sent again, and the record then counts
    // both sends instead of keeping only the second.
    outcome = await sendOnce(notification, record);
  } catch (error) {
    // Only a provider failure is an attempt worth recording; anything else (a duplicate
    // still in flight, the idempotency table unreachable) sent nothing, or the send is
    // already on record.
    if (error instanceof ProviderError) {
      await store.recordFailed(notification, errorText(error).slice(0, MAX_ERROR_LENGTH), now());
    }
    throw error;
  }
  const { delivery, sentNow, recorded } = outcome;
  // A duplicate event replays a send that is on record: nothing to write.
  if (recorded) return sentNow ? 'sent' : 'alreadySent';
  // The send could not be recorded when it was made (here, or by the run that sent and
  // then failed): record it now, with its original send time. The store counts a
  // delivery once, so a write that did land after all is not counted twice.
  const written = await record(delivery);
  return sentNow || written === 'recorded' ? 'sent' : 'alreadySent';
}
