import type { DynamoDBRecord } from 'aws-lambda';
import { OrderConfirmed, type Envelope } from '../../events/index.ts';
import { outboxItem } from '../../lambdas/shared/outbox.ts';

/** Test data for the relay's tests: valid outbox events and their stream records. */

export const BUS = 'saga-bus';

/** A valid OrderConfirmed envelope; `n` makes its ids unique. */
export function confirmedEvent(n: number): Envelope {
  return OrderConfirmed.create(
    {
      eventId: `evt-${n}`,
      occurredAt: '2026-11-23T10:00:00.000Z',
      orderId: `ord-${n}`,
      correlationId: `ord-${n}`,
      causationId: `cause-${n}`,
      sequence: 3,
    },
    { customerId: `cust-${n}`, currency: 'USD', total: 1000 + n },
  );
}

/** The stream record of inserting an item, with the item's attributes as the new image. */
export function insertRecord(
  item: Record<string, string | number>,
  sequenceNumber: string,
): DynamoDBRecord {
  const NewImage = Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      typeof value === 'number' ? { N: String(value) } : { S: value },
    ]),
  );
  return {
    eventID: `stream-${sequenceNumber}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: NewImage.pk!, sk: NewImage.sk! },
      NewImage,
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** Stream sequence numbers are ordered numeric strings. */
export const sequenceOf = (n: number) => String(1000 + n).padStart(21, '0');

/** The stream record of the outbox item of `confirmedEvent(n)`. */
export function outboxRecord(n: number): DynamoDBRecord {
  return insertRecord({ ...outboxItem(confirmedEvent(n)) }, sequenceOf(n));
}

/** An outbox item whose `event` attribute is `event` (for poison records). */
export function outboxRecordWithEvent(n: number, event: string): DynamoDBRecord {
  return insertRecord({ ...outboxItem(confirmedEvent(n)), event }, sequenceOf(n));
}

/** Records 0..count-1. */
export const outboxRecords = (count: number) =>
  Array.from({ length: count }, (_, n) => outboxRecord(n));

/** The eventIds inside PutEvents entries, to compare calls with records. */
export const eventIdsOf = (entries: readonly { Detail?: string }[]) =>
  entries.map((entry) => (JSON.parse(entry.Detail ?? '{}') as { eventId: string }).eventId);
