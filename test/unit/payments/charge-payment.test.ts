import { describe, expect, it } from '@jest/globals';
import type { Payment } from '../../../lambdas/payments/domain/payment.ts';
import {
  chargePayment,
  type ChargePaymentDeps,
} from '../../../lambdas/payments/use-cases/charge-payment.ts';
import { PaymentContentionError } from '../../../lambdas/payments/use-cases/retry.ts';
import { FakeClock, FakePaymentStore, orderCreated, ORDER_ID, sequentialIds } from './fakes.ts';

function setup(overrides: Partial<ChargePaymentDeps> = {}) {
  const store = new FakePaymentStore();
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const deps: ChargePaymentDeps = {
    store,
    now: clock.now,
    newId: sequentialIds(),
    random: () => 0.5,
    failureRate: 0,
    slowPaymentSeconds: 120,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  };
  return { store, clock, deps, sleeps };
}

describe('chargePayment', () => {
  it('completes an approved charge: the payment and PaymentCompleted in one commit', async () => {
    const { store, deps } = setup();
    const event = orderCreated({ paymentToken: 'tok_visa' });
    const result = await chargePayment(event, deps);

    expect(result).toMatchObject({ kind: 'completed', payment: { status: 'COMPLETED' } });
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]).toMatchObject({ payment: { expected: 'ABSENT' } });
    expect(store.payments.get(ORDER_ID)).toMatchObject({
      paymentId: 'id-1',
      amount: 2500,
      currency: 'USD',
      items: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
      status: 'COMPLETED',
      chargeEventId: event.eventId,
      sequence: 1,
    });
    expect(store.outbox).toEqual([
      expect.objectContaining({
        type: 'PaymentCompleted',
        eventId: 'id-2',
        orderId: ORDER_ID,
        correlationId: event.correlationId,
        causationId: event.eventId,
        sequence: 1,
        data: {
          paymentId: 'id-1',
          amount: 2500,
          currency: 'USD',
          items: [
            { sku: 'SKU-A', quantity: 2 },
            { sku: 'SKU-B', quantity: 1 },
          ],
        },
      }),
    ]);
  });

  it('completes an order without a token and with an unknown token', async () => {
    for (const paymentToken of [undefined, 'tok_amex']) {
      const { store, deps } = setup();
      const result = await chargePayment(orderCreated({ paymentToken }), deps);
      expect(result.kind).toBe('completed');
      expect(store.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
    }
  });

  it.each([
    ['tok_declined', 'card_declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
  ])('fails %s with PaymentFailed(%s) and records the payment as FAILED', async (token, reason) => {
    const { store, deps } = setup();
    const result = await chargePayment(orderCreated({ paymentToken: token }), deps);

    expect(result).toMatchObject({
      kind: 'failed',
      payment: { status: 'FAILED', failureReason: reason },
    });
    expect(store.outbox).toEqual([
      expect.objectContaining({
        type: 'PaymentFailed',
        sequence: 1,
        data: { reason, amount: 2500, currency: 'USD' },
      }),
    ]);
    expect(store.payments.get(ORDER_ID)?.chargeEventId).toBe('evt-created-1');
  });

  it('declines at random with the configured failure rate, using the injected random source', async () => {
    const declined = setup({ failureRate: 0.5, random: () => 0.49 });
    expect((await chargePayment(orderCreated(), declined.deps)).kind).toBe('failed');
    expect(declined.store.outbox[0]).toMatchObject({ data: { reason: 'card_declined' } });

    const approved = setup({ failureRate: 0.5, random: () => 0.5 });
    expect((await chargePayment(orderCreated(), approved.deps)).kind).toBe('completed');
  });

  it('charges once when the same OrderCreated is delivered again', async () => {
    const { store, deps } = setup();
    const event = orderCreated();
    await chargePayment(event, deps);
    const again = await chargePayment(event, deps);

    expect(again).toMatchObject({ kind: 'duplicate', reason: 'already-processed' });
    expect(store.outbox).toHaveLength(1);
    expect(store.commits).toHaveLength(1);
  });

  it('does not charge twice for a second OrderCreated of the same order with another eventId', async () => {
    const { store, deps } = setup();
    await chargePayment(orderCreated({ eventId: 'evt-a' }), deps);
    const second = await chargePayment(
      orderCreated({ eventId: 'evt-b', paymentToken: 'tok_declined' }),
      deps,
    );

    expect(second).toMatchObject({ kind: 'duplicate', reason: 'order-already-charged' });
    expect(store.payments.get(ORDER_ID)).toMatchObject({
      status: 'COMPLETED',
      chargeEventId: 'evt-a',
    });
    expect(store.outbox).toHaveLength(1);
  });

  it('acknowledges a delivery that loses the race on the payment to a concurrent delivery of the same event', async () => {
    const { store, deps } = setup();
    const event = orderCreated();
    // The concurrent delivery commits the payment between this one's read and its commit.
    store.beforeCommit = () => {
      store.payments.set(ORDER_ID, {
        paymentId: 'pay-concurrent',
        orderId: ORDER_ID,
        amount: 2500,
        currency: 'USD',
        items: [{ sku: 'SKU-A', quantity: 2 }],
        status: 'COMPLETED',
        chargeEventId: event.eventId,
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
        sequence: 1,
      });
    };
    const result = await chargePayment(event, deps);
    expect(result).toMatchObject({ kind: 'duplicate', reason: 'already-processed' });
    expect(store.payments.get(ORDER_ID)?.paymentId).toBe('pay-concurrent');
    expect(store.outbox).toHaveLength(0);
  });

  it('re-reads and acknowledges when another OrderCreated opened the payment first', async () => {
    const { store, deps, sleeps } = setup();
    // A delivery of another OrderCreated for this order commits between this one's read and commit.
    store.beforeCommit = () => {
      store.payments.set(ORDER_ID, {
        paymentId: 'pay-winner',
        orderId: ORDER_ID,
        amount: 2500,
        currency: 'USD',
        items: [{ sku: 'SKU-A', quantity: 2 }],
        status: 'COMPLETED',
        chargeEventId: 'evt-winner',
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
        sequence: 1,
      });
    };
    const result = await chargePayment(orderCreated({ eventId: 'evt-loser' }), deps);
    expect(result).toMatchObject({ kind: 'duplicate', reason: 'order-already-charged' });
    expect(store.reads).toBe(2);
    expect(store.outbox).toHaveLength(0);
    expect(store.payments.get(ORDER_ID)?.chargeEventId).toBe('evt-winner');
    // A lost condition is re-read at once: only a transaction conflict waits.
    expect(sleeps).toEqual([]);
  });

  it('retries a conflicting write after a jittered, growing pause', async () => {
    const { store, deps, sleeps } = setup({ random: () => 0.5 });
    store.conflictsAhead = 3;
    const result = await chargePayment(orderCreated(), deps);
    expect(result.kind).toBe('completed');
    expect(sleeps).toEqual([12, 25, 50]);
    expect(store.outbox).toHaveLength(1);
  });

  it('gives up with a contention error when writes keep conflicting, having written nothing', async () => {
    const { store, deps } = setup({ maxAttempts: 4 });
    store.conflictsAhead = 10;
    await expect(chargePayment(orderCreated(), deps)).rejects.toBeInstanceOf(
      PaymentContentionError,
    );
    expect(store.payments.size).toBe(0);
    expect(store.outbox).toHaveLength(0);
  });
});

describe('chargePayment with a slow charge (tok_slow)', () => {
  const slow = () => orderCreated({ paymentToken: 'tok_slow' });

  it('writes the payment as PROCESSING with no event, and asks for a redelivery when it settles', async () => {
    const { store, deps } = setup({ slowPaymentSeconds: 120 });
    const result = await chargePayment(slow(), deps);

    expect(result).toMatchObject({
      kind: 'pending',
      retryAfterSeconds: 120,
      payment: { status: 'PROCESSING', settlesAt: '2026-11-23T10:02:00.000Z' },
    });
    expect(store.payments.get(ORDER_ID)?.status).toBe('PROCESSING');
    expect(store.outbox).toHaveLength(0);
  });

  it('pushes an early redelivery back again for the remaining time', async () => {
    const { store, clock, deps } = setup();
    await chargePayment(slow(), deps);
    clock.advanceSeconds(30);
    const early = await chargePayment(slow(), deps);
    expect(early).toMatchObject({ kind: 'pending', retryAfterSeconds: 90 });
    expect(store.outbox).toHaveLength(0);
  });

  it('completes at settlesAt (before the deadline): PROCESSING → COMPLETED with PaymentCompleted, once', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 60 });
    const event = slow();
    await chargePayment(event, deps);
    clock.advanceSeconds(60);
    const settled = await chargePayment(event, deps);

    expect(settled).toMatchObject({
      kind: 'completed',
      payment: { status: 'COMPLETED', sequence: 1 },
    });
    expect(store.commits.at(-1)).toMatchObject({ payment: { expected: 'PROCESSING' } });
    expect(store.outbox).toEqual([
      expect.objectContaining({
        type: 'PaymentCompleted',
        sequence: 1,
        causationId: event.eventId,
      }),
    ]);

    clock.advanceSeconds(5);
    expect(await chargePayment(event, deps)).toMatchObject({ kind: 'duplicate' });
    expect(store.outbox).toHaveLength(1);
  });

  it('settles at once when the settlement delay is zero', async () => {
    const { store, deps } = setup({ slowPaymentSeconds: 0 });
    const result = await chargePayment(slow(), deps);
    expect(result.kind).toBe('completed');
    expect(store.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
  });

  it('is not settled by another OrderCreated of the same order', async () => {
    const { store, clock, deps } = setup();
    await chargePayment(slow(), deps);
    clock.advanceSeconds(500);
    const other = await chargePayment(orderCreated({ eventId: 'evt-other' }), deps);
    expect(other).toMatchObject({ kind: 'duplicate', reason: 'order-already-charged' });
    expect(store.payments.get(ORDER_ID)?.status).toBe('PROCESSING');
  });

  it('acknowledges a settling delivery that a concurrent one settled first', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 60 });
    const event = slow();
    await chargePayment(event, deps);
    clock.advanceSeconds(60);
    store.beforeCommit = () => {
      const current = store.payments.get(ORDER_ID)!;
      store.payments.set(ORDER_ID, { ...current, status: 'COMPLETED', sequence: 1 });
    };
    expect(await chargePayment(event, deps)).toMatchObject({ kind: 'duplicate' });
    expect(store.outbox).toHaveLength(0);
  });
});

describe('chargePayment once the order is cancelled or past its deadline', () => {
  const voidedByCancel: Payment = {
    paymentId: 'pay-void',
    orderId: ORDER_ID,
    amount: 2500,
    currency: 'USD',
    items: [],
    status: 'VOIDED',
    voidReason: 'cancelled',
    voidEventId: 'evt-cancelled-1',
    createdAt: '2026-11-23T10:00:01.000Z',
    updatedAt: '2026-11-23T10:00:01.000Z',
    voidedAt: '2026-11-23T10:00:01.000Z',
    sequence: 0,
  };

  it('charges an OrderCreated delivered just before its deadline', async () => {
    const { store, clock, deps } = setup();
    clock.advanceSeconds(89);
    expect((await chargePayment(orderCreated(), deps)).kind).toBe('completed');
    expect(store.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
  });

  it('voids instead of charging an OrderCreated delivered at or after its deadline, announcing nothing', async () => {
    const { store, clock, deps } = setup();
    clock.advanceSeconds(90);
    const event = orderCreated({ paymentToken: 'tok_visa' });
    const result = await chargePayment(event, deps);

    expect(result).toMatchObject({
      kind: 'voided',
      previous: 'ABSENT',
      payment: { status: 'VOIDED', voidReason: 'expired' },
    });
    expect(store.commits).toEqual([
      expect.objectContaining({ payment: expect.objectContaining({ expected: 'ABSENT' }) }),
    ]);
    expect(store.payments.get(ORDER_ID)).toMatchObject({
      status: 'VOIDED',
      voidReason: 'expired',
      chargeEventId: event.eventId,
      voidedAt: '2026-11-23T10:01:30.000Z',
      amount: 2500,
      sequence: 0,
    });
    expect(store.outbox).toEqual([]);
  });

  it('acknowledges a redelivery of an OrderCreated voided as expired without writing', async () => {
    const { store, clock, deps } = setup();
    clock.advanceSeconds(300);
    const event = orderCreated();
    await chargePayment(event, deps);
    const again = await chargePayment(event, deps);
    expect(again).toMatchObject({ kind: 'not-charged', payment: { voidReason: 'expired' } });
    expect(store.commits).toHaveLength(1);
    expect(store.outbox).toEqual([]);
  });

  it('does not charge an order whose payment was voided by its cancel, whatever the token', async () => {
    for (const paymentToken of ['tok_visa', 'tok_declined', 'tok_slow']) {
      const { store, deps } = setup();
      store.payments.set(ORDER_ID, voidedByCancel);
      const result = await chargePayment(orderCreated({ paymentToken }), deps);
      expect(result).toMatchObject({ kind: 'not-charged', payment: { paymentId: 'pay-void' } });
      expect(store.commits).toHaveLength(0);
      expect(store.outbox).toEqual([]);
      expect(store.payments.get(ORDER_ID)).toEqual(voidedByCancel);
    }
  });

  it('decides again, and charges nothing, when a cancel voids the payment between its read and its charge', async () => {
    const { store, deps } = setup();
    store.beforeCommit = () => store.payments.set(ORDER_ID, voidedByCancel);
    const result = await chargePayment(orderCreated(), deps);
    expect(result).toMatchObject({ kind: 'not-charged' });
    expect(store.reads).toBe(2);
    expect(store.payments.get(ORDER_ID)).toEqual(voidedByCancel);
    expect(store.outbox).toEqual([]);
  });

  it('decides again when a cancel voids the payment between its read and an expired void', async () => {
    const { store, clock, deps } = setup();
    clock.advanceSeconds(120);
    store.beforeCommit = () => store.payments.set(ORDER_ID, voidedByCancel);
    expect(await chargePayment(orderCreated(), deps)).toMatchObject({ kind: 'not-charged' });
    expect(store.payments.get(ORDER_ID)).toEqual(voidedByCancel);
  });
});

describe('chargePayment with a slow charge past the order deadline', () => {
  const slow = () => orderCreated({ paymentToken: 'tok_slow' });

  it('voids a slow charge redelivered when it settles after the deadline, instead of completing it', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 120 });
    const event = slow();
    await chargePayment(event, deps);
    clock.advanceSeconds(120);
    const result = await chargePayment(event, deps);

    expect(result).toMatchObject({
      kind: 'voided',
      previous: 'PROCESSING',
      payment: { status: 'VOIDED', voidReason: 'expired', chargeEventId: event.eventId },
    });
    expect(store.commits.at(-1)).toMatchObject({
      payment: { expected: 'PROCESSING' },
      events: [],
    });
    expect(store.outbox).toEqual([]);

    clock.advanceSeconds(5);
    expect(await chargePayment(event, deps)).toMatchObject({ kind: 'not-charged' });
    expect(store.outbox).toEqual([]);
  });

  it('voids a slow charge redelivered after the deadline even before it would settle', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 600 });
    await chargePayment(slow(), deps);
    clock.advanceSeconds(90);
    expect(await chargePayment(slow(), deps)).toMatchObject({ kind: 'voided' });
    expect(store.payments.get(ORDER_ID)?.status).toBe('VOIDED');
  });

  it('still completes a slow charge that settles before the deadline', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 60 });
    await chargePayment(slow(), deps);
    clock.advanceSeconds(60);
    expect(await chargePayment(slow(), deps)).toMatchObject({ kind: 'completed' });
    expect(store.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
  });

  it('completes nothing when a cancel voids the slow charge between its read and its settlement', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 60 });
    await chargePayment(slow(), deps);
    clock.advanceSeconds(60);
    store.beforeCommit = () => {
      const current = store.payments.get(ORDER_ID)!;
      store.payments.set(ORDER_ID, { ...current, status: 'VOIDED', voidReason: 'cancelled' });
    };
    expect(await chargePayment(slow(), deps)).toMatchObject({ kind: 'not-charged' });
    expect(store.outbox).toEqual([]);
  });

  it('acknowledges an expired void that a concurrent delivery settled first (before the deadline)', async () => {
    const { store, clock, deps } = setup({ slowPaymentSeconds: 600 });
    const event = slow();
    await chargePayment(event, deps);
    clock.advanceSeconds(100);
    store.beforeCommit = () => {
      const current = store.payments.get(ORDER_ID)!;
      store.payments.set(ORDER_ID, { ...current, status: 'COMPLETED', sequence: 1 });
    };
    expect(await chargePayment(event, deps)).toMatchObject({
      kind: 'duplicate',
      reason: 'already-processed',
    });
    expect(store.payments.get(ORDER_ID)?.status).toBe('COMPLETED');
  });
});
