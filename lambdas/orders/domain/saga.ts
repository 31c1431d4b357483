/**
 * The order saga's transitions: order state + input → new order state + events to emit.
 * Pure (no I/O, no clock, no randomness, no mutation): handlers load the order, call
 * {@link applySagaInput}, and persist the new order with the emitted events in one
 * transaction.
 *
 * Rules the transitions keep, whatever order inputs arrive in and however often:
 * - Progress only moves forward. `saga.payment` goes NONE → COMPLETED|FAILED →
 *   REFUND_REQUESTED → REFUNDED and never back, likewise `saga.inventory`; so a refund or a
 *   release is requested at most once (only on entering REFUND_REQUESTED / RELEASE_REQUESTED),
 *   and a fact the order already reflects is recognised and ignored.
 * - A CANCELLED order never holds money or stock: whenever it would (at the cancellation, or
 *   when a late PaymentCompleted / InventoryReserved arrives afterwards) the compensation is
 *   requested in the same transition.
 * - OrderCancelled is emitted when the cancellation is decided, in the same transition that
 *   sets status CANCELLED, not when the compensations complete. Why: the event records the
 *   aggregate's state change (what the API shows from that moment) and is written with it,
 *   exactly once; the customer hears about the cancellation even if a refund is slow or
 *   stuck; and "settled" cannot be a promise anyway, because a late PaymentCompleted can
 *   re-open compensation after any cancellation. Compensation progress is visible on the
 *   order (`saga.payment` REFUND_REQUESTED → REFUNDED) and through PaymentRefunded /
 *   InventoryReleased.
 */
import type { CancellationReason } from '../../../events/index.ts';
import type { Order } from './order.ts';
import type { Emitted } from './saga-emitted.ts';
import type { SagaInput } from './saga-input.ts';

// One import for handlers: the inputs, the emitted events and the transitions.
export type { Emitted, EmitContext } from './saga-emitted.ts';
export { sagaEmittedContracts, toEmittedEnvelopes } from './saga-emitted.ts';
export type { SagaEvent, SagaInput, SagaInputKind } from './saga-input.ts';
export { sagaEventContracts, sagaInputFromEvent } from './saga-input.ts';

/**
 * Why an input changed nothing. None is an error: retrying would change nothing either,
 * so handlers acknowledge the message.
 * - `duplicate`: the order already reflects this fact (a redelivery).
 * - `order_final`: the input no longer matters, e.g. the timer fired after the order was
 *   confirmed or cancelled.
 * - `contradicts_order`: the fact conflicts with what the order knows (a different
 *   paymentId or reservationId, a failure after a success, a refund or release that was
 *   never requested). Expected never to happen; handlers should log it as a warning and
 *   count it, because it points at a bug in another service.
 */
export type IgnoredReason = 'duplicate' | 'order_final' | 'contradicts_order';

/** Why a command was refused; the API maps it to 409 Conflict. */
export type RejectedReason = 'already_cancelled';

/** What {@link applySagaInput} decided. Only `applied` is written back. */
export type SagaResult =
  | {
      outcome: 'applied';
      /** A new object: `version` + 1, `updatedAt` = now, `sequence` + `emit.length`. */
      order: Order;
      /** In envelope-sequence order (see `toEmittedEnvelopes`). */
      emit: Emitted[];
    }
  | { outcome: 'ignored'; order: Order; emit: []; reason: IgnoredReason; detail: string }
  | { outcome: 'rejected'; order: Order; emit: []; reason: RejectedReason; detail: string };

/** Confirmed or cancelled: the saga timer no longer matters. */
export function isFinal(order: Pick<Order, 'status'>): boolean {
  return order.status !== 'PENDING';
}

/**
 * A cancelled order whose compensations have all been delivered: it holds no payment
 * (NONE, FAILED or REFUNDED) and no stock (NONE, FAILED or RELEASED).
 */
export function isSettled(order: Pick<Order, 'status' | 'saga'>): boolean {
  const { payment, inventory } = order.saga;
  return (
    order.status === 'CANCELLED' &&
    (payment === 'NONE' || payment === 'FAILED' || payment === 'REFUNDED') &&
    (inventory === 'NONE' || inventory === 'FAILED' || inventory === 'RELEASED')
  );
}

/**
 * Applies one input to an order. Never throws for late, duplicate or reordered inputs:
 * those are normal and come back as `ignored` (or `applied` with a compensation). Throws
 * only if the stored order breaks the aggregate's own invariants (e.g. a COMPLETED payment
 * without a paymentId), which no transition produces.
 *
 * @param now ISO 8601 timestamp of the transition, stamped on `updatedAt`.
 */
export function applySagaInput(order: Order, input: SagaInput, now: string): SagaResult {
  const decision = decide(order, input);
  if (decision.outcome !== 'applied') return { ...decision, order, emit: [] };
  return {
    outcome: 'applied',
    order: {
      ...decision.order,
      updatedAt: now,
      version: order.version + 1,
      sequence: order.sequence + decision.emit.length,
    },
    emit: decision.emit,
  };
}

type Decision =
  | { outcome: 'applied'; order: Order; emit: Emitted[] }
  | { outcome: 'ignored'; reason: IgnoredReason; detail: string }
  | { outcome: 'rejected'; reason: RejectedReason; detail: string };

const applied = (order: Order, emit: Emitted[] = []): Decision => ({
  outcome: 'applied',
  order,
  emit,
});
const ignored = (reason: IgnoredReason, detail: string): Decision => ({
  outcome: 'ignored',
  reason,
  detail,
});

function decide(order: Order, input: SagaInput): Decision {
  switch (input.kind) {
    case 'PaymentCompleted':
      return onPaymentCompleted(order, input);
    case 'PaymentFailed':
      return onPaymentFailed(order);
    case 'PaymentRefunded':
      return onPaymentRefunded(order, input.paymentId);
    case 'InventoryReserved':
      return onInventoryReserved(order, input.reservationId);
    case 'InventoryFailed':
      return onInventoryFailed(order);
    case 'InventoryReleased':
      return onInventoryReleased(order, input.reservationId);
    case 'SagaTimedOut':
      return isFinal(order)
        ? ignored('order_final', `timer fired after the order was ${order.status}`)
        : cancel(order, 'timeout');
    case 'CancelRequested':
      return order.status === 'CANCELLED'
        ? { outcome: 'rejected', reason: 'already_cancelled', detail: 'order already cancelled' }
        : cancel(order, 'customer_request', input.reason);
  }
}

// ---- Payment -------------------------------------------------------------------------

function onPaymentCompleted(
  order: Order,
  input: Extract<SagaInput, { kind: 'PaymentCompleted' }>,
): Decision {
  const { saga } = order;
  if (saga.paymentId !== undefined) {
    return saga.paymentId === input.paymentId
      ? ignored('duplicate', `payment ${input.paymentId} already recorded (${saga.payment})`)
      : ignored('contradicts_order', `payment ${input.paymentId} but order has ${saga.paymentId}`);
  }
  if (order.status === 'CANCELLED') {
    // A late payment (or one contradicting an earlier PaymentFailed): money was taken for
    // an order that will not be fulfilled, so give back exactly what was charged.
    return applied(
      { ...order, saga: { ...saga, payment: 'REFUND_REQUESTED', paymentId: input.paymentId } },
      [
        {
          type: 'PaymentRefundRequested',
          data: {
            paymentId: input.paymentId,
            amount: input.amount,
            currency: input.currency,
            reason: cancellationReasonOf(order),
          },
        },
      ],
    );
  }
  if (saga.payment !== 'NONE') {
    // Unreachable from any transition (FAILED implies CANCELLED); kept total rather than throw.
    return ignored('contradicts_order', `payment completed while ${saga.payment}`);
  }
  return confirmIfReady({
    ...order,
    saga: { ...saga, payment: 'COMPLETED', paymentId: input.paymentId },
  });
}

function onPaymentFailed(order: Order): Decision {
  const { payment } = order.saga;
  if (payment === 'FAILED') return ignored('duplicate', 'payment failure already recorded');
  if (payment !== 'NONE') {
    return ignored('contradicts_order', `payment failed after the order saw it ${payment}`);
  }
  const next: Order = { ...order, saga: { ...order.saga, payment: 'FAILED' } };
  // Already cancelled (timeout, customer): record the failure; there is nothing to refund.
  return order.status === 'PENDING' ? cancel(next, 'payment_failed') : applied(next);
}

function onPaymentRefunded(order: Order, paymentId: string): Decision {
  const { payment, paymentId: known } = order.saga;
  if (known !== paymentId) {
    return ignored('contradicts_order', `refund of payment ${paymentId}, order has ${known}`);
  }
  if (payment === 'REFUNDED') return ignored('duplicate', `payment ${paymentId} already refunded`);
  if (payment !== 'REFUND_REQUESTED') {
    return ignored(
      'contradicts_order',
      `payment ${paymentId} refunded but never asked (${payment})`,
    );
  }
  return applied({ ...order, saga: { ...order.saga, payment: 'REFUNDED' } });
}

// ---- Inventory -----------------------------------------------------------------------

function onInventoryReserved(order: Order, reservationId: string): Decision {
  const { saga } = order;
  if (saga.reservationId !== undefined) {
    return saga.reservationId === reservationId
      ? ignored('duplicate', `reservation ${reservationId} already recorded (${saga.inventory})`)
      : ignored(
          'contradicts_order',
          `reservation ${reservationId} but order has ${saga.reservationId}`,
        );
  }
  if (order.status === 'CANCELLED') {
    // A late reservation (or one contradicting an earlier InventoryFailed): stock is held
    // for an order that will not ship, so put it back.
    return applied({ ...order, saga: { ...saga, inventory: 'RELEASE_REQUESTED', reservationId } }, [
      releaseRequest(order, reservationId, cancellationReasonOf(order)),
    ]);
  }
  if (saga.inventory !== 'NONE') {
    // Unreachable from any transition (FAILED implies CANCELLED); kept total rather than throw.
    return ignored('contradicts_order', `stock reserved while ${saga.inventory}`);
  }
  // Inventory reserves on PaymentCompleted, but the two events reach the order service
  // through different paths, so the reservation may be seen first: then wait for payment.
  return confirmIfReady({ ...order, saga: { ...saga, inventory: 'RESERVED', reservationId } });
}

function onInventoryFailed(order: Order): Decision {
  const { inventory } = order.saga;
  if (inventory === 'FAILED') return ignored('duplicate', 'inventory failure already recorded');
  if (inventory !== 'NONE') {
    return ignored('contradicts_order', `inventory failed after the order saw it ${inventory}`);
  }
  const next: Order = { ...order, saga: { ...order.saga, inventory: 'FAILED' } };
  // Both failure reasons (out_of_stock, unknown_sku) mean the order cannot be fulfilled;
  // the cancellation reasons have one value for that.
  return order.status === 'PENDING' ? cancel(next, 'out_of_stock') : applied(next);
}

function onInventoryReleased(order: Order, reservationId: string): Decision {
  const { inventory, reservationId: known } = order.saga;
  if (known !== reservationId) {
    return ignored('contradicts_order', `release of ${reservationId}, order has ${known}`);
  }
  if (inventory === 'RELEASED') {
    return ignored('duplicate', `reservation ${reservationId} already released`);
  }
  if (inventory !== 'RELEASE_REQUESTED') {
    return ignored(
      'contradicts_order',
      `reservation ${reservationId} released but never asked (${inventory})`,
    );
  }
  return applied({ ...order, saga: { ...order.saga, inventory: 'RELEASED' } });
}

// ---- Outcomes ------------------------------------------------------------------------

/** A pending order with both a payment and a reservation is confirmed. */
function confirmIfReady(order: Order): Decision {
  const { payment, inventory } = order.saga;
  if (order.status !== 'PENDING' || payment !== 'COMPLETED' || inventory !== 'RESERVED') {
    return applied(order);
  }
  return applied({ ...order, status: 'CONFIRMED' }, [
    { type: 'OrderConfirmed', data: { ...customerFields(order) } },
  ]);
}

/**
 * Cancels a pending or confirmed order: OrderCancelled, then a refund request if the order
 * holds a payment and a release request if it holds a reservation.
 */
function cancel(order: Order, reason: CancellationReason, note?: string): Decision {
  const emit: Emitted[] = [{ type: 'OrderCancelled', data: { ...customerFields(order), reason } }];
  let saga = order.saga;
  if (saga.payment === 'COMPLETED') {
    emit.push({
      type: 'PaymentRefundRequested',
      data: {
        paymentId: required(saga.paymentId, 'paymentId of a COMPLETED payment'),
        amount: order.total,
        currency: order.currency,
        reason,
      },
    });
    saga = { ...saga, payment: 'REFUND_REQUESTED' };
  }
  if (saga.inventory === 'RESERVED') {
    const reservationId = required(saga.reservationId, 'reservationId of a RESERVED inventory');
    emit.push(releaseRequest(order, reservationId, reason));
    saga = { ...saga, inventory: 'RELEASE_REQUESTED' };
  }
  const trimmed = note?.trim();
  return applied(
    {
      ...order,
      status: 'CANCELLED',
      cancellationReason: reason,
      ...(trimmed ? { cancellationNote: trimmed } : {}),
      saga,
    },
    emit,
  );
}

function releaseRequest(order: Order, reservationId: string, reason: CancellationReason): Emitted {
  // The reservation was made for the order's lines (PaymentCompleted carries them), so the
  // order's lines, summed per SKU, are what the reservation holds.
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of order.items) {
    quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  }
  const items = [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
  return { type: 'InventoryReleaseRequested', data: { reservationId, items, reason } };
}

function customerFields(order: Order) {
  return {
    customerId: order.customerId,
    ...(order.customerEmail !== undefined ? { customerEmail: order.customerEmail } : {}),
    currency: order.currency,
    total: order.total,
  };
}

function cancellationReasonOf(order: Order): CancellationReason {
  return required(order.cancellationReason, 'cancellationReason of a CANCELLED order');
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Corrupt order: missing ${what}`);
  return value;
}
