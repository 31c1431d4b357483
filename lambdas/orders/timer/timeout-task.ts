import type { Context } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { withObservability, type Observability } from '../../shared/observability.ts';
import type { ApplyToOrderDeps } from '../use-cases/apply-to-order.ts';
import { timeOutOrder, type TimeoutResult } from '../use-cases/time-out-order.ts';

/** Everything the timeout task needs; the entry file builds the real ones, tests pass fakes. */
export interface TimeoutTaskDeps extends ApplyToOrderDeps {
  observability: Observability;
}

/** The task's payload, as the timer state machine passes it. */
export const TimeoutTaskInput = z.object({
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
});

/** Metric names the task emits (EMF). */
export const timeoutMetrics = {
  ordersTimedOut: 'OrdersTimedOut',
  timersForFinalOrders: 'SagaTimersFiredForFinalOrders',
} as const;

/**
 * The saga timer's task (Step Functions → Lambda, payload `{ orderId }`): times out the
 * order ({@link timeOutOrder}) and answers `{ orderId, outcome, status }`. A payload that is
 * not `{ orderId }` throws (a bug in the state machine: the execution fails visibly);
 * contention throws too, and the state machine's retry runs the task again, which is safe.
 */
export function createTimeoutHandler(
  deps: TimeoutTaskDeps,
): MiddyfiedHandler<unknown, TimeoutResult> {
  const { observability } = deps;
  const { logger, metrics } = observability;

  async function handle(payload: unknown): Promise<TimeoutResult> {
    const parsed = z.safeParse(TimeoutTaskInput, payload);
    if (!parsed.success) throw new Error(`Invalid timeout task payload: ${parsed.error.message}`);
    const { orderId } = parsed.data;
    logger.appendKeys({ orderId });
    const result = await timeOutOrder(orderId, deps);
    if (result.outcome === 'applied') {
      metrics.addMetric(timeoutMetrics.ordersTimedOut, MetricUnit.Count, 1);
    } else if (result.outcome === 'ignored') {
      metrics.addMetric(timeoutMetrics.timersForFinalOrders, MetricUnit.Count, 1);
    }
    const details = { outcome: result.outcome, status: result.status };
    // A timer without an order means the order was deleted or the timer's input is wrong.
    if (result.outcome === 'not_found')
      logger.warn('Saga timer fired for an unknown order', details);
    else logger.info('Saga timer fired', details);
    return result;
  }

  return withObservability(
    (payload: unknown, _context: Context) => handle(payload),
    observability,
    {
      // The order is the saga: its id ties this task's logs to the rest of the saga.
      correlationId: (payload) => {
        const parsed = z.safeParse(TimeoutTaskInput, payload);
        return parsed.success ? parsed.data.orderId : undefined;
      },
    },
  );
}
