import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  fromTimelineItem,
  timelineKey,
  toTimelineItem,
} from '../../../lambdas/orders/adapters/orders-table.ts';
import {
  CorruptTimelineError,
  decodeTimelineEntry,
  encodeTimelineEntry,
} from '../../../lambdas/orders/adapters/timeline-codec.ts';
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

describe('legacy timeline items', () => {
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

describe('timeline codec (entries stored on the order item)', () => {
  const createdAt = '2026-11-23T10:00:00.000Z';
  const types = [
    'OrderPlaced',
    'PaymentCompleted',
    'PaymentFailed',
    'PaymentRefunded',
    'InventoryReserved',
    'InventoryFailed',
    'InventoryReleased',
    'SagaTimedOut',
    'CancelRequested',
  ] as const;
  const entryArbitrary = fc.record(
    {
      at: fc
        .integer({ min: 0, max: 10 * 24 * 3600 * 1000 })
        .map((ms) => new Date(Date.parse(createdAt) + ms).toISOString()),
      type: fc.constantFrom(...types),
      eventId: fc.string({ minLength: 1, maxLength: 60 }),
      status: fc.constantFrom('PENDING', 'CONFIRMED', 'CANCELLED' as const),
      payment: fc.constantFrom(
        'NONE',
        'COMPLETED',
        'FAILED',
        'REFUND_REQUESTED',
        'REFUNDED' as const,
      ),
      inventory: fc.constantFrom(
        'NONE',
        'RESERVED',
        'FAILED',
        'RELEASE_REQUESTED',
        'RELEASED' as const,
      ),
      emitted: fc.array(
        fc.oneof(
          fc.constantFrom(
            'OrderCreated',
            'OrderConfirmed',
            'OrderCancelled',
            'PaymentRefundRequested',
            'InventoryReleaseRequested',
          ),
          fc.stringMatching(/^[A-Za-z]{1,30}$/),
        ),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: ['at', 'type', 'status', 'payment', 'inventory', 'emitted'] },
  );

  it('round-trips every entry, whatever its eventId holds', () => {
    fc.assert(
      fc.property(entryArbitrary, (entry) => {
        const stored = encodeTimelineEntry(entry, createdAt);
        expect(decodeTimelineEntry(stored, createdAt)).toEqual(entry);
      }),
    );
  });

  it('keeps a typical entry small, so the order item stays within one write unit', () => {
    const entry = timelineEntry(
      newOrder({ status: 'CONFIRMED', updatedAt: '2026-11-23T10:00:01.234Z' }),
      { type: 'InventoryReserved', eventId: '5f0c2a3e-8f1d-4c55-9b0e-1d2c3b4a5f6e' },
      [{ type: 'OrderConfirmed' }],
    );
    const stored = encodeTimelineEntry(entry, createdAt);
    expect(stored).toBe('1234|iCNN|b|5f0c2a3e-8f1d-4c55-9b0e-1d2c3b4a5f6e');
  });

  it('stores an emitted type named like an Object member by name, not as that member', () => {
    const entry = {
      at: createdAt,
      type: 'OrderPlaced' as const,
      status: 'PENDING' as const,
      payment: 'NONE' as const,
      inventory: 'NONE' as const,
      emitted: ['constructor', 'toString', '__proto__', 'hasOwnProperty'],
    };
    const stored = encodeTimelineEntry(entry, createdAt);
    expect(stored).toBe('0|oPNN|[constructor][toString][__proto__][hasOwnProperty]|');
    expect(decodeTimelineEntry(stored, createdAt)).toEqual(entry);
  });

  it('refuses to store an emitted type that would make the entry unreadable', () => {
    for (const type of ['Odd]Type', 'Odd|Type', 'Odd[Type'])
      expect(() =>
        encodeTimelineEntry(
          {
            at: createdAt,
            type: 'OrderPlaced',
            status: 'PENDING',
            payment: 'NONE',
            inventory: 'NONE',
            emitted: [type],
          },
          createdAt,
        ),
      ).toThrow(`Cannot store emitted type "${type}"`);
  });

  it('rejects a stored string that is not an entry', () => {
    for (const corrupt of [
      '',
      'x|pPCN||e',
      '12|zPCN||e',
      '12|pPC||e',
      '12|pPCN|?|e',
      '12|pPCN|[x|e',
    ])
      expect(() => decodeTimelineEntry(corrupt, createdAt)).toThrow(CorruptTimelineError);
  });
});
