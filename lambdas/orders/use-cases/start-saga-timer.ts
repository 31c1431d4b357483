import type { EventOf, OrderCreated } from '../../../events/index.ts';
import type { OrderStatus } from '../domain/order.ts';
import { isFinal } from '../domain/saga.ts';
import type { OrderStore, SagaTimer } from './ports.ts';

export interface StartSagaTimerDeps {
  store: Pick<OrderStore, 'getOrder'>;
  timer: Pick<SagaTimer, 'startTimer'>;
}

/** What became of one OrderCreated; the handler logs and counts it. */
export type TimerStartReaction =
  /** The saga timer now runs (`already-started` on a redelivery). */
  | { kind: 'timer-started' | 'timer-already-started'; deadline: string }
  /** The order was final by then: a timer would only fire for nothing. */
  | { kind: 'timer-not-needed'; status: OrderStatus }
  /** No such order: nothing to time out, and a retry would not make it appear. */
  | { kind: 'not-found' };

/**
 * Starts the order's saga timer, firing at the deadline OrderCreated carries, unless the
 * order is already final.
 *
 * OrderCreated reaches this use case after the stage's grace period (its queue delays
 * delivery), so most orders are final by then and start no timer at all: a Standard
 * execution costs a state transition even when it is stopped at once. An order still
 * pending gets its timer, which fires at the same deadline it would have had if started
 * at once. The timer is named after the order, so a redelivery does not start a second.
 *
 * @throws when the order cannot be read or the timer cannot be started: the message is
 *   retried by the queue.
 */
export async function startSagaTimer(
  event: EventOf<typeof OrderCreated>,
  { store, timer }: StartSagaTimerDeps,
): Promise<TimerStartReaction> {
  // Consistent: an order that became final a moment ago must not get a timer.
  const order = await store.getOrder(event.orderId);
  if (!order) return { kind: 'not-found' };
  if (isFinal(order)) return { kind: 'timer-not-needed', status: order.status };
  const { deadline } = event.data;
  const started = await timer.startTimer(event.orderId, deadline);
  return { kind: started === 'started' ? 'timer-started' : 'timer-already-started', deadline };
}
