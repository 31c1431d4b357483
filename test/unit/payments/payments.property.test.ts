import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chargePayment } from '../../../lambdas/payments/use-cases/charge-payment.ts';
import { refundPayment } from '../../../lambdas/payments/use-cases/refund-payment.ts';
import { voidPayment } from '../../../lambdas/payments/use-cases/void-payment.ts';
import {
  DEADLINE,
  FakeClock,
  FakePaymentStore,
  orderCancelled,
  orderCreated,
  ORDER_ID,
  refundRequested,
  sequentialIds,
} from './fakes.ts';

/** One delivery to the payment service, after `waitSeconds` have passed. */
type Delivery =
  | { kind: 'charge'; eventId: 'created-a' | 'created-b'; waitSeconds: number }
  | { kind: 'cancel'; eventId: 'cancelled-1' | 'cancelled-2'; waitSeconds: number }
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
    waitSeconds: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('cancel' as const),
    eventId: fc.constantFrom('cancelled-1' as const, 'cancelled-2' as const),
    waitSeconds: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    eventId: fc.constantFrom('refund-1' as const, 'refund-2' as const),
    target: fc.constantFrom('real' as const, 'bogus' as const),
    waitSeconds: fc.integer({ min: 0, max: 40 }),
  }),
);

describe('payment service under any sequence of duplicated and reordered deliveries', () => {
  it('charges an order at most once, never after a cancel or its deadline, refunds at most once and numbers its events 1, 2, …', async () => {
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
        // A slow charge settling before the order's 90 s deadline, or after it.
        fc.constantFrom(30, 120),
        fc.array(delivery, { minLength: 1, maxLength: 15 }),
        async (paymentToken, failureRate, draw, slowPaymentSeconds, deliveries) => {
          const store = new FakePaymentStore();
          const clock = new FakeClock();
          const deps = {
            store,
            now: clock.now,
            newId: sequentialIds(),
            random: () => draw,
            failureRate,
            slowPaymentSeconds,
            sleep: () => Promise.resolve(),
          };
          const isCharge = (type: string) =>
            type === 'PaymentCompleted' || type === 'PaymentFailed';
          let pendings = 0;
          let delivered = false;
          /** Charge events announced when the first cancel was applied. */
          let chargesAtCancel: number | undefined;
          for (const next of deliveries) {
            clock.advanceSeconds(next.waitSeconds);
            if (next.kind === 'cancel') {
              delivered = true;
              await voidPayment(orderCancelled({ eventId: next.eventId }), deps);
              chargesAtCancel ??= store.outbox.filter((event) => isCharge(event.type)).length;
            } else if (next.kind === 'charge') {
              delivered = true;
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
          const charges = types.filter(isCharge);
          const refunds = types.filter((t) => t === 'PaymentRefunded');

          expect(store.payments.size).toBe(delivered ? 1 : 0);
          expect(charges.length).toBeLessThanOrEqual(1);
          // Nothing is charged once the order is cancelled or its deadline has passed.
          if (chargesAtCancel !== undefined) expect(charges).toHaveLength(chargesAtCancel);
          for (const event of store.outbox.filter((e) => isCharge(e.type)))
            expect(Date.parse(event.occurredAt)).toBeLessThan(Date.parse(DEADLINE));
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
          // A payment still processing, or voided (it never settled), announced nothing.
          if (payment?.status === 'PROCESSING' || payment?.status === 'VOIDED')
            expect(store.outbox).toHaveLength(0);
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
