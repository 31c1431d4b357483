import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { createInventoryStore } from '../../lambdas/inventory/adapters/inventory-store.ts';
import { toReservationItem } from '../../lambdas/inventory/adapters/inventory-table.ts';
import {
  createInventoryConsumer,
  inventoryConsumerMetrics,
} from '../../lambdas/inventory/consumer/inventory-consumer.ts';
import { AwsServiceError } from '../../lambdas/shared/aws/errors.ts';
import {
  isServiceMetric,
  keysOfLogCall,
  quietObservability,
  spyOnLogs,
} from '../support/lambda-fixtures.ts';
import { NOW, paymentCompleted, releaseRequested } from '../unit/inventory/fixtures.ts';
import { consumerContext, delivered, sqsRecord } from '../unit/inventory/sqs-fixtures.ts';
import { failWith, FakeDocumentDb } from '../unit/shared/aws/fake-document-db.ts';

const dynamo = new FakeDocumentDb();
afterEach(() => {
  dynamo.reset();
  jest.restoreAllMocks();
});

const TABLE = 'inventory-table';

function consumerUnderTest() {
  const observability = quietObservability();
  let counter = 0;
  const handler = createInventoryConsumer({
    store: createInventoryStore(dynamo, TABLE),
    now: () => NOW,
    newId: () => `id-${++counter}`,
    retry: { sleep: () => Promise.resolve(), maxAttempts: 3 },
    observability,
  });
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const call = (...bodies: unknown[]) =>
    handler(
      { Records: bodies.map((body, index) => sqsRecord(`m${index + 1}`, body)) },
      consumerContext(),
    );
  return { call, addMetric };
}

const cancelled = (reasons: CancellationReason[]) =>
  new AwsServiceError({
    code: 'TransactionCanceledException',
    message: 'Transaction cancelled',
    status: 400,
    details: { CancellationReasons: reasons },
  });
const none: CancellationReason = { Code: 'None' };
const conditionFailed = (item?: CancellationReason['Item']): CancellationReason => ({
  Code: 'ConditionalCheckFailed',
  ...(item ? { Item: item } : {}),
});

const transactions = () => dynamo.inputs('transactWrite').map((input) => input.TransactItems ?? []);

describe('inventory consumer handler', () => {
  it('reserves the stock of a PaymentCompleted in one transaction and acknowledges it', async () => {
    dynamo.on('transactWrite', () => ({}));
    const { call, addMetric } = consumerUnderTest();
    const info = spyOnLogs('info');
    const event = paymentCompleted([
      { sku: 'A', quantity: 1 },
      { sku: 'A', quantity: 2 },
    ]);

    const response = await call(delivered(event));

    expect(response.batchItemFailures).toEqual([]);
    const [items] = transactions();
    expect(items).toHaveLength(3);
    expect(items![0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: 'RESERVATION#order-1', status: 'RESERVED', paymentEventId: event.eventId },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(JSON.parse(items![1]!.Put?.Item?.event as string)).toMatchObject({
      type: 'InventoryReserved',
      data: { reservationId: 'id-1', items: [{ sku: 'A', quantity: 3 }] },
    });
    expect(items![2]!.Update).toMatchObject({
      Key: { pk: 'PRODUCT#A', sk: 'PRODUCT' },
      ConditionExpression: 'attribute_exists(pk) AND available >= :q',
      ExpressionAttributeValues: { ':q': 3 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.reserved, 'Count', 1);
    // Logged through the message's own logger: the line names the order and the event.
    expect(info).toHaveBeenCalledWith('Stock reserved', { reservationId: 'id-1' });
    expect(keysOfLogCall(info)).toMatchObject({ orderId: 'order-1', eventId: event.eventId });
  });

  it('acknowledges a duplicate event (its own reservation cancelled the transaction) without writing again', async () => {
    const event = paymentCompleted([{ sku: 'A', quantity: 1 }]);
    dynamo.on(
      'transactWrite',
      failWith(cancelled([conditionFailed({ paymentEventId: { S: event.eventId } }), none, none])),
    );
    const { call, addMetric } = consumerUnderTest();

    const response = await call(delivered(event));

    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(1);
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.duplicates, 'Count', 1);
  });

  it('ignores, with a warning and its own metric, a PaymentCompleted for an order that has a reservation made for another event', async () => {
    dynamo.on(
      'transactWrite',
      failWith(
        cancelled([conditionFailed({ paymentEventId: { S: 'another-event' } }), none, none]),
      ),
    );
    const { call, addMetric } = consumerUnderTest();
    const warn = spyOnLogs('warn');

    const response = await call(delivered(paymentCompleted([{ sku: 'A', quantity: 1 }])));

    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(1);
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.ignored, 'Count', 1);
    expect(addMetric).not.toHaveBeenCalledWith(inventoryConsumerMetrics.duplicates, 'Count', 1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('already has a reservation'));
  });

  it('takes a failed check that returned an empty item for an unknown SKU', async () => {
    dynamo.on('transactWrite', failWith(cancelled([none, none, conditionFailed({})])), () => ({}));
    const { call } = consumerUnderTest();

    const response = await call(delivered(paymentCompleted([{ sku: 'GHOST', quantity: 1 }])));

    expect(response.batchItemFailures).toEqual([]);
    const [, failure] = transactions();
    expect(JSON.parse(failure![1]!.Put?.Item?.event as string)).toMatchObject({
      type: 'InventoryFailed',
      data: { reason: 'unknown_sku', skus: ['GHOST'] },
    });
  });

  it('records InventoryFailed(unknown_sku) naming the missing SKU, even when another SKU is short', async () => {
    dynamo.on(
      'transactWrite',
      failWith(
        cancelled([none, none, conditionFailed({ pk: { S: 'PRODUCT#A' } }), conditionFailed()]),
      ),
      () => ({}),
    );
    const { call } = consumerUnderTest();

    const response = await call(
      delivered(
        paymentCompleted([
          { sku: 'A', quantity: 9 },
          { sku: 'GHOST', quantity: 1 },
        ]),
      ),
    );

    expect(response.batchItemFailures).toEqual([]);
    const [, failure] = transactions();
    expect(failure).toHaveLength(2);
    expect(failure![0]!.Put?.Item).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'unknown_sku', skus: ['GHOST'] },
    });
    expect(JSON.parse(failure![1]!.Put?.Item?.event as string)).toMatchObject({
      type: 'InventoryFailed',
      data: { reason: 'unknown_sku', skus: ['GHOST'] },
    });
  });

  it('records InventoryFailed(out_of_stock) when an existing product is short', async () => {
    dynamo.on(
      'transactWrite',
      failWith(cancelled([none, none, conditionFailed({ pk: { S: 'PRODUCT#A' } })])),
      () => ({}),
    );
    const { call, addMetric } = consumerUnderTest();

    const response = await call(delivered(paymentCompleted([{ sku: 'A', quantity: 9 }])));

    expect(response.batchItemFailures).toEqual([]);
    const [, failure] = transactions();
    expect(JSON.parse(failure![1]!.Put?.Item?.event as string)).toMatchObject({
      type: 'InventoryFailed',
      data: { reason: 'out_of_stock', skus: ['A'] },
    });
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.reservationFailed, 'Count', 1);
  });

  it('retries transaction conflicts and reports the message when they do not stop', async () => {
    dynamo.on('transactWrite', failWith(cancelled([none, none, { Code: 'TransactionConflict' }])));
    const { call } = consumerUnderTest();

    const response = await call(delivered(paymentCompleted([{ sku: 'A', quantity: 1 }])));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(transactions()).toHaveLength(3);
  });

  it('reports a message when DynamoDB fails, so the queue retries it', async () => {
    dynamo.on('transactWrite', failWith(new Error('Service unavailable')));
    const { call } = consumerUnderTest();
    const response = await call(delivered(paymentCompleted([{ sku: 'A', quantity: 1 }])));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('reports poison messages (not JSON, unknown type, invalid event) and still handles the good ones', async () => {
    dynamo.on('transactWrite', () => ({}));
    const { call } = consumerUnderTest();
    const good = delivered(paymentCompleted([{ sku: 'A', quantity: 1 }]));

    const response = await call(
      'not json',
      good,
      { ...good, 'detail-type': 'OrderShipped' },
      { ...good, detail: { ...good.detail, data: { items: [] } } },
    );

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'm1',
      'm3',
      'm4',
    ]);
    expect(transactions()).toHaveLength(1);
  });

  it('releases a reservation on InventoryReleaseRequested, conditional on it being unchanged', async () => {
    dynamo.on('get', () => ({
      Item: toReservationItem({
        orderId: 'order-1',
        reservationId: 'res-1',
        status: 'RESERVED',
        items: [{ sku: 'A', quantity: 2 }],
        sequence: 1,
        paymentEventId: 'payment-event-1',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      }),
    }));
    dynamo.on('transactWrite', () => ({}));
    const { call, addMetric } = consumerUnderTest();

    const response = await call(delivered(releaseRequested('res-1', [{ sku: 'A', quantity: 2 }])));

    expect(response.batchItemFailures).toEqual([]);
    const [items] = transactions();
    expect(items![0]!.Put).toMatchObject({
      Item: { status: 'RELEASED', sequence: 2 },
      ConditionExpression: '#status = :reserved AND #sequence = :sequence',
      ExpressionAttributeValues: { ':reserved': 'RESERVED', ':sequence': 1 },
    });
    expect(JSON.parse(items![1]!.Put?.Item?.event as string)).toMatchObject({
      type: 'InventoryReleased',
      sequence: 2,
    });
    expect(items![2]!.Update).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND reserved >= :q',
      ExpressionAttributeValues: { ':q': 2 },
    });
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.released, 'Count', 1);
  });

  it('acknowledges a release already done as a duplicate, writing nothing', async () => {
    dynamo.on('get', () => ({
      Item: toReservationItem({
        orderId: 'order-1',
        reservationId: 'res-1',
        status: 'RELEASED',
        items: [{ sku: 'A', quantity: 2 }],
        releaseReason: 'timeout',
        sequence: 2,
        paymentEventId: 'payment-event-1',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      }),
    }));
    const { call, addMetric } = consumerUnderTest();

    const response = await call(delivered(releaseRequested('res-1', [{ sku: 'A', quantity: 2 }])));

    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(0);
    expect(addMetric.mock.calls.map(([name]) => name).filter(isServiceMetric)).toEqual([
      inventoryConsumerMetrics.duplicates,
    ]);
  });

  it('acknowledges a release of an unknown reservation, writing nothing', async () => {
    dynamo.on('get', () => ({}));
    const { call, addMetric } = consumerUnderTest();

    const request = releaseRequested('res-1', [{ sku: 'A', quantity: 2 }]);
    const response = await call(delivered(request));

    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(0);
    expect(dynamo.inputs('put')).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith(inventoryConsumerMetrics.ignored, 'Count', 1);
  });

  it('reports a release that would make stock inconsistent, so it ends in the DLQ', async () => {
    dynamo.on('get', () => ({
      Item: toReservationItem({
        orderId: 'order-1',
        reservationId: 'res-1',
        status: 'RESERVED',
        items: [{ sku: 'A', quantity: 2 }],
        sequence: 1,
        paymentEventId: 'payment-event-1',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      }),
    }));
    dynamo.on('transactWrite', failWith(cancelled([none, none, conditionFailed()])));
    const { call } = consumerUnderTest();
    const response = await call(delivered(releaseRequested('res-1', [{ sku: 'A', quantity: 2 }])));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
