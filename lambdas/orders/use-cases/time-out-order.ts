import type { OrderStatus } from '../domain/order.ts';
import { applyToOrder, type ApplyToOrderDeps } from './apply-to-order.ts';
import { ORDERS_CONSUMER } from './react-to-order-event.ts';

/** The timeout task's answer (the execution's output, visible in the Step Functions console). */
export interface TimeoutResult {
  orderId: string;
  /**
   * - `applied`: the order was pending and is now cancelled (reason `timeout`);
   * - `ignored`: the order was already final, nothing to do;
   * - `duplicate`: a previous attempt of this task already cancelled it;
   * - `not_found`: there is no such order.
   */
  outcome: 'applied' | 'ignored' | 'duplicate' | 'not_found';
  /** The order's status after the task, when it is known. */
  status?: OrderStatus;
}

/** The causation id of what the timer's firing emits, and the id in its exactly-once marker. */
export const timerCausationId = (orderId: string): string => `timer:${orderId}`;

/**
 * The saga timer fired for `orderId`: a pending order is cancelled with reason `timeout`
 * (with compensation for whatever already happened), a final one is left alone.
 * Safe to retry: the transition is written with a marker keyed by the timer, so a retried
 * task whose first attempt committed writes nothing.
 *
 * @throws when the order kept conflicting with concurrent writes (the task is retried).
 */
export async function timeOutOrder(
  orderId: string,
  deps: ApplyToOrderDeps,
): Promise<TimeoutResult> {
  const result = await applyToOrder(
    {
      orderId,
      input: { kind: 'SagaTimedOut' },
      causationId: timerCausationId(orderId),
      marker: { consumer: ORDERS_CONSUMER, id: timerCausationId(orderId) },
    },
    deps,
  );
  switch (result.kind) {
    case 'applied':
      return { orderId, outcome: 'applied', status: result.order.status };
    case 'ignored':
    case 'rejected':
      return { orderId, outcome: 'ignored', status: result.order.status };
    case 'duplicate':
      return { orderId, outcome: 'duplicate' };
    case 'not-found':
      return { orderId, outcome: 'not_found' };
  }
}
