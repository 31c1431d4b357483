import { beforeEach, describe, expect, it } from '@jest/globals';
import { createPaymentStore } from '../../../lambdas/payments/adapters/payment-store.ts';
import { openPayment, voidPayment } from '../../../lambdas/payments/domain/payment.ts';
import { paymentEvent } from '../../../lambdas/payments/domain/payment-events.ts';
import type { PaymentCommit } from '../../../lambdas/payments/use-cases/ports.ts';
import { AwsServiceError } from '../../../lambdas/shared/aws/errors.ts';
import { failWith, FakeDocumentDb, transactionCanceled } from '../shared/aws/fake-document-db.ts';

const dynamo = new FakeDocumentDb();
const store = createPaymentStore(dynamo, 'payments');

beforeEach(() => {
  dynamo.reset();
});

const NOW = new Date('2026-11-23T10:00:00.000Z');
const payment = openPayment(
  {
    orderId: 'ord-1',
    eventId: 'evt-1',
    amount: 100,
    currency: 'USD',
    items: [{ sku: 'S', quantity: 1 }],
  },
  { outcome: 'approved' },
  { paymentId: 'pay-1', now: NOW, slowPaymentSeconds: 0 },
);
/** payment (0), outbox (1) */
const fullCommit: PaymentCommit = {
  payment: { next: payment, expected: 'ABSENT' },
  events: [paymentEvent(payment, { correlationId: 'ord-1', causationId: 'evt-1', eventId: 'e-2' })],
  now: NOW,
};

const cancelled = transactionCanceled;

describe('createPaymentStore commit', () => {
  it('reports a changed payment when only the payment condition fails', async () => {
    dynamo.on('transactWrite', failWith(cancelled(['ConditionalCheckFailed', 'None'])));
    expect(await store.commit(fullCommit)).toBe('payment-changed');
  });

  it('reports a conflict when a concurrent transaction touched the items', async () => {
    dynamo.on('transactWrite', failWith(cancelled(['None', 'TransactionConflict'])));
    expect(await store.commit(fullCommit)).toBe('conflict');
  });

  it('rethrows any other failure: an outbox id collision, a validation error, throttling', async () => {
    dynamo.on('transactWrite', failWith(cancelled(['None', 'ConditionalCheckFailed'])));
    await expect(store.commit(fullCommit)).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
    dynamo.on(
      'transactWrite',
      failWith(new AwsServiceError({ code: 'ValidationException', message: 'bad', status: 400 })),
    );
    await expect(store.commit(fullCommit)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('conditions a transition on the payment status it expects', async () => {
    dynamo.on('transactWrite', () => ({}));
    await store.commit({ ...fullCommit, payment: { next: payment, expected: 'PROCESSING' } });
    const put = dynamo.inputs('transactWrite')[0]!.TransactItems![0]!.Put!;
    expect(put).toMatchObject({
      ConditionExpression: '#status = :expected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expected': 'PROCESSING' },
    });
  });

  it('writes a change that announces nothing with one conditional put, not a transaction', async () => {
    const processing = openPayment(
      { orderId: 'ord-1', eventId: 'evt-1', amount: 100, currency: 'USD', items: [] },
      { outcome: 'settles-later' },
      { paymentId: 'pay-1', now: NOW, slowPaymentSeconds: 60 },
    );
    const voided = voidPayment(processing, { reason: 'cancelled', now: NOW });
    dynamo.on('put', () => ({}));
    expect(
      await store.commit({
        payment: { next: processing, expected: 'ABSENT' },
        events: [],
        now: NOW,
      }),
    ).toBe('committed');
    expect(
      await store.commit({
        payment: { next: voided, expected: 'PROCESSING' },
        events: [],
        now: NOW,
      }),
    ).toBe('committed');
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(dynamo.inputs('put')).toEqual([
      {
        TableName: 'payments',
        Item: expect.objectContaining({ pk: 'PAYMENT#ord-1', status: 'PROCESSING' }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      {
        TableName: 'payments',
        Item: expect.objectContaining({ pk: 'PAYMENT#ord-1', status: 'VOIDED' }),
        ConditionExpression: '#status = :expected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expected': 'PROCESSING' },
      },
    ]);
  });

  it('reports a put whose condition fails as a changed payment, and a transaction in flight as a conflict', async () => {
    const alone: PaymentCommit = { ...fullCommit, events: [] };
    dynamo.on(
      'put',
      failWith(
        new AwsServiceError({ code: 'ConditionalCheckFailedException', message: 'x', status: 400 }),
      ),
    );
    expect(await store.commit(alone)).toBe('payment-changed');
    dynamo.on(
      'put',
      failWith(
        new AwsServiceError({ code: 'TransactionConflictException', message: 'x', status: 400 }),
      ),
    );
    expect(await store.commit(alone)).toBe('conflict');
    dynamo.on(
      'put',
      failWith(new AwsServiceError({ code: 'ValidationException', message: 'bad', status: 400 })),
    );
    await expect(store.commit(alone)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('sends nothing for an empty commit', async () => {
    expect(await store.commit({ events: [], now: NOW })).toBe('committed');
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
  });
});
