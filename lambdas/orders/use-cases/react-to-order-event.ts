import { sagaEventContracts, sagaInputFromEvent, type SagaEvent } from '../domain/saga.ts';
import {
  applyToOrder,
  becameFinal,
  type ApplyToOrderDeps,
  type ApplyToOrderResult,
} from './apply-to-order.ts';
import { stopTimerBestEffort, type TimerStopDeps, type TimerStopResult } from './saga-timer.ts';

/**
 * The events the order service's saga consumer handles: the payment and inventory events
 * that move the saga. (Its own OrderCreated goes to the timer-start consumer instead, after
 * the grace period: see `start-saga-timer.ts`.) The rule's pattern and the consumer's
 * parser both come from this list.
 */
export const orderEventContracts = sagaEventContracts;

/** A validated envelope of one of the {@link orderEventContracts}. */
export type OrderServiceEvent = SagaEvent;

export interface ReactToOrderEventDeps extends ApplyToOrderDeps, TimerStopDeps {}

/**
 * What the order service did with one event; the handler logs and counts it. When the
 * event made the order final, `timerStop` says how stopping its timer went.
 */
export type OrderEventReaction = ApplyToOrderResult & { timerStop?: TimerStopResult };

/**
 * The order service's reaction to one payment or inventory event (all decisions live here
 * and in the saga's pure transitions; the handler only parses, calls this, and reports):
 * the event is applied to the order ({@link applyToOrder}) with its eventId as the
 * causation id of what it emits. When the transition made the order final, its timer is
 * stopped, best effort, unless it cannot have one (final within the grace period).
 *
 * @throws when the order could not be written (contention): the message is retried by
 *   the queue.
 */
export async function reactToOrderEvent(
  event: OrderServiceEvent,
  deps: ReactToOrderEventDeps,
): Promise<OrderEventReaction> {
  const result = await applyToOrder(
    {
      orderId: event.orderId,
      input: sagaInputFromEvent(event),
      causationId: event.eventId,
    },
    deps,
  );
  if (result.kind === 'applied' && becameFinal(result)) {
    return { ...result, timerStop: await stopTimerBestEffort(result.order, deps) };
  }
  return result;
}
