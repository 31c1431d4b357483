import type { Order } from '../domain/order.ts';
import { applyToOrder, becameFinal, type ApplyToOrderDeps } from './apply-to-order.ts';
import { stopTimerBestEffort, type TimerStopDeps, type TimerStopResult } from './saga-timer.ts';

export interface CancelOrderDeps extends ApplyToOrderDeps, TimerStopDeps {}

export interface CancelOrderCommand {
  orderId: string;
  /** The customer's own words, kept on the order as its cancellation note. */
  reason?: string;
  /** Causation id of the events the cancellation emits: the request's id. */
  requestId: string;
}

export type CancelOrderResult =
  /** Cancelled now; refund and release requests (if any) are on their way. */
  | { kind: 'cancelled'; order: Order; timerStop?: TimerStopResult }
  | { kind: 'already-cancelled'; order: Order }
  | { kind: 'not-found' };

/**
 * The customer cancels an order, pending or confirmed: OrderCancelled (customer_request)
 * is emitted and whatever the order holds is compensated (refund, release), in the same
 * transaction as the order's new state. A pending order's timer is stopped, best effort.
 *
 * A repeated cancel is answered `already-cancelled` by the transition itself.
 *
 * @throws {@link WriteContentionError} when concurrent writes kept conflicting.
 */
export async function cancelOrder(
  command: CancelOrderCommand,
  deps: CancelOrderDeps,
): Promise<CancelOrderResult> {
  const { orderId, reason, requestId } = command;
  const result = await applyToOrder(
    {
      orderId,
      input: { kind: 'CancelRequested', ...(reason === undefined ? {} : { reason }) },
      causationId: requestId,
    },
    deps,
  );
  switch (result.kind) {
    case 'applied':
      return becameFinal(result)
        ? {
            kind: 'cancelled',
            order: result.order,
            timerStop: await stopTimerBestEffort(result.order, deps),
          }
        : { kind: 'cancelled', order: result.order };
    case 'rejected':
      return { kind: 'already-cancelled', order: result.order };
    case 'not-found':
      return { kind: 'not-found' };
    case 'ignored':
      // The transitions never ignore a cancel.
      throw new Error(`Unexpected outcome of a cancel of order ${orderId}: ${result.kind}`);
  }
}
