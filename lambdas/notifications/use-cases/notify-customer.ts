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
  type RecordOutcome,
  type SendOnce,
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
      (outcome === 'recorded' ? result.sent : result.alreadySent).push(channel);
    } catch (error) {
      failures.push({ channel, providerFailed: error instanceof ProviderError, error });
    }
  }
  if (failures.length > 0) throw new NotificationDeliveryError(failures);
  return result;
}

/** Sends one notification (at most once) and records the outcome. */
async function notifyOnce(
  notification: Notification,
  deps: NotifyCustomerDeps,
): Promise<RecordOutcome> {
  const { sendOnce, store, now } = deps;
  let delivery: Delivery;
  try {
    delivery = await sendOnce(notification);
  } catch (error) {
    // Only a provider failure is an attempt worth recording; anything else (a duplicate
    // still in flight, the idempotency table unreachable) sent nothing.
    if (error instanceof ProviderError) {
      await store.recordFailed(notification, errorText(error).slice(0, MAX_ERROR_LENGTH), now());
    }
    throw error;
  }
  // A replayed delivery whose record was already written answers `unchanged`: that is
  // how a duplicate event is told apart from a first send. When the first run sent but
  // could not record, the replay records it now, with the original send time.
  return store.recordSent(notification, delivery, now());
}
