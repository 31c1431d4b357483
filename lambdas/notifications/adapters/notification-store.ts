import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { Channels, Templates, type Notification } from '../domain/notification.ts';
import type {
  Delivery,
  NotificationRecord,
  NotificationStore,
  RecordOutcome,
} from '../use-cases/ports.ts';
import { isConditionalCheckFailed, type DocumentDb } from '../../shared/aws/document-db.ts';
import {
  cancellationKey,
  NOTIFICATION_ENTITY_TYPE,
  NOTIFICATION_SORT_KEY_PREFIX,
  notificationKey,
  notificationsTableKeys,
  orderPartition,
} from './notifications-table.ts';

/** How long an order's notification history is kept before TTL deletes it (a year, for support). */
export const NOTIFICATION_RETENTION_SECONDS = 365 * 24 * 60 * 60;

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** `entityType` of the note that an order was cancelled. */
const CANCELLATION_ENTITY_TYPE = 'CANCELLATION';

const NotificationItem = z.object({
  orderId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  channel: z.enum(Channels),
  recipient: z.string(),
  template: z.enum([Templates.orderConfirmed, Templates.orderCancelled]),
  status: z.enum(['SENT', 'FAILED']),
  attempts: z.number(),
  lastError: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.optional(z.string()),
  providerMessageId: z.optional(z.string()),
  /** Every message the provider accepted for this notification, oldest first. */
  providerMessageIds: z.optional(z.array(z.string())),
});

/** A stored item as listed: the earlier sends, if any, named apart from the latest. */
function toRecord(item: unknown): NotificationRecord {
  const { providerMessageIds = [], ...record } = NotificationItem.parse(item);
  const earlier = providerMessageIds.filter((id) => id !== record.providerMessageId);
  return earlier.length > 0 ? { ...record, earlierProviderMessageIds: earlier } : record;
}

/**
 * An update that sets `values` (every name through a placeholder: `status` and friends
 * are DynamoDB reserved words), appends `appendTo`'s values to its lists, keeps the first
 * `createdAt`, and adds one attempt.
 */
function attemptUpdate(
  values: Record<string, string | number>,
  now: Date,
  appendTo: Record<string, string> = {},
) {
  const names: Record<string, string> = { '#createdAt': 'createdAt', '#attempts': 'attempts' };
  const attributeValues: Record<string, string | number | string[]> = {
    ':now': now.toISOString(),
    ':one': 1,
  };
  const assignments = Object.entries(values).map(([name, value]) => {
    names[`#${name}`] = name;
    attributeValues[`:${name}`] = value;
    return `#${name} = :${name}`;
  });
  for (const [name, value] of Object.entries(appendTo)) {
    names[`#${name}`] = name;
    attributeValues[`:${name}`] = [value];
    attributeValues[':noValues'] = [];
    assignments.push(`#${name} = list_append(if_not_exists(#${name}, :noValues), :${name})`);
  }
  return {
    UpdateExpression: `SET ${[...assignments, '#createdAt = if_not_exists(#createdAt, :now)'].join(', ')} ADD #attempts :one`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: attributeValues,
  };
}

/** The attributes every write of a notification's record sets. */
function describedBy(notification: Notification, now: Date) {
  const { orderId, eventId, eventType, maskedRecipient, message } = notification;
  return {
    entityType: NOTIFICATION_ENTITY_TYPE,
    orderId,
    eventId,
    eventType,
    channel: message.channel,
    recipient: maskedRecipient,
    template: message.template,
    updatedAt: now.toISOString(),
    [notificationsTableKeys.timeToLiveAttribute]:
      epochSeconds(now) + NOTIFICATION_RETENTION_SECONDS,
  };
}

/**
 * The notifications table through DynamoDB: the {@link NotificationStore} of the use cases.
 * One item per (event, channel), updated in place by each attempt; the ids of all the
 * messages the provider accepted for it are kept.
 *
 * @param db - the DynamoDB client of `shared/aws`, created once per container.
 * @param tableName - the notifications table.
 */
export function createNotificationStore(db: DocumentDb, tableName: string): NotificationStore {
  /** Runs a conditional update; a failed condition means "already so": `unchanged`. */
  async function conditionalUpdate(
    input: Omit<UpdateCommandInput, 'TableName'>,
  ): Promise<RecordOutcome> {
    try {
      await db.update({ TableName: tableName, ...input });
      return 'recorded';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'unchanged';
      throw error;
    }
  }

  return {
    recordSent(notification: Notification, delivery: Delivery, now: Date) {
      const { orderId, eventId, message } = notification;
      const update = attemptUpdate(
        {
          ...describedBy(notification, now),
          status: 'SENT',
          sentAt: delivery.sentAt,
          providerMessageId: delivery.messageId,
        },
        now,
        // The history: a message sent again after its send could not be remembered as
        // done adds its id here, so the first send's id is not overwritten.
        { providerMessageIds: delivery.messageId },
      );
      return conditionalUpdate({
        Key: notificationKey(orderId, eventId, message.channel),
        ...update,
        // Counted once per provider message: a replay of the same delivery, or a retry of
        // this write, is a no-op. (An item from before the list only has the latest id.)
        ConditionExpression:
          'attribute_not_exists(#providerMessageId) OR (#providerMessageId <> :providerMessageId AND NOT contains(#providerMessageIds, :providerMessageId))',
      });
    },

    recordFailed(notification: Notification, error: string, now: Date) {
      const { orderId, eventId, message } = notification;
      const update = attemptUpdate(
        { ...describedBy(notification, now), status: 'FAILED', lastError: error },
        now,
      );
      return conditionalUpdate({
        Key: notificationKey(orderId, eventId, message.channel),
        ...update,
        // A sent notification never turns back into a failed one.
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :sent',
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':sent': 'SENT' },
      });
    },

    async noteCancellation(orderId: string, eventId: string, now: Date): Promise<void> {
      // A plain put: noting it again (a redelivered OrderCancelled) changes nothing that
      // matters, and one write is cheaper than a conditional one that may fail.
      await db.put({
        TableName: tableName,
        Item: {
          ...cancellationKey(orderId),
          entityType: CANCELLATION_ENTITY_TYPE,
          orderId,
          eventId,
          notedAt: now.toISOString(),
          [notificationsTableKeys.timeToLiveAttribute]:
            epochSeconds(now) + NOTIFICATION_RETENTION_SECONDS,
        },
      });
    },

    async wasCancelled(orderId: string): Promise<boolean> {
      const { Item } = await db.get({
        TableName: tableName,
        Key: cancellationKey(orderId),
        // The note may have been written a moment ago by another invocation.
        ConsistentRead: true,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': notificationsTableKeys.partitionKey },
      });
      return Item !== undefined;
    },

    async listByOrder(orderId: string): Promise<NotificationRecord[]> {
      const records: NotificationRecord[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.query({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: {
            '#pk': notificationsTableKeys.partitionKey,
            '#sk': notificationsTableKeys.sortKey,
          },
          ExpressionAttributeValues: {
            ':pk': orderPartition(orderId),
            ':prefix': NOTIFICATION_SORT_KEY_PREFIX,
          },
          // Read-your-writes for a client polling right after the saga ends.
          ConsistentRead: true,
          ExclusiveStartKey,
        });
        for (const item of page.Items ?? []) records.push(toRecord(item));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return records;
    },
  };
}
