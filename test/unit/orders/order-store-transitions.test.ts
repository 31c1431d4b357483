import { beforeEach, describe, expect, it } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { OrderCancelled } from '../../../events/index.ts';
import { createOrderStore } from '../../../lambdas/orders/adapters/order-store.ts';
import { toOrderItem, toTimelineItem } from '../../../lambdas/orders/adapters/orders-table.ts';
import type { TimelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import type { TransitionWrite } from '../../../lambdas/orders/use-cases/ports.ts';
import { createDocumentClient } from '../../../lambdas/shared/dynamo.ts';
import { newOrder } from '../saga/fixtures.ts';

const NOW = new Date('2026-11-23T10:00:30.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const order = newOrder({ status: 'CANCELLED', cancellationReason: 'payment_failed', version: 2 });
const event = OrderCancelled.create(
  {
    eventId: 'e2',
    occurredAt: NOW.toISOString(),
    orderId: 'ord-1',
    correlationId: 'ord-1',
    causationId: 'evt-pf',
    sequence: 2,
  },
  { customerId: 'cust-1', currency: 'USD', total: 2500, reason: 'payment_failed' },
);
const entry: TimelineEntry = {
  at: NOW.toISOString(),
  type: 'PaymentFailed',
  eventId: 'evt-pf',
  status: 'CANCELLED',
  payment: 'FAILED',
  inventory: 'NONE',
  emitted: ['OrderCancelled'],
};
const write: TransitionWrite = {
  order,
  expectedVersion: 1,
  events: [event],
  marker: { consumer: 'orders', id: 'evt-pf' },
  timeline: entry,
  now: NOW,
};

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('createOrderStore (saga transitions)', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const store = createOrderStore(createDocumentClient({ region: 'us-east-1' }), 'orders');

  beforeEach(() => {
    dynamo.reset();
  });

  describe('commitTransition', () => {
    it('writes order (on its expected version), marker, outbox items and timeline entry in one transaction', async () => {
      dynamo.on(TransactWriteCommand).resolves({});
      expect(await store.commitTransition(write)).toEqual({ outcome: 'committed' });

      const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
      expect(items.map((item) => item.Put)).toEqual([
        {
          TableName: 'orders',
          Item: toOrderItem(order),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': 1 },
        },
        {
          TableName: 'orders',
          Item: expect.objectContaining({
            pk: 'PROCESSED#orders#evt-pf',
            sk: 'PROCESSED',
            expiresAt: expect.any(Number),
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
        {
          TableName: 'orders',
          Item: expect.objectContaining({
            pk: 'OUTBOX#e2',
            entityType: 'OUTBOX',
            event: JSON.stringify(event),
            expiresAt: NOW_SECONDS + 86_400,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
        {
          TableName: 'orders',
          Item: toTimelineItem('ord-1', 2, entry),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      ]);
    });

    it('writes no marker when the transition has none', async () => {
      dynamo.on(TransactWriteCommand).resolves({});
      const { marker: _none, ...withoutMarker } = write;
      await store.commitTransition(withoutMarker);
      const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
      expect(items.map((item) => (item.Put!.Item as { entityType: string }).entityType)).toEqual([
        'ORDER',
        'OUTBOX',
        'TIMELINE',
      ]);
    });

    it('reports a duplicate when the marker’s condition failed, whatever else failed', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None'));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'duplicate' });
    });

    it('reports a version conflict when only the order’s condition failed', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'version-conflict' });
    });

    it('does not read the first outbox item as a marker when there is no marker', async () => {
      const { marker: _none, ...withoutMarker } = write;
      dynamo
        .on(TransactWriteCommand)
        .rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'));
      expect(await store.commitTransition(withoutMarker)).toEqual({
        outcome: 'version-conflict',
      });
    });

    it('reports a transaction conflict as retryable', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict', 'None'));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'write-conflict' });
    });

    it('rethrows a cancellation it cannot explain and any other error', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
      await expect(store.commitTransition(write)).rejects.toThrow(TransactionCanceledException);
      dynamo.on(TransactWriteCommand).rejects(new Error('throttled'));
      await expect(store.commitTransition(write)).rejects.toThrow('throttled');
    });
  });

  describe('getOrderHistory', () => {
    it('reads the order and its timeline from its partition, consistently, across pages', async () => {
      const first = { ...entry, type: 'OrderPlaced' as const, status: 'PENDING' as const };
      dynamo
        .on(QueryCommand)
        .resolvesOnce({
          Items: [toOrderItem(order), toTimelineItem('ord-1', 1, first)],
          LastEvaluatedKey: { pk: 'ORDER#ord-1', sk: 'TIMELINE#0000000001' },
        })
        .resolvesOnce({ Items: [toTimelineItem('ord-1', 2, entry)] });

      expect(await store.getOrderHistory('ord-1')).toEqual({ order, timeline: [first, entry] });

      const calls = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
      expect(calls[0]).toMatchObject({
        TableName: 'orders',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ORDER#ord-1' },
        ConsistentRead: true,
      });
      expect(calls[1]?.ExclusiveStartKey).toEqual({ pk: 'ORDER#ord-1', sk: 'TIMELINE#0000000001' });
    });

    it('returns undefined when the partition holds no order', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [] });
      expect(await store.getOrderHistory('nope')).toBeUndefined();
    });
  });
});
