import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chargePayment } from '../../../lambdas/payments/use-cases/charge-payment.ts';
import { refundPayment } from '../../../lambdas/payments/use-cases/refund-payment.ts';
import {
  FakeClock,
  FakePaymentStore,
  orderCreated,
  ORDER_ID,
  refundRequested,
  sequentialIds,
} from './fakes.ts';

/** One delivery to the payment service, after `waitSeconds` have passed. */
type Delivery =
  | { kind: 'charge'; eventId: 'created-a' | 'created-b'; waitSeconds: number }
  | {
      kind: 'refund';
      eventId: 'refund-1' | 'refund-2';
      /** Ask for the order's real payment, or for one that does not exist. */
      target: 'real' | 'bogus';
      waitSeconds: number;
    };

const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  fc.record({
    kind: fc.constant('charge' as const),
    eventId: fc.constantFrom('created-a' as const, 'created-b' as const),
    waitSeconds: fc.integer({ min: 0, max: 90 }),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    eventId: fc.constantFrom('refund-1' as const, 'refund-2' as const),
    target: fc.constantFrom('real' as const, 'bogus' as const),
    waitSeconds: fc.integer({ min: 0, max: 90 }),
  }),
);

describe('payment service under any sequence of duplicated and reordered deliveries', () => {
  it('charges an order at most once, refunds at most once and numbers its events 1, 2, …', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          undefined,
          'tok_visa',
          'tok_declined',
          'tok_insufficient_funds',
          'tok_slow',
        ),
        fc.constantFrom(0, 0.5, 1),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.array(delivery, { minLength: 1, maxLength: 15 }),
        async (paymentToken, failureRate, draw, deliveries) => {
          const store = new FakePaymentStore();
          const clock = new FakeClock();
          const deps = {
            store,
            now: clock.now,
            newId: sequentialIds(),
            random: () => draw,
            failureRate,
            slowPaymentSeconds: 120,
            sleep: () => Promise.resolve(),
          };
          let pendings = 0;
          let chargeDelivered = false;
          for (const next of deliveries) {
            clock.advanceSeconds(next.waitSeconds);
            if (next.kind === 'charge') {
              chargeDelivered = true;
              const result = await chargePayment(
                orderCreated({ eventId: next.eventId, paymentToken }),
                deps,
              );
              if (result.kind === 'pending') pendings += 1;
            } else {
              const paymentId =
                next.target === 'real'
                  ? (store.payments.get(ORDER_ID)?.paymentId ?? 'not-yet')
                  : 'pay-bogus';
              await refundPayment(refundRequested(paymentId, { eventId: next.eventId }), deps);
            }
          }

          const payment = store.payments.get(ORDER_ID);
          const types = store.outbox.map((event) => event.type);
          const charges = types.filter((t) => t === 'PaymentCompleted' || t === 'PaymentFailed');
          const refunds = types.filter((t) => t === 'PaymentRefunded');

          expect(store.payments.size).toBe(chargeDelivered ? 1 : 0);
          expect(charges.length).toBeLessThanOrEqual(1);
          expect(refunds.length).toBeLessThanOrEqual(1);
          // A refund follows a completed charge, of that payment, by this event's successor.
          if (refunds.length === 1) {
            expect(types).toEqual(['PaymentCompleted', 'PaymentRefunded']);
            expect(store.outbox[1]!.data).toMatchObject({ paymentId: payment!.paymentId });
          }
          expect(store.outbox.map((event) => event.sequence)).toEqual(
            store.outbox.map((_, index) => index + 1),
          );
          expect(payment?.sequence ?? 0).toBe(store.outbox.length);
          // Only a slow charge waits; and it has announced nothing while it waits.
          if (paymentToken !== 'tok_slow') expect(pendings).toBe(0);
          if (payment?.status === 'PROCESSING') expect(store.outbox).toHaveLength(0);
          else if (payment) expect(charges).toHaveLength(1);
          // The explicit decline tokens always fail.
          if (paymentToken === 'tok_declined' || paymentToken === 'tok_insufficient_funds')
            expect(types).toEqual(charges.length ? ['PaymentFailed'] : []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
