import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { OrderCancelled, OrderConfirmed } from '../../../events/index.ts';
import { createEventConsumer, type EventConsumerDeps } from '../../shared/event-consumer.ts';
import type { IdempotentSender } from '../adapters/send-once.ts';
import type { NotificationStore } from '../use-cases/ports.ts';
import { NotificationDeliveryError, notifyCustomer } from '../use-cases/notify-customer.ts';

/** The events this consumer takes from its queue (the infra's rule uses the same list). */
export const notificationEvents = [OrderConfirmed, OrderCancelled] as const;

/** Metric names the consumer emits (EMF). */
export const notificationMetrics = {
  sent: 'NotificationsSent',
  duplicates: 'DuplicateNotificationsSkipped',
  superseded: 'ConfirmationsSupersededByCancellation',
  providerFailures: 'NotificationProviderFailures',
  otherFailures: 'NotificationOtherFailures',
} as const;

/** Everything the consumer needs; the entry file builds the real ones, tests pass fakes. */
export interface NotificationsConsumerDeps extends EventConsumerDeps {
  sender: IdempotentSender;
  store: NotificationStore;
  now: () => Date;
}

/**
 * The SQS handler of the notifications queue (EventBridge rule ← OrderConfirmed,
 * OrderCancelled): notifies the customer once per event and channel. A message whose
 * notification failed on any channel is reported as a batch item failure, so the queue
 * delivers it again (only the missing channels are then sent) and, after
 * maxReceiveCount, moves it to the DLQ. Malformed messages go the same way.
 */
export function createNotificationsConsumer(
  deps: NotificationsConsumerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { sender, store, now, observability } = deps;
  const { metrics } = observability;
  return createEventConsumer({
    retries: deps.retries,
    contracts: notificationEvents,
    observability,
    handle: async ({ event, logger }, context) => {
      sender.registerLambdaContext(context);
      try {
        const result = await notifyCustomer(event, { sendOnce: sender.sendOnce, store, now });
        if (result.superseded) {
          count(notificationMetrics.superseded, 1);
          logger.info('Confirmation not sent: the order was cancelled, and the customer told so');
          return;
        }
        count(notificationMetrics.sent, result.sent.length);
        count(notificationMetrics.duplicates, result.alreadySent.length);
        logger.info('Customer notified', { ...result });
      } catch (error) {
        if (error instanceof NotificationDeliveryError) {
          const providerFailures = error.failures.filter((failure) => failure.providerFailed);
          count(notificationMetrics.providerFailures, providerFailures.length);
          count(notificationMetrics.otherFailures, error.failures.length - providerFailures.length);
          logger.warn('Notification not delivered; the event will be retried', {
            // Errors nested in a log attribute lose their (non-enumerable) message: flatten them.
            failures: error.failures.map(({ channel, providerFailed, error: cause }) => ({
              channel,
              providerFailed,
              error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
            })),
          });
        }
        throw error;
      }
    },
  });

  function count(name: string, value: number) {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  }
}
