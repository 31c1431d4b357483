import type { OrderStatus } from '../domain/order.ts';
import { applyToOrder, type ApplyToOrderDeps } from './apply-to-order.ts';

/** The timeout task's answer (the execution's output, visible in the Step Functions console). */
export interface TimeoutResult {
  orderId: string;
  /**
   * - `applied`: the order was pending and is now cancelled (reason `timeout`);
   * - `ignored`: the order was already final (a previous attempt of this task may have
   *   cancelled it), nothing to do;
   * - `not_found`: there is no such order.
   */
  outcome: 'applied' | 'ignored' | 'not_found';
  /** The order's status after the task, when it is known. */
  status?: OrderStatus;
}

/** The causation id of what the timer's firing emits. */
export const timerCausationId = (orderId: string): string => `timer:${orderId}`;

/**
 * The saga timer fired for `orderId`: a pending order is cancelled with reason `timeout`
 * (with compensation for whatever already happened), a final one is left alone.
 * Safe to retry: a retried task whose first attempt committed finds the order final (and
 * the version condition stops two attempts racing), so it writes nothing.
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
    },
    deps,
  );
  switch (result.kind) {
    case 'applied':
      return { orderId, outcome: 'applied', status: result.order.status };
    case 'ignored':
    case 'rejected':
      return { orderId, outcome: 'ignored', status: result.order.status };
    case 'not-found':
      return { orderId, outcome: 'not_found' };
  }
}
