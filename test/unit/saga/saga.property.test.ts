import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  applySagaInput,
  isFinal,
  isSettled,
  type Emitted,
  type SagaInput,
} from '../../../lambdas/orders/domain/saga.ts';
import type { CancellationReason } from '../../../events/index.ts';
import type { Order, OrderStatus } from '../../../lambdas/orders/domain/order.ts';
import { at, inputs, newOrder } from './fixtures.ts';
import { ensure, expectLawfulTransition } from './invariants.ts';

/**
 * Property-based tests: the order service against simple simulators of the payment and
 * inventory services, over a network that delivers their events in any order and any
 * number of times, with the saga timer and customer cancels at any point.
 */

/** What the payment service does with the order, and what inventory then does. */
type PaymentBehaviour = 'completes' | 'declines' | 'silent';
type InventoryBehaviour = 'reserves' | 'fails' | 'silent';

type Step =
  /** Deliver one in-flight event (chosen by `pick`); keep a copy to redeliver later if asked. */
  | { kind: 'deliver'; pick: number; redeliverLater: boolean }
  | { kind: 'timer' }
  | { kind: 'cancel' };

interface Scenario {
  payment: PaymentBehaviour;
  inventory: InventoryBehaviour;
  steps: Step[];
}

const PAYMENT_ID = 'pay-1';
const RESERVATION_ID = 'res-1';

/**
 * One order's world. The simulators keep the truth the saga must respect: whether the
 * customer's money is held (`charged`) and whether stock is held (`reserved`).
 */
class World {
  order: Order = newOrder();
  /** Events on their way to the order service; delivery order is up to the scenario. */
  readonly inFlight: SagaInput[] = [];
  readonly emitted: Emitted[] = [];
  readonly statuses: OrderStatus[] = [this.order.status];
  charged = false;
  reserved = false;
  private clock = 0;

  constructor(payment: PaymentBehaviour, inventory: InventoryBehaviour) {
    // The payment service reacts to OrderCreated; inventory reacts to PaymentCompleted on
    // its own queue, so its answer can reach the order service before the payment does.
    if (payment === 'declines') this.inFlight.push(inputs.paymentFailed());
    if (payment === 'completes') {
      this.charged = true;
      this.inFlight.push(inputs.paymentCompleted(PAYMENT_ID, this.order.total));
      if (inventory === 'reserves') {
        this.reserved = true;
        this.inFlight.push(inputs.inventoryReserved(RESERVATION_ID));
      }
      if (inventory === 'fails') this.inFlight.push(inputs.inventoryFailed());
    }
  }

  /** The order service handling one input, checked against the per-transition laws. */
  apply(input: SagaInput): void {
    const before = this.order;
    const now = at(++this.clock);
    const result = applySagaInput(before, input, now);
    expectLawfulTransition(before, input, result, now);
    this.order = result.order;
    this.statuses.push(this.order.status);
    for (const event of result.emit) this.publish(event);
  }

  deliver(pick: number, redeliverLater: boolean): void {
    if (this.inFlight.length === 0) return;
    const index = pick % this.inFlight.length;
    const input = this.inFlight[index]!;
    if (!redeliverLater) this.inFlight.splice(index, 1);
    this.apply(input);
  }

  /** Eventually everything in flight is delivered, and the timer always fires. */
  drain(): void {
    const deliverAll = () => {
      while (this.inFlight.length > 0) this.deliver(0, false);
    };
    deliverAll();
    this.apply(inputs.timedOut());
    deliverAll();
  }

  /** The other services honour compensation requests and report back, asynchronously. */
  private publish(event: Emitted): void {
    this.emitted.push(event);
    const context = { event, charged: this.charged, reserved: this.reserved };
    if (event.type === 'PaymentRefundRequested') {
      ensure(
        this.charged &&
          event.data.paymentId === PAYMENT_ID &&
          event.data.amount === this.order.total,
        'a refund is asked only for money held, in full',
        context,
      );
      this.charged = false;
      this.inFlight.push(inputs.paymentRefunded(event.data.paymentId));
    }
    if (event.type === 'InventoryReleaseRequested') {
      ensure(
        this.reserved && event.data.reservationId === RESERVATION_ID,
        'a release is asked only for stock held',
        context,
      );
      this.reserved = false;
      this.inFlight.push(inputs.inventoryReleased(event.data.reservationId));
    }
  }

  count(type: Emitted['type']): number {
    return this.emitted.filter((e) => e.type === type).length;
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      pick: fc.nat(),
      redeliverLater: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'timer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
);

const scenarioArb = (steps: fc.Arbitrary<Step>): fc.Arbitrary<Scenario> =>
  fc.record({
    payment: fc.constantFrom<PaymentBehaviour>('completes', 'declines', 'silent'),
    inventory: fc.constantFrom<InventoryBehaviour>('reserves', 'fails', 'silent'),
    // size 'max': lengths spread up to maxLength (the default keeps arrays under ~10).
    steps: fc.array(steps, { maxLength: 40, size: 'max' }),
  });

function run(scenario: Scenario): World {
  const world = new World(scenario.payment, scenario.inventory);
  for (const step of scenario.steps) {
    if (step.kind === 'deliver') world.deliver(step.pick, step.redeliverLater);
    if (step.kind === 'timer') world.apply(inputs.timedOut());
    if (step.kind === 'cancel') world.apply(inputs.cancelRequested('changed my mind'));
  }
  world.drain();
  return world;
}

// Enough runs to hit the rare interleavings; each run is a few dozen pure transitions.
const RUNS = { numRuns: 2000 };

describe('the order saga against simulated services (property-based)', () => {
  it('never loses money or stock, whatever the order, duplicates, timer and cancels', () => {
    fc.assert(
      fc.property(scenarioArb(stepArb), (scenario) => {
        const world = run(scenario);
        const { order } = world;
        const context = { scenario, status: order.status, saga: order.saga, world };

        ensure(isFinal(order), 'once the timer has fired the order is final', context);
        if (order.status === 'CONFIRMED') {
          ensure(
            world.charged && world.reserved,
            'a confirmed order is paid and its stock held',
            context,
          );
        } else {
          ensure(
            !world.charged && !world.reserved && isSettled(order),
            'a cancelled order, once its compensations are delivered, keeps no money and no stock',
            context,
          );
        }

        ensure(
          world.count('OrderConfirmed') <= 1 &&
            world.count('OrderCancelled') <= 1 &&
            world.count('PaymentRefundRequested') <= 1 &&
            world.count('InventoryReleaseRequested') <= 1,
          'each status event and each compensation is emitted at most once',
          context,
        );
        ensure(
          world.count('OrderCancelled') === (order.status === 'CANCELLED' ? 1 : 0) &&
            world.count('OrderConfirmed') === (world.statuses.includes('CONFIRMED') ? 1 : 0),
          'the status events tell the order’s story exactly',
          context,
        );
        ensure(
          order.sequence === newOrder().sequence + world.emitted.length,
          'the order’s sequence counts every event it emitted',
          context,
        );
        const cancelledEvent = world.emitted.find((e) => e.type === 'OrderCancelled');
        if (cancelledEvent?.type === 'OrderCancelled') {
          ensure(
            cancelledEvent.data.reason === order.cancellationReason,
            'OrderCancelled carries the order’s cancellation reason',
            context,
          );
        }
      }),
      RUNS,
    );
  });

  it('decides from the facts alone when neither the timer nor the customer interferes', () => {
    const expectedEnding = (s: Scenario): [OrderStatus, CancellationReason?] => {
      if (s.payment === 'declines') return ['CANCELLED', 'payment_failed'];
      if (s.payment === 'silent') return ['CANCELLED', 'timeout'];
      if (s.inventory === 'reserves') return ['CONFIRMED'];
      return ['CANCELLED', s.inventory === 'fails' ? 'out_of_stock' : 'timeout'];
    };
    const deliveriesOnly = stepArb.filter((step) => step.kind === 'deliver');
    fc.assert(
      fc.property(scenarioArb(deliveriesOnly), (scenario) => {
        const { order } = run(scenario);
        const ending: [OrderStatus, CancellationReason?] =
          order.cancellationReason === undefined
            ? [order.status]
            : [order.status, order.cancellationReason];
        expect(ending).toEqual(expectedEnding(scenario));
      }),
      RUNS,
    );
  });

  it('treats the same input applied twice in a row as a no-op the second time', () => {
    const anyInput = fc.constantFrom<SagaInput>(
      inputs.paymentCompleted(),
      inputs.paymentFailed(),
      inputs.paymentRefunded(),
      inputs.inventoryReserved(),
      inputs.inventoryFailed(),
      inputs.inventoryReleased(),
      inputs.timedOut(),
      inputs.cancelRequested(),
    );
    fc.assert(
      fc.property(
        fc.array(anyInput, { maxLength: 16, size: 'max' }),
        anyInput,
        (history, input) => {
          let order: Order = newOrder();
          history.forEach((h, i) => (order = applySagaInput(order, h, at(i + 1)).order));
          const once = applySagaInput(order, input, at(100));
          const twice = applySagaInput(once.order, input, at(101));
          expect(twice.outcome).not.toBe('applied');
          expect(twice.order).toBe(once.order);
          expect(twice.emit).toEqual([]);
        },
      ),
      RUNS,
    );
  });
});
