import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type {
  EventOf,
  OrderCancelled,
  OrderCreated,
  PaymentRefundRequested,
} from '../../events/index.ts';
import { createEventConsumer, DeferredMessageError } from '../shared/event-consumer.ts';
import type { Observability } from '../shared/observability.ts';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, type MessageDelayer } from '../shared/message-delay.ts';
import { paymentsConsumedEvents } from './consumed-events.ts';
import { chargePayment, type ChargePaymentDeps } from './use-cases/charge-payment.ts';
import { refundPayment } from './use-cases/refund-payment.ts';
import { voidPayment } from './use-cases/void-payment.ts';

/** Metric names the payment function emits (EMF, namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const paymentMetrics = {
  completed: 'PaymentsCompleted',
  failed: 'PaymentsFailed',
  refunded: 'PaymentsRefunded',
  /**
   * Payments voided before any charge: the order was cancelled, or its deadline passed,
   * before the charge started or settled. A void announces nothing (no outbox write).
   */
  voided: 'PaymentsVoided',
  /** Deliveries that changed nothing: redeliveries and second requests for the same effect. */
  duplicates: 'DuplicateEvents',
  /** Slow charges whose message was pushed back until they settle. */
  deferred: 'PaymentsDeferred',
  /** Refund requests with nothing to refund. */
  refundsIgnored: 'RefundRequestsIgnored',
} as const;

/** Everything the payment handler needs; the entry file builds the real ones, tests pass fakes. */
export interface PaymentsHandlerDeps extends ChargePaymentDeps {
  /** Pushes a slow charge's message back on the function's own queue. */
  messages: MessageDelayer;
  observability: Observability;
}

/**
 * Thrown for a slow charge's message after pushing it back: the message is reported as a
 * batch item failure, so SQS keeps it and delivers it again when the charge settles.
 * Expected, not an error of the service.
 */
export class PaymentPendingError extends DeferredMessageError {
  override name = 'PaymentPendingError';
}

/**
 * The payment function's SQS handler: OrderCreated charges (or voids, past the order's
 * deadline), OrderCancelled voids a charge not settled yet, PaymentRefundRequested
 * refunds; each message is reported on its own (partial batch responses).
 *
 * A message fails (and is retried by the queue, then set aside in the DLQ) when it is
 * not a valid event, when DynamoDB fails or keeps conflicting, and, on purpose, while a
 * slow charge settles. Duplicates and requests with nothing to do are acknowledged.
 */
export function createPaymentsHandler(
  deps: PaymentsHandlerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { observability, messages } = deps;
  const { metrics } = observability;
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);

  const onOrderCreated = async (
    event: EventOf<typeof OrderCreated>,
    record: SQSRecord,
    logger: Logger,
  ) => {
    const result = await chargePayment(event, deps);
    switch (result.kind) {
      case 'completed':
        count(paymentMetrics.completed);
        logger.info('Payment completed', { paymentId: result.payment.paymentId });
        return;
      case 'failed':
        count(paymentMetrics.failed);
        logger.info('Payment failed', {
          paymentId: result.payment.paymentId,
          reason: result.payment.failureReason,
        });
        return;
      case 'voided':
        count(paymentMetrics.voided);
        logger.info('Payment voided (expired): the order deadline passed before the charge', {
          reason: 'expired',
          paymentId: result.payment.paymentId,
          previousStatus: result.previous,
          deadline: event.data.deadline,
        });
        return;
      case 'not-charged':
        logger.info('OrderCreated for a voided payment acknowledged: not charged', {
          paymentId: result.payment.paymentId,
          voidReason: result.payment.voidReason,
        });
        return;
      case 'duplicate':
        count(paymentMetrics.duplicates);
        if (result.reason === 'order-already-charged') {
          logger.warn('Another OrderCreated for an order that has a payment: not charged again', {
            paymentId: result.payment?.paymentId,
            chargeEventId: result.payment?.chargeEventId,
          });
        } else {
          logger.info('Duplicate OrderCreated acknowledged');
        }
        return;
      case 'pending': {
        // The simulated processor calls back later: instead of sleeping in the function,
        // the message is hidden until the charge settles and reported as failed, so SQS
        // delivers it again then. Every push-back costs one receive of the message against
        // the queue's maxReceiveCount (≥ 5). One visibility change covers just under 12 h, so
        // a longer wait comes back early and is pushed back again: with SLOW_PAYMENT_SECONDS
        // ≤ 35.5 h (env bound) a healthy slow charge takes at most four receives (two with
        // the default 120 s), one short of the DLQ. If a visibility change fails, the
        // message returns after the queue's visibility timeout instead and each early
        // return uses one more receive; only if that keeps happening does it reach the DLQ.
        // The queue's retention must exceed the delay.
        const { payment, retryAfterSeconds } = result;
        const hiddenForSeconds = Math.min(retryAfterSeconds, MAX_VISIBILITY_TIMEOUT_SECONDS);
        try {
          await messages.delay(record.receiptHandle, hiddenForSeconds);
        } catch (error) {
          logger.warn(
            'Could not push the slow payment message back: it returns after the queue visibility timeout',
            { error },
          );
        }
        count(paymentMetrics.deferred);
        logger.info('Payment processing: message deferred until the charge settles', {
          paymentId: payment.paymentId,
          settlesAt: payment.settlesAt,
          retryAfterSeconds,
          hiddenForSeconds,
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        throw new PaymentPendingError(
          `Payment ${payment.paymentId} settles at ${payment.settlesAt ?? '?'}: redelivery expected then`,
        );
      }
    }
  };

  const onOrderCancelled = async (event: EventOf<typeof OrderCancelled>, logger: Logger) => {
    const result = await voidPayment(event, deps);
    switch (result.kind) {
      case 'voided':
        count(paymentMetrics.voided);
        logger.info('Payment voided (cancelled): the order was cancelled before the charge', {
          reason: 'cancelled',
          paymentId: result.payment.paymentId,
          previousStatus: result.previous,
          cancellationReason: event.data.reason,
        });
        return;
      case 'duplicate':
        count(paymentMetrics.duplicates);
        logger.info('OrderCancelled for a voided payment acknowledged', {
          paymentId: result.payment.paymentId,
          voidReason: result.payment.voidReason,
        });
        return;
      case 'settled':
        // The usual case (a declined charge, out of stock, a cancel after confirmation):
        // the order service asks for the refund of a completed charge itself.
        logger.info('OrderCancelled for a settled payment: nothing to void', {
          paymentId: result.payment.paymentId,
          status: result.payment.status,
        });
        return;
    }
  };

  const onRefundRequested = async (
    event: EventOf<typeof PaymentRefundRequested>,
    logger: Logger,
  ) => {
    const result = await refundPayment(event, deps);
    switch (result.kind) {
      case 'refunded':
        count(paymentMetrics.refunded);
        if (result.mismatch)
          logger.warn('Refund request disagrees with the payment: refunded what was charged', {
            paymentId: result.payment.paymentId,
            mismatch: result.mismatch,
          });
        logger.info('Payment refunded', { paymentId: result.payment.paymentId });
        return;
      case 'duplicate':
        count(paymentMetrics.duplicates);
        logger.info('Duplicate refund request acknowledged', { reason: result.reason });
        return;
      case 'ignored':
        count(paymentMetrics.refundsIgnored);
        if (result.reason === 'still-processing')
          logger.error('Refund requested for a payment still processing: ignored', {
            detail: result.detail,
          });
        else
          logger.warn('Refund requested for an unknown payment: ignored', {
            detail: result.detail,
          });
        return;
    }
  };

  return createEventConsumer({
    // The same delayer brings a failed message back early (a slow charge, deferred on
    // purpose, keeps the visibility it set).
    retries: messages,
    contracts: paymentsConsumedEvents,
    observability,
    // A failed message is logged by the shared consumer (a deferred slow charge too, as a
    // warning: it is the designed way to wait for the charge to settle).
    handle: async ({ event, record, logger }) => {
      switch (event.type) {
        case 'OrderCreated':
          return await onOrderCreated(event, record, logger);
        case 'OrderCancelled':
          return await onOrderCancelled(event, logger);
        case 'PaymentRefundRequested':
          return await onRefundRequested(event, logger);
      }
    },
  });
}
