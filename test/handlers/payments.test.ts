import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { OrderCancelled, OrderCreated, PaymentRefundRequested } from '../../events/index.ts';
import {
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  sqsMessageDelayer,
} from '../../lambdas/shared/message-delay.ts';
import { createPaymentStore } from '../../lambdas/payments/adapters/payment-store.ts';
import { paymentKey, toPaymentItem } from '../../lambdas/payments/adapters/payments-table.ts';
import type { Payment } from '../../lambdas/payments/domain/payment.ts';
import { createPaymentsHandler, paymentMetrics } from '../../lambdas/payments/payments-consumer.ts';
import { AwsServiceError } from '../../lambdas/shared/aws/errors.ts';
import { createObservability } from '../../lambdas/shared/observability.ts';
import {
  FakeClock,
  orderCancelled,
  orderCreated,
  ORDER_ID,
  refundRequested,
} from '../unit/payments/fakes.ts';
import {
  lambdaContext,
  QUEUE_URL,
  queued,
  rawMessage,
  TABLE,
} from '../unit/payments/sqs-fixtures.ts';
import {
  conditionalCheckFailed,
  failWith,
  FakeDocumentDb,
  transactionCanceled,
} from '../unit/shared/aws/fake-document-db.ts';
import { FakeSqs } from '../unit/shared/aws/fake-sqs.ts';
import { isServiceMetric, keysOfLogCall, spyOnLogs } from '../support/lambda-fixtures.ts';

const saved = { ...process.env };
const dynamo = new FakeDocumentDb();
const sqs = new FakeSqs();

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(() => {
  process.env = saved;
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
});

afterEach(() => {
  jest.restoreAllMocks();
});

const cancelled = transactionCanceled;

/** The handler through the real middy chain, real adapters and fake AWS clients. */
function setup(
  options: { failureRate?: number; random?: () => number; slowPaymentSeconds?: number } = {},
) {
  const observability = createObservability('payments');
  const clock = new FakeClock();
  let ids = 0;
  const handler = createPaymentsHandler({
    store: createPaymentStore(dynamo, TABLE),
    messages: sqsMessageDelayer(sqs, QUEUE_URL),
    now: clock.now,
    newId: () => `id-${++ids}`,
    random: options.random ?? (() => 0.5),
    failureRate: options.failureRate ?? 0,
    slowPaymentSeconds: options.slowPaymentSeconds ?? 120,
    sleep: () => Promise.resolve(),
    maxAttempts: 3,
    observability,
  });
  const metrics = jest.spyOn(observability.metrics, 'addMetric');
  const logs = {
    info: spyOnLogs('info'),
    warn: spyOnLogs('warn'),
    error: spyOnLogs('error'),
  };
  // The payment function's own metrics (every consumer's are tested with createEventConsumer).
  const metricNames = () => metrics.mock.calls.map(([name]) => name).filter(isServiceMetric);
  return { handler, clock, metricNames, logs };
}

const completedPayment: Payment = {
  paymentId: 'pay-1',
  orderId: ORDER_ID,
  amount: 2500,
  currency: 'USD',
  items: [{ sku: 'SKU-A', quantity: 2 }],
  status: 'COMPLETED',
  chargeEventId: 'evt-created-1',
  createdAt: '2026-11-23T09:59:59.000Z',
  updatedAt: '2026-11-23T09:59:59.000Z',
  sequence: 1,
};

const transactItems = (call = 0) => dynamo.inputs('transactWrite')[call]!.TransactItems!;

describe('payments handler', () => {
  it('charges an order: payment and PaymentCompleted outbox item in one conditional transaction', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_visa' }))] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('get')[0]!).toMatchObject({
      TableName: TABLE,
      Key: paymentKey(ORDER_ID),
      ConsistentRead: true,
    });
    expect(transactItems()).toHaveLength(2);
    const [payment, outbox] = transactItems();
    expect(payment!.Put).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { ...paymentKey(ORDER_ID), status: 'COMPLETED', amount: 2500, paymentId: 'id-1' },
    });
    expect(outbox!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(JSON.parse(outbox!.Put!.Item!.event as string)).toMatchObject({
      type: 'PaymentCompleted',
      causationId: 'evt-created-1',
      data: { paymentId: 'id-1' },
    });
    expect(metricNames()).toContain(paymentMetrics.completed);
  });

  it('declines with PaymentFailed and counts a failed payment', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_declined' }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(JSON.parse(transactItems()[1]!.Put!.Item!.event as string)).toMatchObject({
      type: 'PaymentFailed',
      data: { reason: 'card_declined' },
    });
    expect(metricNames()).toContain(paymentMetrics.failed);
  });

  it('declines at random with the configured failure rate', async () => {
    const { handler } = setup({ failureRate: 1, random: () => 0.999 });
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', () => ({}));
    await handler({ Records: [queued('m1', OrderCreated, orderCreated())] }, lambdaContext());
    expect(transactItems()[0]!.Put!.Item).toMatchObject({
      status: 'FAILED',
      failureReason: 'card_declined',
    });
  });

  it('acknowledges a duplicate delivery whose transaction cancels on the payment a concurrent one wrote', async () => {
    const { handler, metricNames } = setup();
    dynamo.on(
      'get',
      () => ({}),
      () => ({ Item: toPaymentItem(completedPayment) }),
    );
    dynamo.on('transactWrite', failWith(cancelled(['ConditionalCheckFailed', 'None'])));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(metricNames()).toEqual([paymentMetrics.duplicates]);
  });

  it('acknowledges a redelivery of a charged order without writing', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(completedPayment) }));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(metricNames()).toEqual([paymentMetrics.duplicates]);
  });

  it('reports a poison message and handles the rest of the batch', async () => {
    const { handler } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      {
        Records: [
          rawMessage('poison', 'not json'),
          queued('invalid', OrderCreated, { ...orderCreated(), data: { total: -1 } }),
          queued('good', OrderCreated, orderCreated()),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'poison' },
      { itemIdentifier: 'invalid' },
    ]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(1);
  });

  it('reports a message whose writes keep conflicting, so the queue redelivers it', async () => {
    const { handler, logs } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', failWith(cancelled(['TransactionConflict', 'None', 'None'])));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(3);
    expect(logs.warn).toHaveBeenCalledWith(
      expect.stringContaining('Message failed'),
      expect.objectContaining({ messageId: 'm1' }),
    );
  });

  it('reports a message when DynamoDB fails', async () => {
    const { handler } = setup();
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    dynamo.on('get', failWith(throttled));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('reports a stored payment that is not valid instead of acting on it', async () => {
    const { handler } = setup();
    dynamo.on('get', () => ({
      Item: { ...toPaymentItem(completedPayment), amount: 'a lot' },
    }));
    const response = await handler(
      {
        Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-1'))],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
  });
});

describe('payments handler with a slow charge', () => {
  const slowOrder = (deadline?: string) => orderCreated({ paymentToken: 'tok_slow', deadline });

  it('writes PROCESSING, hides its own message until the charge settles and reports it failed', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('put', () => ({}));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, slowOrder())] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    // Nothing to announce yet: one conditional put, no transaction.
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(dynamo.inputs('put')).toEqual([
      expect.objectContaining({
        TableName: TABLE,
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: expect.objectContaining({
          status: 'PROCESSING',
          settlesAt: '2026-11-23T10:02:00.000Z',
        }) as unknown,
      }),
    ]);
    expect(sqs.inputs('changeMessageVisibility')[0]!).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-m1',
      VisibilityTimeout: 120,
    });
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('deferred until the charge settles'),
      expect.objectContaining({ retryAfterSeconds: 120 }),
    );
    expect(metricNames()).toEqual([paymentMetrics.deferred]);
    expect(logs.error).not.toHaveBeenCalled();
  });

  it('completes on the redelivery at settlesAt (before the deadline), conditioned on PROCESSING', async () => {
    const { handler, clock, metricNames } = setup({ slowPaymentSeconds: 60 });
    const processing: Payment = {
      ...completedPayment,
      status: 'PROCESSING',
      settlesAt: '2026-11-23T10:01:00.000Z',
      sequence: 0,
    };
    dynamo.on('get', () => ({ Item: toPaymentItem(processing) }));
    dynamo.on('transactWrite', () => ({}));
    clock.advanceSeconds(60);
    const response = await handler(
      { Records: [queued('m1', OrderCreated, slowOrder(), 2)] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(transactItems()).toHaveLength(2);
    const [payment, outbox] = transactItems();
    expect(payment!.Put).toMatchObject({
      ConditionExpression: '#status = :expected',
      ExpressionAttributeValues: { ':expected': 'PROCESSING' },
      Item: { status: 'COMPLETED', sequence: 1 },
    });
    expect(JSON.parse(outbox!.Put!.Item!.event as string)).toMatchObject({
      type: 'PaymentCompleted',
      sequence: 1,
    });
    expect(sqs.inputs('changeMessageVisibility')).toHaveLength(0);
    expect(metricNames()).toEqual([paymentMetrics.completed]);
  });

  it('pushes a wait longer than 12 hours back in steps just under 12 hours, one receive each', async () => {
    // SQS refuses to hide a message more than 12 h after its receive.
    expect(MAX_VISIBILITY_TIMEOUT_SECONDS).toBeLessThan(12 * 60 * 60 - 60);
    const { handler, clock } = setup({ slowPaymentSeconds: 30 * 60 * 60 });
    // A saga timeout longer than the charge takes (the stage config refuses one, but the
    // handler only sees the deadline).
    const order = slowOrder('2026-11-25T10:00:00.000Z');
    dynamo.on('get', () => ({}));
    await handler({ Records: [queued('m1', OrderCreated, order)] }, lambdaContext());
    const processing = dynamo.inputs('put')[0]!.Item!;

    clock.advanceSeconds(12 * 60 * 60);
    dynamo.on('get', () => ({ Item: processing }));
    const again = await handler(
      { Records: [queued('m1', OrderCreated, order, 2)] },
      lambdaContext(),
    );

    expect(again.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(sqs.inputs('changeMessageVisibility').map((input) => input.VisibilityTimeout)).toEqual([
      MAX_VISIBILITY_TIMEOUT_SECONDS,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
    ]);
    clock.advanceSeconds(12 * 60 * 60);
    await handler({ Records: [queued('m1', OrderCreated, order, 3)] }, lambdaContext());
    expect(sqs.inputs('changeMessageVisibility').at(-1)!.VisibilityTimeout).toBe(6 * 60 * 60);
    expect(dynamo.inputs('put')).toHaveLength(1);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
  });

  it('still reports the message when the visibility change fails, with a warning', async () => {
    const { handler, logs } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('put', () => ({}));
    sqs.on('changeMessageVisibility', failWith(new Error('ReceiptHandleIsInvalid')));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, slowOrder())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logs.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not push the slow payment message back'),
      expect.anything(),
    );
  });
});

describe('payments handler past the order deadline', () => {
  const processing: Payment = {
    ...completedPayment,
    status: 'PROCESSING',
    settlesAt: '2026-11-23T10:02:00.000Z',
    sequence: 0,
  };

  it('voids instead of charging an OrderCreated that arrives after the deadline: one conditional put, no event', async () => {
    const { handler, clock, logs, metricNames } = setup();
    dynamo.on('get', () => ({}));
    clock.advanceSeconds(5 * 60);
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_visa' }))] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(dynamo.inputs('put')).toEqual([
      expect.objectContaining({
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: expect.objectContaining({
          ...paymentKey(ORDER_ID),
          status: 'VOIDED',
          voidReason: 'expired',
        }) as unknown,
      }),
    ]);
    expect(metricNames()).toEqual([paymentMetrics.voided]);
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('Payment voided (expired)'),
      expect.objectContaining({ reason: 'expired', previousStatus: 'ABSENT' }),
    );
  });

  it('voids a slow charge whose redelivery comes after the deadline, and acknowledges the message', async () => {
    const { handler, clock, logs, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(processing) }));
    clock.advanceSeconds(120);
    const response = await handler(
      {
        Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_slow' }), 2)],
      },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(dynamo.inputs('put')).toEqual([
      expect.objectContaining({
        ConditionExpression: '#status = :expected',
        ExpressionAttributeValues: { ':expected': 'PROCESSING' },
        Item: expect.objectContaining({ status: 'VOIDED', voidReason: 'expired' }) as unknown,
      }),
    ]);
    expect(sqs.inputs('changeMessageVisibility')).toHaveLength(0);
    expect(metricNames()).toEqual([paymentMetrics.voided]);
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('Payment voided (expired)'),
      expect.objectContaining({ reason: 'expired', previousStatus: 'PROCESSING' }),
    );
  });

  it('acknowledges an OrderCreated for a voided payment without charging or writing', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({
      Item: toPaymentItem({ ...processing, status: 'VOIDED', voidReason: 'cancelled' }),
    }));
    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_slow' }), 2)] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('put')).toHaveLength(0);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(sqs.inputs('changeMessageVisibility')).toHaveLength(0);
    expect(metricNames()).toEqual([]);
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('not charged'),
      expect.objectContaining({ voidReason: 'cancelled' }),
    );
  });
});

describe('payments handler on OrderCancelled', () => {
  const processing: Payment = {
    ...completedPayment,
    status: 'PROCESSING',
    settlesAt: '2026-11-23T10:02:00.000Z',
    sequence: 0,
  };

  it('records a VOIDED payment for an order cancelled before any charge: one conditional put, no event', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({}));
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled())] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('get')[0]).toMatchObject({
      Key: paymentKey(ORDER_ID),
      ConsistentRead: true,
    });
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(dynamo.inputs('put')).toEqual([
      {
        TableName: TABLE,
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: expect.objectContaining({
          ...paymentKey(ORDER_ID),
          status: 'VOIDED',
          voidReason: 'cancelled',
          voidEventId: 'evt-cancelled-1',
          amount: 2500,
        }) as unknown,
      },
    ]);
    expect(metricNames()).toEqual([paymentMetrics.voided]);
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('Payment voided (cancelled)'),
      expect.objectContaining({
        reason: 'cancelled',
        previousStatus: 'ABSENT',
        cancellationReason: 'customer_request',
      }),
    );
    expect(keysOfLogCall(logs.info, logs.info.mock.calls.length - 1)).toMatchObject({
      orderId: ORDER_ID,
      eventType: 'OrderCancelled',
    });
  });

  it('voids a slow charge not settled yet, conditioned on PROCESSING', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(processing) }));
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled({ reason: 'timeout' }))] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('put')).toEqual([
      expect.objectContaining({
        ConditionExpression: '#status = :expected',
        ExpressionAttributeValues: { ':expected': 'PROCESSING' },
        Item: expect.objectContaining({
          status: 'VOIDED',
          voidReason: 'cancelled',
          paymentId: 'pay-1',
        }) as unknown,
      }),
    ]);
    expect(metricNames()).toEqual([paymentMetrics.voided]);
  });

  it('leaves a completed charge alone: the order service asks for its refund', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(completedPayment) }));
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled({ reason: 'out_of_stock' }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('put')).toHaveLength(0);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(metricNames()).toEqual([]);
    expect(logs.info).toHaveBeenCalledWith(
      expect.stringContaining('nothing to void'),
      expect.objectContaining({ status: 'COMPLETED' }),
    );
  });

  it('re-reads when a charge lands between its read and its void, and leaves that charge alone', async () => {
    const { handler, metricNames } = setup();
    dynamo.on(
      'get',
      () => ({}),
      () => ({ Item: toPaymentItem(completedPayment) }),
    );
    dynamo.on('put', failWith(conditionalCheckFailed()));
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('get')).toHaveLength(2);
    expect(dynamo.inputs('put')).toHaveLength(1);
    expect(metricNames()).toEqual([]);
  });

  it('acknowledges a duplicate OrderCancelled for a voided payment without writing', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({
      Item: toPaymentItem({ ...processing, status: 'VOIDED', voidReason: 'cancelled' }),
    }));
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('put')).toHaveLength(0);
    expect(metricNames()).toEqual([paymentMetrics.duplicates]);
  });

  it('reports an OrderCancelled whose void keeps conflicting, so the queue redelivers it', async () => {
    const { handler } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on(
      'put',
      failWith(
        new AwsServiceError({
          code: 'TransactionConflictException',
          message: 'Transaction is ongoing for the item',
          status: 400,
        }),
      ),
    );
    const response = await handler(
      { Records: [queued('m1', OrderCancelled, orderCancelled())] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(dynamo.inputs('put')).toHaveLength(3);
  });
});

describe('payments handler on refund requests', () => {
  it('refunds a completed payment with PaymentRefunded, conditioned on COMPLETED', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(completedPayment) }));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      { Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-1'))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(transactItems()).toHaveLength(2);
    const [payment, outbox] = transactItems();
    expect(payment!.Put).toMatchObject({
      ExpressionAttributeValues: { ':expected': 'COMPLETED' },
      Item: { status: 'REFUNDED', sequence: 2 },
    });
    expect(JSON.parse(outbox!.Put!.Item!.event as string)).toMatchObject({
      type: 'PaymentRefunded',
      data: { paymentId: 'pay-1', amount: 2500 },
    });
    expect(metricNames()).toEqual([paymentMetrics.refunded]);
  });

  it('warns when a refund request disagrees with the payment, and refunds what was charged', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({ Item: toPaymentItem(completedPayment) }));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      {
        Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-1', { amount: 999 }))],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    const [, outbox] = transactItems();
    expect(JSON.parse(outbox!.Put!.Item!.event as string)).toMatchObject({
      type: 'PaymentRefunded',
      data: { paymentId: 'pay-1', amount: 2500 },
    });
    expect(logs.warn).toHaveBeenCalledWith(
      expect.stringContaining('disagrees with the payment'),
      expect.objectContaining({
        paymentId: 'pay-1',
        mismatch: 'requested 999 USD, charged 2500 USD',
      }),
    );
    expect(metricNames()).toEqual([paymentMetrics.refunded]);
  });

  it('acknowledges a refund of an unknown payment with a warning, writing nothing', async () => {
    const { handler, logs, metricNames } = setup();
    dynamo.on('get', () => ({}));
    dynamo.on('transactWrite', () => ({}));
    const response = await handler(
      { Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-x'))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(logs.warn).toHaveBeenCalledWith(
      expect.stringContaining('unknown payment'),
      expect.anything(),
    );
    // Logged through the message's own logger: the line names the order and the event.
    expect(keysOfLogCall(logs.warn)).toMatchObject({
      orderId: ORDER_ID,
      eventType: 'PaymentRefundRequested',
    });
    expect(metricNames()).toEqual([paymentMetrics.refundsIgnored]);
  });

  it('logs an error and acknowledges a refund of a payment still processing', async () => {
    const { handler, logs } = setup();
    dynamo.on('get', () => ({
      Item: toPaymentItem({ ...completedPayment, status: 'PROCESSING', sequence: 0 }),
    }));
    const response = await handler(
      { Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-1'))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(logs.error).toHaveBeenCalledWith(
      expect.stringContaining('still processing'),
      expect.anything(),
    );
  });

  it('acknowledges a second refund request for a refunded payment without effect', async () => {
    const { handler, metricNames } = setup();
    dynamo.on('get', () => ({
      Item: toPaymentItem({ ...completedPayment, status: 'REFUNDED', sequence: 2 }),
    }));
    const response = await handler(
      { Records: [queued('m1', PaymentRefundRequested, refundRequested('pay-1'))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(dynamo.inputs('transactWrite')).toHaveLength(0);
    expect(metricNames()).toEqual([paymentMetrics.duplicates]);
  });
});
