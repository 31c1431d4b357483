import type { Envelope } from '../../events/index.ts';

/**
 * The transactional outbox format shared by every service table. A producer writes
 * an outbox item in the same TransactWriteItems as its state change; the table's
 * stream feeds the relay, which publishes the event to EventBridge. Tables use
 * string keys named `pk` and `sk`.
 */

/** Value of the `entityType` attribute that marks an outbox item (the stream filter keys on it). */
export const OUTBOX_ENTITY_TYPE = 'OUTBOX';

/** Name of the TTL attribute (epoch seconds) on every table that expires items. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * How long a published outbox item is kept (for inspection and replays from the table)
 * before DynamoDB's TTL deletes it for free. The relay publishes within seconds.
 */
export const OUTBOX_RETENTION_SECONDS = 24 * 60 * 60;

export interface OutboxItem {
  pk: string;
  sk: string;
  entityType: typeof OUTBOX_ENTITY_TYPE;
  /** The envelope, serialized exactly as it will be published as the event's detail. */
  event: string;
  expiresAt: number;
}

/** The outbox item for an event, keyed by its eventId (so writing it twice is detectable). */
export function outboxItem(event: Envelope, now: Date = new Date()): OutboxItem {
  return {
    pk: `OUTBOX#${event.eventId}`,
    sk: 'OUTBOX',
    entityType: OUTBOX_ENTITY_TYPE,
    event: JSON.stringify(event),
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

/**
 * Lambda event-source-mapping filter that passes only newly inserted outbox items
 * to the relay (updates, deletes by TTL and business items never invoke it).
 */
export const outboxStreamFilterPattern = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entityType: { S: [OUTBOX_ENTITY_TYPE] } } },
} as const;
