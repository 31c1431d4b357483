import type { DynamoDBRecord } from 'aws-lambda';
import { toPutEventsEntry, type PutEventsEntry } from '../../events/index.ts';
import { OUTBOX_ENTITY_TYPE } from '../shared/outbox.ts';
import { MAX_BYTES_PER_CALL, putEventsEntrySize } from './chunk.ts';

/** What the relay makes of one stream record. */
export type OutboxRecord =
  /** A valid outbox event, ready to publish. */
  | { kind: 'event'; sequenceNumber: string; eventId: string; entry: PutEventsEntry }
  /** An outbox item that can never be published (unreadable, invalid, too large). */
  | { kind: 'poison'; sequenceNumber: string; reason: string }
  /** Not a new outbox item: nothing to publish (the mapping's filter normally drops these). */
  | { kind: 'ignored'; sequenceNumber: string };

/**
 * Reads a DynamoDB stream record: the new image's `event` attribute holds the
 * envelope exactly as it is to be published, which is validated against its contract.
 * @throws when the record has no sequence number (not a stream record at all)
 */
export function readOutboxRecord(record: DynamoDBRecord, eventBusName: string): OutboxRecord {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (!sequenceNumber) throw new Error('Stream record without dynamodb.SequenceNumber');

  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entityType?.S !== OUTBOX_ENTITY_TYPE) {
    return { kind: 'ignored', sequenceNumber };
  }
  const serialized = image.event?.S;
  if (serialized === undefined) {
    return {
      kind: 'poison',
      sequenceNumber,
      reason: 'outbox item has no string attribute "event"',
    };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(serialized);
  } catch {
    return { kind: 'poison', sequenceNumber, reason: 'outbox "event" is not valid JSON' };
  }
  let entry: PutEventsEntry;
  try {
    entry = toPutEventsEntry(envelope, eventBusName);
  } catch (error) {
    return { kind: 'poison', sequenceNumber, reason: `invalid envelope: ${errorText(error)}` };
  }
  const size = putEventsEntrySize(entry);
  if (size > MAX_BYTES_PER_CALL) {
    return {
      kind: 'poison',
      sequenceNumber,
      reason: `event is ${size} bytes, over the PutEvents limit`,
    };
  }
  return {
    kind: 'event',
    sequenceNumber,
    eventId: (envelope as { eventId: string }).eventId,
    entry,
  };
}

function errorText(error: unknown): string {
  // Keep the reason short: a zod error lists every issue on its own line.
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
