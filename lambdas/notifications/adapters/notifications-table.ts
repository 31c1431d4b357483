import { TTL_ATTRIBUTE } from '../../shared/outbox.ts';

/**
 * The notifications table's layout: key names, item keys and the attribute names the
 * Powertools idempotency records use. Pure data and functions with no AWS SDK import,
 * so the CDK code imports the names from here instead of retyping strings.
 *
 * The table is a plain table (no stream: the service emits no events) with TTL.
 *
 * | item                   | pk                          | sk                                         |
 * |------------------------|-----------------------------|--------------------------------------------|
 * | notification attempt   | `ORDER#<orderId>`           | `NOTIFICATION#<eventId>#<channel>`         |
 * | cancellation noted     | `ORDER#<orderId>`           | `CANCELLATION`                             |
 * | idempotency (Powertools)| `IDEMPOTENCY#notifications` | `notifications.send#<hash of eventId+channel>` |
 *
 * One query on `ORDER#<orderId>` lists an order's notifications. Idempotency records live
 * in their own partition, so they never show up in that query.
 */
export const notificationsTableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch-seconds TTL attribute: idempotency records and attempt records expire by it. */
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

/** `entityType` of a notification attempt record. */
export const NOTIFICATION_ENTITY_TYPE = 'NOTIFICATION';

/** Prefix of every notification record's sort key (what the per-order query filters on). */
export const NOTIFICATION_SORT_KEY_PREFIX = 'NOTIFICATION#';

/** The primary key of a table item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** The partition holding an order's notifications. */
export const orderPartition = (orderId: string): string => `ORDER#${orderId}`;

/** The key of the record of one notification: one per (event, channel). */
export const notificationKey = (orderId: string, eventId: string, channel: string): ItemKey => ({
  pk: orderPartition(orderId),
  sk: `${NOTIFICATION_SORT_KEY_PREFIX}${eventId}#${channel}`,
});

/**
 * The key of the note that an order was cancelled: a confirmation handled after it is
 * not sent. Outside the `NOTIFICATION#` prefix, so it is not listed as a notification.
 */
export const cancellationKey = (orderId: string): ItemKey => ({
  pk: orderPartition(orderId),
  sk: 'CANCELLATION',
});

/**
 * How the Powertools DynamoDB persistence layer stores its records in this table: the
 * table's own key names, a fixed partition of their own, and the table's TTL attribute
 * as their expiry, so DynamoDB deletes expired records for free.
 *
 * All records share one partition: fine at notification volumes (each send is two
 * writes; a partition takes 1,000 writes per second and DynamoDB splits hot ones).
 */
export const idempotencyRecordAttributes = {
  keyAttr: notificationsTableKeys.partitionKey,
  sortKeyAttr: notificationsTableKeys.sortKey,
  staticPkValue: 'IDEMPOTENCY#notifications',
  expiryAttr: notificationsTableKeys.timeToLiveAttribute,
} as const;

/**
 * Prefix of the idempotency keys of sends. Fixed rather than Powertools' default (the
 * Lambda function's name), so a deployment that renames the function does not forget
 * which notifications were already sent.
 */
export const SEND_IDEMPOTENCY_KEY_PREFIX = 'notifications.send';
