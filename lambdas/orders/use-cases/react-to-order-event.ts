import { OrderCreated, type EventOf } from '../../../events/index.ts';
import type { OrderStatus } from '../domain/order.ts';
import { isFinal, sagaEventContracts, sagaInputFromEvent, type SagaEvent } from '../domain/saga.ts';
import {
  applyToOrder,
  becameFinal,
  type ApplyToOrderDeps,
  type ApplyToOrderResult,
} from './apply-to-order.ts';
import type { SagaTimer } from './ports.ts';
import { stopTimerBestEffort, type TimerStopResult } from './saga-timer.ts';

/**
 * Every event the order service consumes: its own OrderCreated (to start the saga timer)
 * and the payment and inventory events that move the saga. The rule's pattern and the
 * consumer's parser both come from this list.
 */
export const orderEventContracts = [OrderCreated, ...sagaEventContracts] as const;

/** A validated envelope of one of the {@link orderEventContracts}. */
export type OrderServiceEvent = EventOf<typeof OrderCreated> | SagaEvent;

export interface ReactToOrderEventDeps extends ApplyToOrderDeps {
  timer: SagaTimer;
}

/** What the order service did with one event; the handler logs and counts it. */
export type OrderEventReaction =
  /** OrderCreated: the saga timer now runs (`already-started` on a redelivery). */
  | { kind: 'timer-started' | 'timer-already-started'; deadline: string }
  /** OrderCreated arrived after the order was already final: a timer would only fire for nothing. */
  | { kind: 'timer-not-needed'; status: OrderStatus }
  /** A saga event; when it made the order final, `timerStop` says how stopping its timer went. */
  | (ApplyToOrderResult & { timerStop?: TimerStopResult });

/**
 * The order service's reaction to one event (all decisions live here and in the saga's
 * pure transitions; the handler only parses, calls this, and reports).
 *
 * - OrderCreated starts the order's saga timer (execution named after the order, so a
 *   redelivery does not start a second one) unless the order is already final, which
 *   happens when the payment service was faster than the order service's own queue.
 * - A payment or inventory event is applied to the order ({@link applyToOrder}) with its
 *   eventId as the causation id of what it emits. When the
 *   transition made the order final, the timer is stopped, best effort.
 *
 * @throws when the order could not be written (contention) or a timer could not be
 *   started: the message is retried by the queue.
 */
export async function reactToOrderEvent(
  event: OrderServiceEvent,
  deps: ReactToOrderEventDeps,
): Promise<OrderEventReaction> {
  if (event.type === 'OrderCreated') return startSagaTimer(event, deps);

  const result = await applyToOrder(
    {
      orderId: event.orderId,
      input: sagaInputFromEvent(event),
      causationId: event.eventId,
    },
    deps,
  );
  if (result.kind === 'applied' && becameFinal(result)) {
    return { ...result, timerStop: await stopTimerBestEffort(deps.timer, event.orderId) };
  }
  return result;
}

async function startSagaTimer(
  event: EventOf<typeof OrderCreated>,
  { store, timer }: ReactToOrderEventDeps,
): Promise<OrderEventReaction> {
  // OrderCreated is committed with the order, so the order is there; the read only spares a
  // timer (and its state transitions) for an order the saga has already finished.
  const order = await store.getOrder(event.orderId);
  if (!order) return { kind: 'not-found' };
  if (isFinal(order)) return { kind: 'timer-not-needed', status: order.status };
  const { deadline } = event.data;
  const started = await timer.startTimer(event.orderId, deadline);
  return { kind: started === 'started' ? 'timer-started' : 'timer-already-started', deadline };
}
