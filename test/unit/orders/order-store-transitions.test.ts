import { beforeEach, describe, expect, it } from '@jest/globals';
import { OrderCancelled } from '../../../events/index.ts';
import { createOrderStore } from '../../../lambdas/orders/adapters/order-store.ts';
import {
  TIMELINE_ATTRIBUTE,
  toOrderItem,
  toTimelineItem,
} from '../../../lambdas/orders/adapters/orders-table.ts';
import { encodeTimelineEntry } from '../../../lambdas/orders/adapters/timeline-codec.ts';
import type { TimelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import type { TransitionWrite } from '../../../lambdas/orders/use-cases/ports.ts';
import { AwsServiceError } from '../../../lambdas/shared/aws/errors.ts';
import {
  conditionalCheckFailed,
  failWith,
  FakeDocumentDb,
  transactionCanceled,
} from '../shared/aws/fake-document-db.ts';
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
  timeline: entry,
  now: NOW,
};

const cancelled = (...codes: string[]) => transactionCanceled(codes);

/** The attributes an update sets, by attribute name (placeholders resolved). */
function setAttributes(update: {
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}): Record<string, unknown> {
  const sets = /^SET (.*?)(?: REMOVE .*)?$/.exec(update.UpdateExpression ?? '')?.[1] ?? '';
  return Object.fromEntries(
    sets.split(', ').map((assignment): [string, unknown] => {
      const [name = '', value = ''] = assignment.split(' = ');
      return [
        update.ExpressionAttributeNames?.[name] ?? name,
        update.ExpressionAttributeValues?.[value] ?? value,
      ];
    }),
  );
}

describe('createOrderStore (saga transitions)', () => {
  const dynamo = new FakeDocumentDb();
  const store = createOrderStore(dynamo, 'orders');

  beforeEach(() => {
    dynamo.reset();
  });

  describe('commitTransition', () => {
    it('updates the order (on its expected version) with its timeline entry and writes the outbox items, in one transaction', async () => {
      dynamo.on('transactWrite', () => ({}));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'committed' });

      const items = dynamo.inputs('transactWrite')[0]!.TransactItems!;
      expect(items).toHaveLength(2);
      const update = items[0]!.Update!;
      expect(update).toMatchObject({
        TableName: 'orders',
        Key: { pk: 'ORDER#ord-1', sk: 'ORDER' },
        ConditionExpression: '#version = :expected',
      });
      expect(update.ExpressionAttributeValues?.[':expected']).toBe(1);
      const {
        pk: _pk,
        sk: _sk,
        gsi1pk: _gsi1pk,
        gsi1sk: _gsi1sk,
        ...attributes
      } = toOrderItem(order);
      const set = setAttributes(update);
      expect(set).toMatchObject(attributes);
      // The customer index's keys never change: writing them would write the index too.
      expect(set).not.toHaveProperty('gsi1pk');
      expect(set).not.toHaveProperty('gsi1sk');
      // The entry is appended, never replacing earlier ones.
      expect(update.UpdateExpression).toContain(
        '#tl = list_append(if_not_exists(#tl, :empty), :entry)',
      );
      expect(update.ExpressionAttributeNames?.['#tl']).toBe(TIMELINE_ATTRIBUTE);
      expect(update.ExpressionAttributeValues?.[':entry']).toEqual([
        encodeTimelineEntry(entry, order.createdAt),
      ]);
      expect(items[1]!.Put).toEqual({
        TableName: 'orders',
        Item: expect.objectContaining({
          pk: 'OUTBOX#e2',
          entityType: 'OUTBOX',
          event: JSON.stringify(event),
          expiresAt: NOW_SECONDS + 86_400,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('removes the optional attributes the new order no longer has', async () => {
      dynamo.on('transactWrite', () => ({}));
      await store.commitTransition(write);
      const update = dynamo.inputs('transactWrite')[0]!.TransactItems![0]!.Update!;
      const removed = (/ REMOVE (.*)$/.exec(update.UpdateExpression!)?.[1] ?? '')
        .split(', ')
        .map((name) => update.ExpressionAttributeNames?.[name]);
      expect(removed).toEqual(expect.arrayContaining(['paymentToken', 'cancellationNote']));
      expect(removed).not.toContain('cancellationReason');
    });

    it('writes a transition that emits nothing as one conditional update, without a transaction', async () => {
      dynamo.on('update', () => ({}));
      expect(await store.commitTransition({ ...write, events: [] })).toEqual({
        outcome: 'committed',
      });
      expect(dynamo.inputs('transactWrite')).toHaveLength(0);
      const update = dynamo.inputs('update')[0]!;
      expect(update).toMatchObject({
        TableName: 'orders',
        Key: { pk: 'ORDER#ord-1', sk: 'ORDER' },
        ConditionExpression: '#version = :expected',
      });
      expect(update.ExpressionAttributeValues?.[':expected']).toBe(1);
    });

    it('reports a version conflict when the order’s condition failed', async () => {
      dynamo.on('transactWrite', failWith(cancelled('ConditionalCheckFailed', 'None')));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'version-conflict' });
      dynamo.on('update', failWith(conditionalCheckFailed()));
      expect(await store.commitTransition({ ...write, events: [] })).toEqual({
        outcome: 'version-conflict',
      });
    });

    it('reports a transaction conflict as retryable', async () => {
      dynamo.on('transactWrite', failWith(cancelled('None', 'TransactionConflict')));
      expect(await store.commitTransition(write)).toEqual({ outcome: 'write-conflict' });
      dynamo.on(
        'update',
        failWith(
          new AwsServiceError({
            code: 'TransactionConflictException',
            message: 'conflict',
            status: 400,
          }),
        ),
      );
      expect(await store.commitTransition({ ...write, events: [] })).toEqual({
        outcome: 'write-conflict',
      });
    });

    it('rethrows a cancellation it cannot explain and any other error', async () => {
      dynamo.on('transactWrite', failWith(cancelled('None', 'ConditionalCheckFailed')));
      await expect(store.commitTransition(write)).rejects.toMatchObject({
        name: 'TransactionCanceledException',
      });
      dynamo.on('transactWrite', failWith(new Error('throttled')));
      await expect(store.commitTransition(write)).rejects.toThrow('throttled');
    });
  });

  describe('getOrderHistory', () => {
    it('reads the order and its embedded timeline from its partition, consistently', async () => {
      const first = { ...entry, type: 'OrderPlaced' as const, status: 'PENDING' as const };
      const { eventId: _none, ...placed } = first;
      dynamo.on('query', () => ({
        Items: [
          {
            ...toOrderItem(order),
            [TIMELINE_ATTRIBUTE]: [placed, entry].map((e) =>
              encodeTimelineEntry(e, order.createdAt),
            ),
          },
        ],
      }));
      expect(await store.getOrderHistory('ord-1')).toEqual({ order, timeline: [placed, entry] });
    });

    it('reads legacy timeline items (one per entry) before the embedded entries, across pages', async () => {
      const first = { ...entry, type: 'OrderPlaced' as const, status: 'PENDING' as const };
      const later = { ...entry, type: 'PaymentRefunded' as const, eventId: 'evt-pr', emitted: [] };
      dynamo.on(
        'query',
        () => ({
          Items: [
            {
              ...toOrderItem(order),
              [TIMELINE_ATTRIBUTE]: [encodeTimelineEntry(later, order.createdAt)],
            },
            toTimelineItem('ord-1', 1, first),
          ],
          LastEvaluatedKey: { pk: 'ORDER#ord-1', sk: 'TIMELINE#0000000001' },
        }),
        () => ({ Items: [toTimelineItem('ord-1', 2, entry)] }),
      );

      expect(await store.getOrderHistory('ord-1')).toEqual({
        order,
        timeline: [first, entry, later],
      });

      const calls = dynamo.inputs('query');
      expect(calls[0]).toMatchObject({
        TableName: 'orders',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ORDER#ord-1' },
        ConsistentRead: true,
      });
      expect(calls[1]?.ExclusiveStartKey).toEqual({ pk: 'ORDER#ord-1', sk: 'TIMELINE#0000000001' });
    });

    it('returns undefined when the partition holds no order', async () => {
      dynamo.on('query', () => ({ Items: [] }));
      expect(await store.getOrderHistory('nope')).toBeUndefined();
    });
  });
});
