import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { toPutEventsEntry } from '../../events/index.ts';
import { backoffDelay, DEFAULT_BACKOFF } from '../../lambdas/relay/backoff.ts';
import {
  chunkInOrder,
  MAX_BYTES_PER_CALL,
  MAX_ENTRIES_PER_CALL,
  putEventsEntrySize,
} from '../../lambdas/relay/chunk.ts';
import { readOutboxRecord } from '../../lambdas/relay/outbox-record.ts';
import { failedEntryIndexes } from '../../lambdas/relay/put-events-result.ts';
import { OUTBOX_ENTITY_TYPE } from '../../lambdas/shared/outbox.ts';
import {
  BUS,
  confirmedEvent,
  insertRecord,
  outboxRecord,
  outboxRecordWithEvent,
  sequenceOf,
} from './relay-fixtures.ts';

describe('chunkInOrder', () => {
  const limits = { maxEntries: 3, maxBytes: 100 };

  it('keeps every item, in order, in chunks within both limits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 40 }), (sizes) => {
        const chunks = chunkInOrder(sizes, (size) => size, limits);
        expect(chunks.flat()).toEqual(sizes);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(limits.maxEntries);
          expect(chunk.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(limits.maxBytes);
        }
      }),
    );
  });

  it('starts a new chunk when the next item would exceed the byte limit', () => {
    expect(chunkInOrder([60, 30, 20, 10], (size) => size, limits)).toEqual([
      [60, 30],
      [20, 10],
    ]);
  });

  it('fills a chunk up to exactly the byte limit', () => {
    expect(chunkInOrder([60, 40, 50, 50], (size) => size, limits)).toEqual([
      [60, 40],
      [50, 50],
    ]);
  });

  it('gives an item larger than the byte limit a chunk of its own', () => {
    expect(chunkInOrder([10, 150, 10], (size) => size, limits)).toEqual([[10], [150], [10]]);
  });

  it('uses the PutEvents limits by default', () => {
    expect(MAX_ENTRIES_PER_CALL).toBe(10);
    expect(MAX_BYTES_PER_CALL).toBe(262_144);
    expect(
      chunkInOrder(
        Array.from({ length: 21 }, () => 1),
        () => 1,
      ).map((c) => c.length),
    ).toEqual([10, 10, 1]);
  });
});

describe('putEventsEntrySize', () => {
  it('counts 14 bytes for the time plus the UTF-8 bytes of source, detail-type and detail', () => {
    const entry = { ...toPutEventsEntry(confirmedEvent(1), BUS), Detail: '{"name":"é"}' };
    const expected = 14 + entry.Source.length + entry.DetailType.length + '{"name":"é"}'.length + 1;
    expect(putEventsEntrySize(entry)).toBe(expected);
  });
});

describe('failedEntryIndexes', () => {
  it('is empty when nothing failed', () => {
    expect(failedEntryIndexes({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] }, 1)).toEqual([]);
    expect(failedEntryIndexes({}, 3)).toEqual([]);
  });

  it('picks the entries that carry an error code', () => {
    const result = {
      FailedEntryCount: 2,
      Entries: [
        { EventId: 'a' },
        { ErrorCode: 'ThrottlingException' },
        { EventId: 'c' },
        { ErrorCode: 'InternalFailure' },
      ],
    };
    expect(failedEntryIndexes(result, 4)).toEqual([1, 3]);
  });

  it('counts every entry as failed when the response cannot say which failed', () => {
    expect(failedEntryIndexes({ FailedEntryCount: 1 }, 3)).toEqual([0, 1, 2]);
    expect(failedEntryIndexes({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }] }, 2)).toEqual([
      0, 1,
    ]);
    expect(
      failedEntryIndexes({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { EventId: 'b' }] }, 2),
    ).toEqual([0, 1]);
  });
});

describe('backoffDelay', () => {
  it('stays below a ceiling that doubles per attempt up to the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const ceiling = Math.min(
            DEFAULT_BACKOFF.capMs,
            DEFAULT_BACKOFF.baseMs * 2 ** (attempt - 1),
          );
          const delay = backoffDelay(attempt, () => random);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('spreads delays with the random source (full jitter)', () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.5)).toBe(200);
  });
});

describe('readOutboxRecord', () => {
  it('turns an outbox insert into its validated PutEvents entry', () => {
    expect(readOutboxRecord(outboxRecord(4), BUS)).toEqual({
      kind: 'event',
      sequenceNumber: sequenceOf(4),
      eventId: confirmedEvent(4).eventId,
      entry: toPutEventsEntry(confirmedEvent(4), BUS),
    });
  });

  it('ignores inserts of other items and changes to outbox items', () => {
    const order = insertRecord({ pk: 'ORDER#1', sk: 'ORDER', entityType: 'ORDER' }, '5');
    const removed = { ...outboxRecord(1), eventName: 'REMOVE' as const };
    expect(readOutboxRecord(order, BUS)).toEqual({ kind: 'ignored', sequenceNumber: '5' });
    expect(readOutboxRecord(removed, BUS).kind).toBe('ignored');
  });

  it('marks an outbox item without an event attribute as poison', () => {
    const record = insertRecord(
      { pk: 'OUTBOX#x', sk: 'OUTBOX', entityType: OUTBOX_ENTITY_TYPE },
      '9',
    );
    expect(readOutboxRecord(record, BUS)).toMatchObject({ kind: 'poison', sequenceNumber: '9' });
  });

  it('marks an event larger than PutEvents accepts as poison', () => {
    const huge = JSON.stringify({
      ...confirmedEvent(2),
      data: { customerId: 'x'.repeat(MAX_BYTES_PER_CALL), currency: 'USD', total: 1 },
    });
    expect(readOutboxRecord(outboxRecordWithEvent(2, huge), BUS)).toMatchObject({
      kind: 'poison',
      reason: expect.stringMatching(/over the PutEvents limit/) as unknown,
    });
  });
});
