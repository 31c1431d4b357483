import { describe, expect, it } from '@jest/globals';
import type { Payment } from '../../../lambdas/payments/domain/payment.ts';
import { chargePayment } from '../../../lambdas/payments/use-cases/charge-payment.ts';
import { PaymentContentionError } from '../../../lambdas/payments/use-cases/retry.ts';
import { voidPayment } from '../../../lambdas/payments/use-cases/void-payment.ts';
import {
  FakeClock,
  FakePaymentStore,
  orderCancelled,
  orderCreated,
  ORDER_ID,
  sequentialIds,
} from './fakes.ts';

function setup(options: { slowPaymentSeconds?: number; maxAttempts?: number } = {}) {
  const store = new FakePaymentStore();
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const deps = {
    store,
    now: clock.now,
    newId: sequentialIds(),
    random: () => 0.5,
    failureRate: 0,
    slowPaymentSeconds: options.slowPaymentSeconds ?? 120,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  return { store, clock, deps, sleeps };
}

const processing: Payment = {
  paymentId: 'pay-1',
  orderId: ORDER_ID,
  amount: 2500,
  currency: 'USD',
  items: [{ sku: 'SKU-A', quantity: 2 }],
  status: 'PROCESSING',
  chargeEventId: 'evt-created-1',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  settlesAt: '2026-11-23T10:02:00.000Z',
  sequence: 0,
};

describe('voidPayment (OrderCancelled)', () => {
  it('records a VOIDED payment for an order cancelled before its OrderCreated arrived, announcing nothing', async () => {
    const { store, deps } = setup();
    const cancel = orderCancelled();
    const result = await voidPayment(cancel, deps);

    expect(result).toMatchObject({ kind: 'voided', previous: 'ABSENT' });
    expect(store.commits).toEqual([
      expect.objectContaining({ payment: expect.objectContaining({ expected: 'ABSENT' }) }),
    ]);
    expect(store.payments.get(ORDER_ID)).toEqual({
      paymentId: 'id-1',
      orderId: ORDER_ID,
      amount: 2500,
      currency: 'USD',
      items: [],
      status: 'VOIDED',
      voidReason: 'cancelled',
      voidEventId: cancel.eventId,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
      voidedAt: '2026-11-23T10:00:00.000Z',
      sequence: 0,
    });
    expect(store.outbox).toEqual([]);
  });

  it('never charges an order whose OrderCancelled came before its OrderCreated', async () => {
    const { store, clock, deps } = setup();
    await voidPayment(orderCancelled(), deps);
    clock.advanceSeconds(1);
    for (const paymentToken of ['tok_visa', 'tok_slow'])
      expect(await chargePayment(orderCreated({ paymentToken }), deps)).toMatchObject({
        kind: 'not-charged',
      });
    expect(store.payments.get(ORDER_ID)?.status).toBe('VOIDED');
    expect(store.outbox).toEqual([]);
  });

  it('leaves a charge made before the cancel alone: the order service asks for its refund', async () => {
    const { store, deps } = setup();
    await chargePayment(orderCreated(), deps);
    const before = store.payments.get(ORDER_ID);
    const result = await voidPayment(orderCancelled(), deps);

    expect(result).toMatchObject({ kind: 'settled', payment: { status: 'COMPLETED' } });
    expect(store.commits).toHaveLength(1);
    expect(store.payments.get(ORDER_ID)).toEqual(before);
    expect(store.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
  });

  it.each(['COMPLETED', 'FAILED', 'REFUNDED'] as const)(
    'does nothing for a %s payment',
    async (status) => {
      const { store, deps } = setup();
      const settled = { ...processing, status, sequence: 1 };
      store.payments.set(ORDER_ID, settled);
      expect(await voidPayment(orderCancelled(), deps)).toMatchObject({ kind: 'settled' });
      expect(store.commits).toHaveLength(0);
      expect(store.payments.get(ORDER_ID)).toEqual(settled);
    },
  );

  it('acknowledges a duplicate OrderCancelled without writing again', async () => {
    const { store, deps } = setup();
    const cancel = orderCancelled();
    await voidPayment(cancel, deps);
    expect(await voidPayment(cancel, deps)).toMatchObject({
      kind: 'duplicate',
      reason: 'already-voided',
    });
    expect(await voidPayment(orderCancelled({ eventId: 'evt-cancel-2' }), deps)).toMatchObject({
      kind: 'duplicate',
    });
    expect(store.commits).toHaveLength(1);
    expect(store.payments.get(ORDER_ID)?.voidEventId).toBe(cancel.eventId);
  });

  it('voids a slow charge not settled yet, so its redelivery at settlesAt completes nothing', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 60 });
    const created = orderCreated({ paymentToken: 'tok_slow' });
    expect(await chargePayment(created, deps)).toMatchObject({ kind: 'pending' });
    clock.advanceSeconds(1);
    const cancel = orderCancelled();

    const result = await voidPayment(cancel, deps);
    expect(result).toMatchObject({
      kind: 'voided',
      previous: 'PROCESSING',
      payment: { status: 'VOIDED', voidReason: 'cancelled', voidEventId: cancel.eventId },
    });
    expect(store.commits.at(-1)).toMatchObject({ payment: { expected: 'PROCESSING' }, events: [] });
    expect(store.payments.get(ORDER_ID)).toMatchObject({
      paymentId: 'id-1',
      chargeEventId: created.eventId,
      voidedAt: '2026-11-23T10:00:01.000Z',
      sequence: 0,
    });

    clock.advanceSeconds(59);
    expect(await chargePayment(created, deps)).toMatchObject({ kind: 'not-charged' });
    expect(store.payments.get(ORDER_ID)?.status).toBe('VOIDED');
    expect(store.outbox).toEqual([]);
  });

  it('decides again when an OrderCreated charges between its read and its void: the charge stands', async () => {
    const { store, deps } = setup();
    store.beforeCommit = () =>
      store.payments.set(ORDER_ID, { ...processing, status: 'COMPLETED', sequence: 1 });
    expect(await voidPayment(orderCancelled(), deps)).toMatchObject({
      kind: 'settled',
      payment: { status: 'COMPLETED' },
    });
    expect(store.reads).toBe(2);
    expect(store.payments.get(ORDER_ID)?.status).toBe('COMPLETED');
  });

  it('decides again when a slow charge settles between its read and its void: the charge stands', async () => {
    const { store, deps } = setup();
    store.payments.set(ORDER_ID, processing);
    store.beforeCommit = () =>
      store.payments.set(ORDER_ID, { ...processing, status: 'COMPLETED', sequence: 1 });
    expect(await voidPayment(orderCancelled(), deps)).toMatchObject({ kind: 'settled' });
    expect(store.payments.get(ORDER_ID)?.status).toBe('COMPLETED');
  });

  it('retries a conflicting write after a pause, and gives up with nothing written when conflicts persist', async () => {
    const retried = setup();
    retried.store.conflictsAhead = 2;
    expect(await voidPayment(orderCancelled(), retried.deps)).toMatchObject({ kind: 'voided' });
    expect(retried.sleeps).toEqual([12, 25]);

    const stuck = setup({ maxAttempts: 3 });
    stuck.store.conflictsAhead = 10;
    await expect(voidPayment(orderCancelled(), stuck.deps)).rejects.toBeInstanceOf(
      PaymentContentionError,
    );
    expect(stuck.store.payments.size).toBe(0);
  });
});
