import { describe, expect, it } from '@jest/globals';
import {
  fromPaymentItem,
  paymentKey,
  paymentsTableKeys,
  toPaymentItem,
} from '../../../lambdas/payments/adapters/payments-table.ts';
import type { Payment } from '../../../lambdas/payments/domain/payment.ts';
import { OUTBOX_TABLE_KEYS } from '../../../lib/constructs/outbox-table.ts';
import { TTL_ATTRIBUTE } from '../../../lambdas/shared/outbox.ts';

const payment: Payment = {
  paymentId: 'pay-1',
  orderId: 'ord-1',
  amount: 2500,
  currency: 'USD',
  items: [{ sku: 'SKU-A', quantity: 2 }],
  status: 'FAILED',
  failureReason: 'card_declined',
  chargeEventId: 'evt-1',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  failedAt: '2026-11-23T10:00:00.000Z',
  sequence: 1,
};

describe('payments table layout', () => {
  it('uses the keys and TTL attribute every outbox table has', () => {
    expect(paymentsTableKeys).toMatchObject(OUTBOX_TABLE_KEYS);
    expect(paymentsTableKeys.timeToLiveAttribute).toBe(TTL_ATTRIBUTE);
  });

  it('keys a payment by its order, so one order has at most one payment item', () => {
    expect(toPaymentItem(payment)).toMatchObject(paymentKey('ord-1'));
    expect(toPaymentItem({ ...payment, paymentId: 'pay-2' }).pk).toBe(toPaymentItem(payment).pk);
    expect(paymentKey('ord-1')).not.toEqual(paymentKey('ord-2'));
  });

  it('stores payments without an expiry: they are financial records', () => {
    expect(toPaymentItem(payment)).not.toHaveProperty(TTL_ATTRIBUTE);
  });

  it('reads back the payment it stored, without the storage attributes', () => {
    expect(fromPaymentItem(toPaymentItem(payment))).toEqual(payment);
  });

  it('reads back a VOIDED payment, one voided before any OrderCreated included', () => {
    const voided: Payment = {
      ...payment,
      items: [],
      status: 'VOIDED',
      voidReason: 'cancelled',
      voidEventId: 'evt-cancel',
      voidedAt: '2026-11-23T10:00:01.000Z',
      sequence: 0,
    };
    delete voided.failureReason;
    delete voided.failedAt;
    delete voided.chargeEventId;
    expect(fromPaymentItem(toPaymentItem(voided))).toEqual(voided);
    expect(() => fromPaymentItem({ ...toPaymentItem(voided), voidReason: 'bored' })).toThrow(
      'voidReason',
    );
  });

  it('refuses an item that is not a valid payment', () => {
    expect(() => fromPaymentItem({ ...toPaymentItem(payment), status: 'LOST' })).toThrow(
      /Invalid payment item PAYMENT#ord-1: status/,
    );
    expect(() => fromPaymentItem({ ...toPaymentItem(payment), amount: 1.5 })).toThrow('amount');
  });
});
