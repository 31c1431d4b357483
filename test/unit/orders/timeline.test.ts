import { describe, expect, it } from '@jest/globals';
import {
  fromTimelineItem,
  timelineKey,
  toTimelineItem,
} from '../../../lambdas/orders/adapters/orders-table.ts';
import { timelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import { newOrder } from '../saga/fixtures.ts';

describe('timelineEntry', () => {
  it('records the order’s state after the change, what caused it and what it emitted', () => {
    const after = newOrder({
      status: 'CANCELLED',
      updatedAt: '2026-11-23T10:00:05.000Z',
      saga: { payment: 'REFUND_REQUESTED', inventory: 'FAILED', paymentId: 'pay-1' },
    });
    expect(
      timelineEntry(after, { type: 'InventoryFailed', eventId: 'evt-9' }, [
        { type: 'OrderCancelled' },
        { type: 'PaymentRefundRequested' },
      ]),
    ).toEqual({
      at: '2026-11-23T10:00:05.000Z',
      type: 'InventoryFailed',
      eventId: 'evt-9',
      status: 'CANCELLED',
      payment: 'REFUND_REQUESTED',
      inventory: 'FAILED',
      emitted: ['OrderCancelled', 'PaymentRefundRequested'],
    });
  });

  it('has no eventId for a change no event caused', () => {
    expect(timelineEntry(newOrder(), { type: 'SagaTimedOut' }, [])).not.toHaveProperty('eventId');
  });
});

describe('timeline items', () => {
  it('share the order’s partition and sort by version', () => {
    const keys = [10, 2, 1, 123_456].map((version) => timelineKey('ord-1', version));
    expect(new Set(keys.map((key) => key.pk))).toEqual(new Set(['ORDER#ord-1']));
    expect(keys.map((key) => key.sk).sort()).toEqual([
      'TIMELINE#0000000001',
      'TIMELINE#0000000002',
      'TIMELINE#0000000010',
      'TIMELINE#0000123456',
    ]);
    // Sorted after the order's own item, so one query returns the order first.
    expect(keys.every((key) => key.sk > 'ORDER')).toBe(true);
  });

  it('stay out of the customer index and round-trip to the same entry', () => {
    const entry = timelineEntry(newOrder(), { type: 'OrderPlaced' }, [{ type: 'OrderCreated' }]);
    const item = toTimelineItem('ord-1', 1, entry);
    expect(item).toMatchObject({ entityType: 'TIMELINE', orderId: 'ord-1', version: 1 });
    expect(item).not.toHaveProperty('gsi1pk');
    expect(fromTimelineItem({ ...item })).toEqual(entry);
  });
});
