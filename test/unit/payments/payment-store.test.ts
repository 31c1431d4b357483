import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createPaymentStore } from '../../../lambdas/payments/adapters/payment-store.ts';
import { openPayment } from '../../../lambdas/payments/domain/payment.ts';
import { paymentEvent } from '../../../lambdas/payments/domain/payment-events.ts';
import type { PaymentCommit } from '../../../lambdas/payments/use-cases/ports.ts';
import { createDocumentClient } from '../../../lambdas/shared/dynamo.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const store = createPaymentStore(createDocumentClient({ region: 'us-east-1' }), 'payments');

beforeEach(() => {
  dynamo.reset();
});
afterAll(() => {
  dynamo.restore();
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

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('createPaymentStore commit', () => {
  it('reports a changed payment when only the payment condition fails', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));
    expect(await store.commit(fullCommit)).toBe('payment-changed');
  });

  it('reports a conflict when a concurrent transaction touched the items', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'TransactionConflict']));
    expect(await store.commit(fullCommit)).toBe('conflict');
  });

  it('rethrows any other failure: an outbox id collision, a validation error, throttling', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed']));
    await expect(store.commit(fullCommit)).rejects.toBeInstanceOf(TransactionCanceledException);
    dynamo.on(TransactWriteCommand).rejects(new Error('ValidationException'));
    await expect(store.commit(fullCommit)).rejects.toThrow('ValidationException');
  });

  it('conditions a transition on the payment status it expects', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    await store.commit({ ...fullCommit, payment: { next: payment, expected: 'PROCESSING' } });
    const put = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(put).toMatchObject({
      ConditionExpression: '#status = :expected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expected': 'PROCESSING' },
    });
  });

  it('sends nothing for an empty commit', async () => {
    expect(await store.commit({ events: [], now: NOW })).toBe('committed');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
