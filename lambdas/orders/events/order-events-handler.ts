import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createEventConsumer, type EventConsumerDeps } from '../../shared/event-consumer.ts';
import type { Observability } from '../../shared/observability.ts';
import {
  orderEventContracts,
  reactToOrderEvent,
  type OrderEventReaction,
  type OrderServiceEvent,
  type ReactToOrderEventDeps,
} from '../use-cases/react-to-order-event.ts';

/** Everything the order events consumer needs; the entry file builds the real ones, tests pass fakes. */
export interface OrderEventsHandlerDeps extends ReactToOrderEventDeps, EventConsumerDeps {}

/** Metric names the consumer emits (EMF). */
export const orderEventMetrics = {
  transitionsApplied: 'SagaTransitionsApplied',
  ordersConfirmed: 'OrdersConfirmed',
  ordersCancelled: 'OrdersCancelled',
  duplicates: 'DuplicateEvents',
  /** Facts that conflict with the order: expected never, a bug in another service. */
  contradictions: 'ContradictingEvents',
  unknownOrders: 'EventsForUnknownOrders',
  timerStopFailures: 'SagaTimerStopFailures',
} as const;

/**
 * The order service's SQS consumer (rule ← the payment and inventory events):
 * each message is parsed, handed to {@link reactToOrderEvent}, and what happened is logged
 * and counted. Late, duplicate and contradicting events are acknowledged; only failures
 * that a retry can fix (contention, AWS errors) fail the message, which the queue redelivers
 * and, after maxReceiveCount, moves to the DLQ with the poison messages.
 */
export function createOrderEventsHandler(
  deps: OrderEventsHandlerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { observability } = deps;
  return createEventConsumer({
    retries: deps.retries,
    contracts: orderEventContracts,
    observability,
    handle: async ({ event, logger }) => {
      const reaction = await reactToOrderEvent(event, deps);
      report(event, reaction, { logger, metrics: observability.metrics });
    },
  });
}

function report(
  event: OrderServiceEvent,
  reaction: OrderEventReaction,
  { logger, metrics }: Observability,
): void {
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);
  switch (reaction.kind) {
    case 'not-found':
      // Nothing to apply it to, and a retry would not make the order appear.
      count(orderEventMetrics.unknownOrders);
      logger.warn('Event for an unknown order acknowledged');
      return;
    case 'ignored':
    case 'rejected':
      if (reaction.reason === 'contradicts_order') {
        count(orderEventMetrics.contradictions);
        logger.warn('Event contradicts the order; acknowledged without change', {
          reason: reaction.reason,
          detail: reaction.detail,
          status: reaction.order.status,
        });
        return;
      }
      if (reaction.reason === 'duplicate') count(orderEventMetrics.duplicates);
      logger.info('Event changes nothing', { reason: reaction.reason, detail: reaction.detail });
      return;
    case 'applied': {
      count(orderEventMetrics.transitionsApplied);
      const { before, order, events, timerStop } = reaction;
      if (before.status !== order.status) {
        count(
          order.status === 'CONFIRMED'
            ? orderEventMetrics.ordersConfirmed
            : orderEventMetrics.ordersCancelled,
        );
      }
      if (timerStop?.outcome === 'failed') {
        count(orderEventMetrics.timerStopFailures);
        logger.warn('Saga timer could not be stopped; it will fire and do nothing', {
          error: timerStop.error,
        });
      }
      logger.info('Saga transition applied', {
        input: event.type,
        status: order.status,
        payment: order.saga.payment,
        inventory: order.saga.inventory,
        version: order.version,
        emitted: events.map((emitted) => emitted.type),
        ...(timerStop === undefined ? {} : { timerStop: timerStop.outcome }),
      });
      return;
    }
  }
}
