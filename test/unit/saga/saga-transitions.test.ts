import type { Order } from '../../../lambdas/orders/domain/order.ts';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  applySagaInput,
  isFinal,
  isSettled,
  type SagaInput,
} from '../../../lambdas/orders/domain/saga.ts';
import { at, inputs, newOrder, play } from './fixtures.ts';
import { expectConsistentOrder, expectLawfulTransition } from './invariants.ts';

/**
 * Every pair, exhaustively: explores every order state reachable from a new order with a
 * finite alphabet of inputs (each fact with its expected id and with a conflicting one, the
 * timer, a customer cancel), and checks every input from every reachable state. Because
 * every input is tried from every state, every ordering of inputs is covered.
 */

const alphabet: SagaInput[] = [
  inputs.paymentCompleted('pay-1'),
  inputs.paymentCompleted('pay-2'),
  inputs.paymentFailed(),
  inputs.paymentRefunded('pay-1'),
  inputs.paymentRefunded('pay-2'),
  inputs.inventoryReserved('res-1'),
  inputs.inventoryReserved('res-2'),
  inputs.inventoryFailed(),
  inputs.inventoryReleased('res-1'),
  inputs.inventoryReleased('res-2'),
  inputs.timedOut(),
  inputs.cancelRequested('changed my mind'),
];

/** The part of an order the saga decides; orders equal on it behave the same. */
const stateKey = (o: Order) =>
  JSON.stringify([o.status, o.cancellationReason, o.cancellationNote, o.saga]);

interface Step {
  before: Order;
  input: SagaInput;
  result: ReturnType<typeof applySagaInput>;
}

function explore(): { states: Order[]; steps: Step[] } {
  const seen = new Map<string, Order>();
  const steps: Step[] = [];
  const queue: Order[] = [newOrder()];
  seen.set(stateKey(queue[0]!), queue[0]!);
  while (queue.length > 0) {
    const before = queue.shift()!;
    for (const input of alphabet) {
      const result = applySagaInput(before, input, at(before.version));
      steps.push({ before, input, result });
      const key = stateKey(result.order);
      if (!seen.has(key)) {
        seen.set(key, result.order);
        queue.push(result.order);
      }
    }
  }
  return { states: [...seen.values()], steps };
}

describe('applySagaInput over every reachable state', () => {
  let states: Order[];
  let steps: Step[];
  beforeAll(() => {
    ({ states, steps } = explore());
  });

  it('reaches every kind of ending, so the exploration means something', () => {
    const endings = new Set(states.map((o) => `${o.status}:${o.cancellationReason ?? ''}`));
    expect([...endings].sort()).toEqual(
      [
        'PENDING:',
        'CONFIRMED:',
        'CANCELLED:payment_failed',
        'CANCELLED:out_of_stock',
        'CANCELLED:timeout',
        'CANCELLED:customer_request',
      ].sort(),
    );
    expect(states.some(isSettled)).toBe(true);
    expect(states.some((o) => o.status === 'CANCELLED' && !isSettled(o))).toBe(true);
  });

  it('keeps every invariant on every transition, and a repeated input is a no-op', () => {
    for (const state of states) expectConsistentOrder(state);
    for (const { before, input, result } of steps) {
      expectLawfulTransition(before, input, result, at(before.version));
    }
  });

  it('rejects exactly a cancel of an already cancelled order', () => {
    for (const { before, input, result } of steps) {
      const expected = input.kind === 'CancelRequested' && before.status === 'CANCELLED';
      expect([input.kind, before.status, result.outcome === 'rejected']).toEqual([
        input.kind,
        before.status,
        expected,
      ]);
    }
  });

  it('applies the timer exactly when the order is not final', () => {
    for (const { before, input, result } of steps.filter((s) => s.input.kind === 'SagaTimedOut')) {
      expect([before.status, input.kind, result.outcome]).toEqual([
        before.status,
        input.kind,
        isFinal(before) ? 'ignored' : 'applied',
      ]);
    }
  });

  it('settles every cancelled order once the compensations it requested are delivered', () => {
    for (const state of states.filter((o) => o.status === 'CANCELLED')) {
      const deliveries: SagaInput[] = [];
      if (state.saga.payment === 'REFUND_REQUESTED') {
        deliveries.push(inputs.paymentRefunded(state.saga.paymentId));
      }
      if (state.saga.inventory === 'RELEASE_REQUESTED') {
        deliveries.push(inputs.inventoryReleased(state.saga.reservationId));
      }
      const { order } = play(state, ...deliveries);
      expect([stateKey(state), isSettled(order)]).toEqual([stateKey(state), true]);
    }
  });
});
