import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { isTransactionCanceled, type DocumentDb } from '../../shared/aws/document-db.ts';
import { isAwsError } from '../../shared/aws/errors.ts';
import { getItemsByKey, itemKeyId } from '../../shared/batch-get-items.ts';
import { outboxItem, TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import type { Order } from '../domain/order.ts';
import type { TimelineEntry } from '../domain/timeline.ts';
import {
  type CreateOrderOutcome,
  type IdempotencyRecord,
  InvalidCursorError,
  type NewOrderWrite,
  type OrderHistory,
  type OrderPage,
  type OrderStore,
  type TransitionOutcome,
  type TransitionWrite,
} from '../use-cases/ports.ts';
import {
  customerPartition,
  decodeCursor,
  encodeCursor,
  fromOrderItem,
  fromTimelineItem,
  idempotencyKey,
  ordersTableKeys,
  OrdersEntityType,
  orderKey,
  TIMELINE_ATTRIBUTE,
  toOrderItem,
  type CustomerPageKey,
} from './orders-table.ts';
import { decodeTimelineEntry, encodeTimelineEntry } from './timeline-codec.ts';

const IdempotencyItem = z.object({
  idempotencyKey: z.string(),
  requestHash: z.string(),
  orderId: z.string(),
  statusCode: z.number(),
  responseBody: z.string(),
  createdAt: z.string(),
  expiresAt: z.number(),
});

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The stored item of an idempotency record. */
function toIdempotencyItem(record: IdempotencyRecord) {
  const { key, ...rest } = record;
  return {
    ...idempotencyKey(key),
    entityType: OrdersEntityType.idempotency,
    idempotencyKey: key,
    ...rest,
  };
}

function fromIdempotencyItem(
  item: Record<string, unknown> | undefined,
): IdempotencyRecord | undefined {
  const parsed = z.safeParse(IdempotencyItem, item);
  if (!parsed.success) return undefined;
  const { idempotencyKey: key, ...rest } = parsed.data;
  return { key, ...rest };
}

/**
 * The item a cancelled transaction returned (ALL_OLD), in plain values. Errors come with
 * DynamoDB's raw items (as from the SDK), and only strings and numbers are needed here.
 */
function plainItem(
  item: Record<string, AttributeValue> | undefined,
): Record<string, unknown> | undefined {
  if (!item) return undefined;
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      value.S ?? (value.N === undefined ? undefined : Number(value.N)),
    ]),
  );
}

/** Why a transaction was cancelled, per item (in TransactItems order), or undefined if it was not. */
function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  return isTransactionCanceled(error) ? (error.CancellationReasons ?? []) : undefined;
}

/** Optional attributes of an order: a transition that leaves one out removes it from the item. */
const OPTIONAL_ORDER_ATTRIBUTES = [
  'customerEmail',
  'paymentToken',
  'cancellationReason',
  'cancellationNote',
] as const satisfies readonly (keyof Order)[];

/**
 * The update, conditioned by the caller on `#version = :expected`, that makes the stored
 * order item `order` and appends `entry` to its timeline
 * (`list_append`, so the transition needs neither the stored entries nor a second item).
 * Every attribute of the order is set but the keys: the table's cannot be, and the customer
 * index's (from customerId and createdAt) never change, so the update leaves them as the
 * creation wrote them and never touches the index. Names and values are placeholders, so no
 * attribute name can clash with a reserved word.
 */
function orderUpdateExpression(order: Order, entry: string, expectedVersion: number) {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...attributes } = toOrderItem(order);
  const names: Record<string, string> = { '#version': 'version', '#tl': TIMELINE_ATTRIBUTE };
  const values: Record<string, unknown> = {
    ':expected': expectedVersion,
    ':entry': [entry],
    ':empty': [],
  };
  const sets = ['#tl = list_append(if_not_exists(#tl, :empty), :entry)'];
  Object.entries(attributes).forEach(([name, value], index) => {
    if (value === undefined) return;
    if (name === 'version') {
      sets.push('#version = :version');
      values[':version'] = value;
      return;
    }
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    sets.push(`#a${index} = :a${index}`);
  });
  const removes = OPTIONAL_ORDER_ATTRIBUTES.filter((name) => order[name] === undefined).map(
    (name) => {
      names[`#r_${name}`] = name;
      return `#r_${name}`;
    },
  );
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Where a listing continues after `item` (a key-only item of the customer index). */
function pageKeyOf(item: Record<string, unknown>): CustomerPageKey {
  const { partitionKey, sortKey } = ordersTableKeys.byCustomerIndex;
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    [partitionKey]: String(item[partitionKey]),
    [sortKey]: String(item[sortKey]),
  };
}

/**
 * The orders table through DynamoDB: the {@link OrderStore} the API use cases need.
 *
 * @param client - the DynamoDB client of `shared/aws`, created once per container.
 * @param tableName - the orders table.
 */
export function createOrderStore(client: DocumentDb, tableName: string): OrderStore {
  const notExists = `attribute_not_exists(${ordersTableKeys.partitionKey})`;

  return {
    async createOrder({
      order,
      event,
      idempotency,
      timeline,
      now,
    }: NewOrderWrite): Promise<CreateOrderOutcome> {
      try {
        await client.transactWrite({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...toOrderItem(order),
                  [TIMELINE_ATTRIBUTE]: [encodeTimelineEntry(timeline, order.createdAt)],
                },
                ConditionExpression: notExists,
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: outboxItem(event, now),
                ConditionExpression: notExists,
              },
            },
            ...(idempotency === undefined
              ? []
              : [
                  {
                    Put: {
                      TableName: tableName,
                      Item: toIdempotencyItem(idempotency),
                      // An expired record TTL has not deleted yet frees its key, as if it were gone.
                      ConditionExpression: `${notExists} OR #expiresAt < :now`,
                      ExpressionAttributeNames: { '#expiresAt': TTL_ATTRIBUTE },
                      ExpressionAttributeValues: { ':now': epochSeconds(now) },
                      // On a taken key DynamoDB hands back the record: a replay needs no extra read.
                      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                    },
                  },
                ]),
          ],
        });
        return { outcome: 'created' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        const [orderReason, outboxReason, thirdReason] = reasons.map(
          (reason) => reason.Code ?? 'None',
        );
        const idempotencyReason = idempotency === undefined ? 'None' : thirdReason;
        if (idempotencyReason === 'ConditionalCheckFailed') {
          const existing = fromIdempotencyItem(plainItem(reasons[2]?.Item));
          return {
            outcome: 'idempotency-key-taken',
            ...(existing === undefined ? {} : { existing }),
          };
        }
        if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
          return { outcome: 'write-conflict' };
        if (orderReason === 'ConditionalCheckFailed')
          return { outcome: 'already-exists', item: 'order' };
        if (outboxReason === 'ConditionalCheckFailed')
          return { outcome: 'already-exists', item: 'outbox' };
        throw error;
      }
    },

    async getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
      const { Item } = await client.get({
        TableName: tableName,
        Key: idempotencyKey(key),
        ConsistentRead: true,
      });
      const record = fromIdempotencyItem(Item);
      // TTL deletes expired items only eventually; until then they must not count.
      return record && record.expiresAt >= epochSeconds(now) ? record : undefined;
    },

    async getOrder(orderId: string): Promise<Order | undefined> {
      // Consistent: a client that just got 201 must be able to read its order at once.
      const { Item } = await client.get({
        TableName: tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
      });
      return Item && Item.entityType === OrdersEntityType.order ? fromOrderItem(Item) : undefined;
    },

    async commitTransition(write: TransitionWrite): Promise<TransitionOutcome> {
      const { order, expectedVersion, events, timeline, now } = write;
      const orderUpdate = {
        TableName: tableName,
        Key: orderKey(order.orderId),
        ...orderUpdateExpression(
          order,
          encodeTimelineEntry(timeline, order.createdAt),
          expectedVersion,
        ),
        // Optimistic concurrency: only the version this transition was computed from may be
        // replaced. A missing order fails it too (a transition never creates an order). It is
        // also what makes a redelivered event write nothing: the first delivery moved the
        // version on, and the reloaded order already reflects the event (the saga ignores it).
        ConditionExpression: '#version = :expected',
      };
      try {
        if (events.length === 0) {
          // Nothing to publish: one conditional write of one item is atomic by itself, and
          // costs half a transactional one.
          await client.update(orderUpdate);
        } else {
          await client.transactWrite({
            TransactItems: [
              // The order first, so its cancellation reason is read at index 0.
              { Update: orderUpdate },
              ...events.map((event) => ({
                Put: {
                  TableName: tableName,
                  Item: outboxItem(event, now),
                  ConditionExpression: notExists,
                },
              })),
            ],
          });
        }
        return { outcome: 'committed' };
      } catch (error) {
        if (isAwsError(error, 'ConditionalCheckFailedException'))
          return { outcome: 'version-conflict' };
        if (isAwsError(error, 'TransactionConflictException')) return { outcome: 'write-conflict' };
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
          return { outcome: 'write-conflict' };
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { outcome: 'version-conflict' };
        throw error;
      }
    },

    async getOrderHistory(orderId: string): Promise<OrderHistory | undefined> {
      // One partition holds the order ('ORDER', whose item carries the timeline) and, for
      // orders written by earlier versions, legacy timeline items ('TIMELINE#…', after it in
      // sort order): a single consistent query reads them all.
      let order: Order | undefined;
      let embedded: unknown;
      const legacy: TimelineEntry[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.query({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ordersTableKeys.partitionKey },
          ExpressionAttributeValues: { ':pk': orderKey(orderId).pk },
          ConsistentRead: true,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        });
        for (const item of page.Items ?? []) {
          if (item.entityType === OrdersEntityType.order) {
            order = fromOrderItem(item);
            embedded = item[TIMELINE_ATTRIBUTE];
          } else if (item.entityType === OrdersEntityType.timeline)
            legacy.push(fromTimelineItem(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      if (!order) return undefined;
      const createdAt = order.createdAt;
      const entries = Array.isArray(embedded)
        ? embedded.map((stored) => decodeTimelineEntry(String(stored), createdAt))
        : [];
      // Legacy items can only predate the embedded entries (an upgrade happens once).
      return { order, timeline: [...legacy, ...entries] };
    },

    async listOrdersByCustomer(customerId, { limit, cursor }): Promise<OrderPage> {
      let startKey: CustomerPageKey | undefined;
      if (cursor !== undefined) {
        startKey = decodeCursor(cursor, customerId);
        if (!startKey) throw new InvalidCursorError();
      }
      const { byCustomerIndex } = ordersTableKeys;
      // The index projects keys only (so the saga's status updates never rewrite it): the
      // page's keys come from the index, the orders from the table.
      const { Items = [], LastEvaluatedKey } = await client.query({
        TableName: tableName,
        IndexName: byCustomerIndex.name,
        KeyConditionExpression: '#pk = :customer',
        ExpressionAttributeNames: { '#pk': byCustomerIndex.partitionKey },
        ExpressionAttributeValues: { ':customer': customerPartition(customerId) },
        // The index sort key starts with createdAt: descending is newest first.
        ScanIndexForward: false,
        // One more than the page: DynamoDB hands back a LastEvaluatedKey whenever it
        // stops at Limit, even with nothing after it, so only the extra key tells that a
        // next page exists (the last page then never carries a cursor to an empty one).
        Limit: limit + 1,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      });
      const pageItems = Items.slice(0, limit);
      // Stopped at Limit (the extra key is there) or at 1 MB (not here with keys only).
      const more = LastEvaluatedKey !== undefined;
      const last = pageItems.at(-1);
      const keys = pageItems.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
      const found = await getItemsByKey(client, tableName, keys, 'orders');
      return {
        // In the index's order; an order missing from the table (none is ever deleted) is left out.
        orders: keys.flatMap((key) => {
          const item = found.get(itemKeyId(key));
          return item && item.entityType === OrdersEntityType.order ? [fromOrderItem(item)] : [];
        }),
        ...(more && last ? { nextCursor: encodeCursor(pageKeyOf(last)) } : {}),
      };
    },
  };
}
