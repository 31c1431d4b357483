import { describe, expect, it } from '@jest/globals';
import type { Payment } from '../../../lambdas/payments/domain/payment.ts';
import {
  refundPayment,
  type RefundPaymentDeps,
} from '../../../lambdas/payments/use-cases/refund-payment.ts';
import { FakeClock, FakePaymentStore, ORDER_ID, refundRequested, sequentialIds } from './fakes.ts';

const completed: Payment = {
  paymentId: 'pay-1',
  orderId: ORDER_ID,
  amount: 2500,
  currency: 'USD',
  items: [{ sku: 'SKU-A', quantity: 2 }],
  status: 'COMPLETED',
  chargeEventId: 'evt-created-1',
  createdAt: '2026-11-23T09:59:59.000Z',
  updatedAt: '2026-11-23T09:59:59.000Z',
  completedAt: '2026-11-23T09:59:59.000Z',
  sequence: 1,
};

function setup(payment?: Payment) {
  const store = new FakePaymentStore();
  if (payment) store.payments.set(payment.orderId, payment);
  const clock = new FakeClock();
  const deps: RefundPaymentDeps = {
    store,
    now: clock.now,
    newId: sequentialIds('evt'),
    sleep: () => Promise.resolve(),
  };
  return { store, deps };
}

describe('refundPayment', () => {
  it('refunds a completed payment: REFUNDED and PaymentRefunded in one commit', async () => {
    const { store, deps } = setup(completed);
    const request = refundRequested('pay-1');
    const result = await refundPayment(request, deps);

    expect(result).toMatchObject({ kind: 'refunded', payment: { status: 'REFUNDED' } });
    expect(result).not.toHaveProperty('mismatch');
    expect(store.commits).toEqual([
      expect.objectContaining({
        payment: expect.objectContaining({ expected: 'COMPLETED' }) as unknown,
      }),
    ]);
    expect(store.payments.get(ORDER_ID)).toMatchObject({
      status: 'REFUNDED',
      refundedAt: '2026-11-23T10:00:00.000Z',
      sequence: 2,
    });
    expect(store.outbox).toEqual([
      expect.objectContaining({
        type: 'PaymentRefunded',
        eventId: 'evt-1',
        correlationId: request.correlationId,
        causationId: request.eventId,
        sequence: 2,
        data: { paymentId: 'pay-1', amount: 2500, currency: 'USD' },
      }),
    ]);
  });

  it('refunds once when the same request is delivered again', async () => {
    const { store, deps } = setup(completed);
    const request = refundRequested('pay-1');
    await refundPayment(request, deps);
    const again = await refundPayment(request, deps);
    expect(again).toMatchObject({ kind: 'duplicate' });
    expect(store.outbox).toHaveLength(1);
    expect(store.commits).toHaveLength(1);
  });

  it('acknowledges a second request for an already refunded payment without effect', async () => {
    const { store, deps } = setup(completed);
    await refundPayment(refundRequested('pay-1', { eventId: 'evt-r1' }), deps);
    const second = await refundPayment(refundRequested('pay-1', { eventId: 'evt-r2' }), deps);
    expect(second).toEqual({ kind: 'duplicate', reason: 'already-refunded' });
    expect(store.outbox).toHaveLength(1);
    expect(store.commits).toHaveLength(1);
  });

  it('acknowledges a delivery that loses the race to a concurrent refund', async () => {
    const { store, deps } = setup(completed);
    store.beforeCommit = () => {
      store.payments.set(ORDER_ID, { ...completed, status: 'REFUNDED', sequence: 2 });
    };
    const result = await refundPayment(refundRequested('pay-1', { eventId: 'evt-late' }), deps);
    expect(result).toEqual({ kind: 'duplicate', reason: 'already-refunded' });
    expect(store.outbox).toHaveLength(0);
  });

  it('ignores a request for an order without a payment, writing nothing, however often delivered', async () => {
    const { store, deps } = setup();
    const request = refundRequested('pay-unknown');
    const result = await refundPayment(request, deps);
    expect(result).toMatchObject({ kind: 'ignored', reason: 'unknown-payment' });
    expect(await refundPayment(request, deps)).toMatchObject({
      kind: 'ignored',
      reason: 'unknown-payment',
    });
    expect(store.commits).toHaveLength(0);
    expect(store.outbox).toHaveLength(0);
  });

  it('ignores a request for another paymentId than the order has, leaving the payment as it is', async () => {
    const { store, deps } = setup(completed);
    const result = await refundPayment(refundRequested('pay-other'), deps);
    expect(result).toMatchObject({ kind: 'ignored', reason: 'unknown-payment' });
    expect(result).toMatchObject({ detail: expect.stringContaining('pay-other') as unknown });
    expect(store.payments.get(ORDER_ID)?.status).toBe('COMPLETED');
    expect(store.outbox).toHaveLength(0);
  });

  it('ignores a request for a failed payment: nothing was charged', async () => {
    const { store, deps } = setup({
      ...completed,
      status: 'FAILED',
      failureReason: 'card_declined',
    });
    expect(await refundPayment(refundRequested('pay-1'), deps)).toMatchObject({
      kind: 'ignored',
      reason: 'unknown-payment',
    });
    expect(store.outbox).toHaveLength(0);
  });

  it('ignores a request for a voided payment: nothing was charged', async () => {
    const { store, deps } = setup({ ...completed, status: 'VOIDED', voidReason: 'cancelled' });
    expect(await refundPayment(refundRequested('pay-1'), deps)).toMatchObject({
      kind: 'ignored',
      reason: 'unknown-payment',
      detail: expect.stringContaining('voided') as unknown,
    });
    expect(store.commits).toHaveLength(0);
    expect(store.payments.get(ORDER_ID)?.status).toBe('VOIDED');
  });

  it('ignores a request for a payment still processing, writing nothing', async () => {
    const { store, deps } = setup({
      ...completed,
      status: 'PROCESSING',
      settlesAt: '2026-11-23T10:02:00.000Z',
      sequence: 0,
    });
    expect(await refundPayment(refundRequested('pay-1'), deps)).toMatchObject({
      kind: 'ignored',
      reason: 'still-processing',
    });
    expect(store.commits).toHaveLength(0);
  });

  it('refunds what was charged and reports a request that disagrees with the payment', async () => {
    const { store, deps } = setup(completed);
    const result = await refundPayment(refundRequested('pay-1', { amount: 999 }), deps);
    expect(result).toMatchObject({
      kind: 'refunded',
      mismatch: 'requested 999 USD, charged 2500 USD',
    });
    expect(store.outbox[0]).toMatchObject({ data: { amount: 2500 } });
  });

  it('reports a request in another currency than the payment, even for the same amount', async () => {
    const { store, deps } = setup(completed);
    const result = await refundPayment(refundRequested('pay-1', { currency: 'EUR' }), deps);
    expect(result).toMatchObject({
      kind: 'refunded',
      mismatch: 'requested 2500 EUR, charged 2500 USD',
    });
    expect(store.outbox[0]).toMatchObject({ data: { amount: 2500, currency: 'USD' } });
  });

  it('retries a conflicting refund and refunds once', async () => {
    const { store, deps } = setup(completed);
    store.conflictsAhead = 2;
    expect(await refundPayment(refundRequested('pay-1'), deps)).toMatchObject({ kind: 'refunded' });
    expect(store.outbox).toHaveLength(1);
  });
});
