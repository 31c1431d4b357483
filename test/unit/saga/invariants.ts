import type { InventoryState, Order, PaymentState } from '../../../lambdas/orders/domain/order.ts';
import {
  applySagaInput,
  toEmittedEnvelopes,
  type SagaInput,
  type SagaResult,
} from '../../../lambdas/orders/domain/saga.ts';

/**
 * The saga's invariants as assertions, shared by the exhaustive transition test and the
 * property-based tests. Each throws an Error naming the broken rule and the state that
 * broke it, which fast-check then shrinks to a minimal counterexample.
 */

export function ensure(condition: boolean, rule: string, context: unknown): void {
  if (!condition) throw new Error(`Broken: ${rule}\n${JSON.stringify(context, null, 2)}`);
}

// How far a progress state is along its one-way path; FAILED and COMPLETED are both
// "the service answered", and a refund/release can only follow an answer.
const paymentRank: Record<PaymentState, number> = {
  NONE: 0,
  COMPLETED: 1,
  FAILED: 1,
  REFUND_REQUESTED: 2,
  REFUNDED: 3,
};
const inventoryRank: Record<InventoryState, number> = {
  NONE: 0,
  RESERVED: 1,
  FAILED: 1,
  RELEASE_REQUESTED: 2,
  RELEASED: 3,
};

/** What must hold of any order the saga can produce. */
export function expectConsistentOrder(order: Order): void {
  const { status, saga, cancellationReason } = order;
  const context = { status, cancellationReason, saga };
  if (status === 'CONFIRMED') {
    ensure(
      saga.payment === 'COMPLETED' && saga.inventory === 'RESERVED',
      'a confirmed order has a completed payment and a reservation',
      context,
    );
  }
  if (status === 'CANCELLED') {
    ensure(
      saga.payment !== 'COMPLETED' && saga.inventory !== 'RESERVED',
      'a cancelled order never keeps money or stock: compensation is requested at once',
      context,
    );
  }
  if (status === 'PENDING') {
    ensure(
      ['NONE', 'COMPLETED'].includes(saga.payment) && ['NONE', 'RESERVED'].includes(saga.inventory),
      'a pending order has seen no failure and requested no compensation',
      context,
    );
  }
  ensure(
    (status === 'CANCELLED') === (cancellationReason !== undefined),
    'exactly a cancelled order has a cancellation reason',
    context,
  );
  ensure(
    (saga.paymentId !== undefined) ===
      ['COMPLETED', 'REFUND_REQUESTED', 'REFUNDED'].includes(saga.payment),
    'the paymentId is known exactly when there was a payment',
    context,
  );
  ensure(
    (saga.reservationId !== undefined) ===
      ['RESERVED', 'RELEASE_REQUESTED', 'RELEASED'].includes(saga.inventory),
    'the reservationId is known exactly when there was a reservation',
    context,
  );
}

/**
 * What must hold of one transition, `before` + `input` → `result` at `now`: bookkeeping,
 * one-way progress, events emitted exactly on the state changes they announce, final
 * states staying final, and the same input applied again being a no-op.
 */
export function expectLawfulTransition(
  before: Order,
  input: SagaInput,
  result: SagaResult,
  now: string,
): void {
  const types = result.emit.map((e) => e.type);
  const context = {
    input,
    outcome: result.outcome,
    before: { status: before.status, saga: before.saga },
    after: { status: result.order.status, saga: result.order.saga },
    emitted: types,
  };
  if (result.outcome !== 'applied') {
    ensure(
      result.order === before && result.emit.length === 0,
      'an input that is not applied changes nothing and emits nothing',
      context,
    );
    return;
  }
  const after = result.order;
  const count = (type: string) => types.filter((t) => t === type).length;

  ensure(
    after.version === before.version + 1 &&
      after.updatedAt === now &&
      after.sequence === before.sequence + result.emit.length,
    'an applied input bumps version, stamps updatedAt, and advances sequence by the events emitted',
    {
      ...context,
      versions: [before.version, after.version],
      sequences: [before.sequence, after.sequence],
    },
  );
  const identity = (o: Order) =>
    JSON.stringify([o.orderId, o.customerId, o.items, o.total, o.currency, o.createdAt]);
  ensure(identity(after) === identity(before), 'the saga never changes what was ordered', context);

  const { payment: p0, inventory: i0 } = before.saga;
  const { payment: p1, inventory: i1 } = after.saga;
  ensure(
    (p1 === p0 || paymentRank[p1] > paymentRank[p0]) &&
      (i1 === i0 || inventoryRank[i1] > inventoryRank[i0]),
    'payment and inventory progress only move forward',
    context,
  );
  ensure(
    (before.saga.paymentId === undefined || after.saga.paymentId === before.saga.paymentId) &&
      (before.saga.reservationId === undefined ||
        after.saga.reservationId === before.saga.reservationId),
    'a paymentId or reservationId, once learnt, never changes',
    context,
  );

  const enteredRefund = p0 !== 'REFUND_REQUESTED' && p1 === 'REFUND_REQUESTED';
  const enteredRelease = i0 !== 'RELEASE_REQUESTED' && i1 === 'RELEASE_REQUESTED';
  ensure(
    count('PaymentRefundRequested') === (enteredRefund ? 1 : 0) &&
      count('InventoryReleaseRequested') === (enteredRelease ? 1 : 0),
    'a refund (release) is requested exactly when entering REFUND_REQUESTED (RELEASE_REQUESTED)',
    context,
  );
  for (const event of result.emit) {
    if (event.type === 'PaymentRefundRequested') {
      ensure(event.data.paymentId === after.saga.paymentId, 'refunds the known payment', context);
    }
    if (event.type === 'InventoryReleaseRequested') {
      ensure(
        event.data.reservationId === after.saga.reservationId,
        'releases the known reservation',
        context,
      );
    }
  }

  const becameConfirmed = before.status !== 'CONFIRMED' && after.status === 'CONFIRMED';
  const becameCancelled = before.status !== 'CANCELLED' && after.status === 'CANCELLED';
  ensure(
    count('OrderConfirmed') === (becameConfirmed ? 1 : 0) &&
      count('OrderCancelled') === (becameCancelled ? 1 : 0),
    'OrderConfirmed / OrderCancelled are emitted exactly when the status changes to it',
    context,
  );

  ensure(
    before.status !== 'CANCELLED' ||
      (after.status === 'CANCELLED' && after.cancellationReason === before.cancellationReason),
    'a cancelled order stays cancelled, for the same reason',
    context,
  );
  ensure(
    before.status !== 'CONFIRMED' ||
      after.status === 'CONFIRMED' ||
      (after.status === 'CANCELLED' && input.kind === 'CancelRequested'),
    'a confirmed order only becomes cancelled, and only by a customer cancel',
    context,
  );
  ensure(
    after.status !== 'PENDING' || before.status === 'PENDING',
    'no order goes back to pending',
    context,
  );

  // Throws if an emitted event does not satisfy its contract.
  let id = 0;
  const envelopes = toEmittedEnvelopes(before, result.emit, {
    occurredAt: now,
    causationId: 'cause',
    newEventId: () => `evt-${++id}`,
  });
  ensure(
    (envelopes.at(-1)?.sequence ?? before.sequence) === after.sequence,
    'the last emitted envelope carries the order’s new sequence',
    context,
  );

  expectConsistentOrder(after);

  const again = applySagaInput(after, input, now);
  ensure(
    again.outcome !== 'applied' && again.order === after && again.emit.length === 0,
    'the same input applied again changes nothing',
    { ...context, again: again.outcome },
  );
}
