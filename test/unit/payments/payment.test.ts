import { describe, expect, it } from '@jest/globals';
import {
  hasSettled,
  isPastDeadline,
  openPayment,
  openVoidedPayment,
  refundPayment,
  secondsUntilSettled,
  settlePayment,
  voidPayment,
  type ChargeRequest,
} from '../../../lambdas/payments/domain/payment.ts';
import { paymentEvent } from '../../../lambdas/payments/domain/payment-events.ts';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const request: ChargeRequest = {
  orderId: 'ord-1',
  eventId: 'evt-1',
  amount: 2500,
  currency: 'USD',
  items: [{ sku: 'SKU-A', quantity: 2 }],
};
const context = { paymentId: 'pay-1', now: NOW, slowPaymentSeconds: 120 };
const eventContext = { correlationId: 'ord-1', causationId: 'evt-1', eventId: 'evt-new' };

describe('openPayment', () => {
  it('opens an approved charge as COMPLETED, announcing its first event', () => {
    const payment = openPayment(request, { outcome: 'approved' }, context);
    expect(payment).toMatchObject({
      paymentId: 'pay-1',
      orderId: 'ord-1',
      amount: 2500,
      currency: 'USD',
      items: [{ sku: 'SKU-A', quantity: 2 }],
      status: 'COMPLETED',
      chargeEventId: 'evt-1',
      completedAt: NOW.toISOString(),
      sequence: 1,
    });
  });

  it('opens a declined charge as FAILED with its reason', () => {
    const payment = openPayment(
      request,
      { outcome: 'declined', reason: 'insufficient_funds' },
      context,
    );
    expect(payment).toMatchObject({
      status: 'FAILED',
      failureReason: 'insufficient_funds',
      failedAt: NOW.toISOString(),
      sequence: 1,
    });
  });

  it('opens a slow charge as PROCESSING until now + the settlement delay, announcing nothing', () => {
    const payment = openPayment(request, { outcome: 'settles-later' }, context);
    expect(payment).toMatchObject({
      status: 'PROCESSING',
      settlesAt: '2026-11-23T10:02:00.000Z',
      sequence: 0,
    });
    expect(() => paymentEvent(payment, eventContext)).toThrow('PROCESSING');
  });

  it('keeps only sku and quantity of each line', () => {
    const payment = openPayment(
      { ...request, items: [{ sku: 'S', quantity: 1, unitPrice: 5 } as never] },
      { outcome: 'approved' },
      context,
    );
    expect(payment.items).toEqual([{ sku: 'S', quantity: 1 }]);
  });
});

describe('settling a slow payment', () => {
  const processing = openPayment(request, { outcome: 'settles-later' }, context);

  it('has not settled before settlesAt, and has at or after it', () => {
    expect(hasSettled(processing, new Date('2026-11-23T10:01:59.999Z'))).toBe(false);
    expect(hasSettled(processing, new Date('2026-11-23T10:02:00.000Z'))).toBe(true);
  });

  it('counts whole seconds up to settlesAt, never less than one', () => {
    expect(secondsUntilSettled(processing, NOW)).toBe(120);
    expect(secondsUntilSettled(processing, new Date('2026-11-23T10:01:58.500Z'))).toBe(2);
    expect(secondsUntilSettled(processing, new Date('2026-11-23T10:05:00.000Z'))).toBe(1);
  });

  it('completes a PROCESSING payment with the next sequence', () => {
    const at = new Date('2026-11-23T10:02:01.000Z');
    expect(settlePayment(processing, at)).toMatchObject({
      status: 'COMPLETED',
      completedAt: at.toISOString(),
      updatedAt: at.toISOString(),
      sequence: 1,
    });
  });

  it('refuses to settle a payment that is not PROCESSING', () => {
    const completed = openPayment(request, { outcome: 'approved' }, context);
    expect(() => settlePayment(completed, NOW)).toThrow('COMPLETED');
  });
});

describe('the order deadline', () => {
  const deadline = '2026-11-23T10:01:30.000Z';

  it('has not passed before the deadline, and has from the deadline on (when the timer fires)', () => {
    expect(isPastDeadline(deadline, new Date('2026-11-23T10:01:29.999Z'))).toBe(false);
    expect(isPastDeadline(deadline, new Date(deadline))).toBe(true);
    expect(isPastDeadline(deadline, new Date('2026-11-23T10:05:00.000Z'))).toBe(true);
  });
});

describe('voiding a payment', () => {
  const at = new Date('2026-11-23T10:00:05.000Z');

  it('voids a PROCESSING payment with its reason and the voiding event, announcing nothing', () => {
    const processing = openPayment(request, { outcome: 'settles-later' }, context);
    const voided = voidPayment(processing, { reason: 'cancelled', now: at, voidEventId: 'evt-c' });
    expect(voided).toEqual({
      ...processing,
      status: 'VOIDED',
      voidReason: 'cancelled',
      voidEventId: 'evt-c',
      voidedAt: at.toISOString(),
      updatedAt: at.toISOString(),
      sequence: 0,
    });
    expect(() => paymentEvent(voided, eventContext)).toThrow('VOIDED');
    expect(voidPayment(processing, { reason: 'expired', now: at })).not.toHaveProperty(
      'voidEventId',
    );
  });

  it.each(['COMPLETED', 'FAILED', 'REFUNDED', 'VOIDED'] as const)(
    'refuses to void a %s payment: only a charge not settled yet can be',
    (status) => {
      const processing = openPayment(request, { outcome: 'settles-later' }, context);
      expect(() =>
        voidPayment({ ...processing, status }, { reason: 'cancelled', now: at }),
      ).toThrow(status);
    },
  );

  it('records a VOIDED payment for an order cancelled before any charge', () => {
    const voided = openVoidedPayment(
      {
        orderId: 'ord-1',
        amount: 2500,
        currency: 'USD',
        items: [],
        reason: 'cancelled',
        voidEventId: 'evt-c',
      },
      { paymentId: 'pay-1', now: at },
    );
    expect(voided).toEqual({
      paymentId: 'pay-1',
      orderId: 'ord-1',
      amount: 2500,
      currency: 'USD',
      items: [],
      status: 'VOIDED',
      voidReason: 'cancelled',
      voidEventId: 'evt-c',
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      voidedAt: at.toISOString(),
      sequence: 0,
    });
  });

  it('records a VOIDED payment for an OrderCreated that came after its deadline', () => {
    const voided = openVoidedPayment(
      { ...request, chargeEventId: 'evt-1', reason: 'expired' },
      { paymentId: 'pay-1', now: at },
    );
    expect(voided).toMatchObject({
      status: 'VOIDED',
      voidReason: 'expired',
      chargeEventId: 'evt-1',
      items: [{ sku: 'SKU-A', quantity: 2 }],
      sequence: 0,
    });
    expect(voided).not.toHaveProperty('voidEventId');
  });
});

describe('refundPayment', () => {
  it('refunds a COMPLETED payment with the next sequence', () => {
    const completed = openPayment(request, { outcome: 'approved' }, context);
    const at = new Date('2026-11-23T10:00:30.000Z');
    expect(refundPayment(completed, at)).toMatchObject({
      status: 'REFUNDED',
      refundedAt: at.toISOString(),
      sequence: 2,
    });
  });

  it('refuses to refund a payment that is not COMPLETED', () => {
    const failed = openPayment(request, { outcome: 'declined', reason: 'card_declined' }, context);
    expect(() => refundPayment(failed, NOW)).toThrow('FAILED');
  });
});

describe('paymentEvent', () => {
  it('announces a completed payment with the items inventory needs and a numbered envelope', () => {
    const payment = openPayment(request, { outcome: 'approved' }, context);
    expect(paymentEvent(payment, eventContext)).toEqual({
      eventId: 'evt-new',
      type: 'PaymentCompleted',
      version: 1,
      occurredAt: NOW.toISOString(),
      orderId: 'ord-1',
      correlationId: 'ord-1',
      causationId: 'evt-1',
      sequence: 1,
      data: { paymentId: 'pay-1', amount: 2500, currency: 'USD', items: request.items },
    });
  });

  it('announces a failed payment with its reason', () => {
    const payment = openPayment(request, { outcome: 'declined', reason: 'card_declined' }, context);
    expect(paymentEvent(payment, eventContext)).toMatchObject({
      type: 'PaymentFailed',
      data: { reason: 'card_declined', amount: 2500, currency: 'USD' },
    });
  });

  it('announces a refund with the refunded amount and the sequence after the charge', () => {
    const payment = refundPayment(openPayment(request, { outcome: 'approved' }, context), NOW);
    expect(paymentEvent(payment, eventContext)).toMatchObject({
      type: 'PaymentRefunded',
      sequence: 2,
      data: { paymentId: 'pay-1', amount: 2500, currency: 'USD' },
    });
  });
});
