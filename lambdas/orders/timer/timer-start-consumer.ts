import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { OrderCreated } from '../../../events/index.ts';
import { createEventConsumer, type EventConsumerDeps } from '../../shared/event-consumer.ts';
import {
  startSagaTimer,
  type StartSagaTimerDeps,
  type TimerStartReaction,
} from '../use-cases/start-saga-timer.ts';

/** Everything the timer-start consumer needs; the entry file builds the real ones, tests pass fakes. */
export interface TimerStartHandlerDeps extends StartSagaTimerDeps, EventConsumerDeps {}

/** The events the timer-start consumer handles: the rule's pattern and its parser. */
export const timerStartContracts = [OrderCreated] as const;

/** Metric names the consumer emits (EMF). */
export const timerStartMetrics = {
  timersStarted: 'SagaTimersStarted',
  /** Orders final within the grace period: each spared a Standard state transition. */
  timersNotNeeded: 'SagaTimersNotNeeded',
  duplicates: 'DuplicateEvents',
  unknownOrders: 'EventsForUnknownOrders',
} as const;

/**
 * The order service's timer-start consumer (rule ← OrderCreated, through a queue that
 * delays each message by the stage's grace period): each message is parsed, handed to
 * {@link startSagaTimer}, and what happened is logged and counted. A failure to read the
 * order or start the timer fails the message, which the queue redelivers and, after
 * maxReceiveCount, moves to its DLQ (an alarm watches it: that order has no timer).
 */
export function createTimerStartHandler(
  deps: TimerStartHandlerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { observability } = deps;
  const count = (name: string) => observability.metrics.addMetric(name, MetricUnit.Count, 1);
  return createEventConsumer({
    retries: deps.retries,
    contracts: timerStartContracts,
    observability,
    handle: async ({ event, logger }) => {
      const reaction: TimerStartReaction = await startSagaTimer(event, deps);
      switch (reaction.kind) {
        case 'timer-started':
          count(timerStartMetrics.timersStarted);
          logger.info('Saga timer started', { deadline: reaction.deadline });
          return;
        case 'timer-already-started':
          count(timerStartMetrics.duplicates);
          logger.info('Saga timer already started', { deadline: reaction.deadline });
          return;
        case 'timer-not-needed':
          count(timerStartMetrics.timersNotNeeded);
          logger.info('Order final within the grace period: no saga timer', {
            status: reaction.status,
          });
          return;
        case 'not-found':
          count(timerStartMetrics.unknownOrders);
          logger.warn('OrderCreated for an unknown order acknowledged');
          return;
      }
    },
  });
}
