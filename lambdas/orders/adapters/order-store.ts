import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { outboxItem, TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import { MARKER_CONDITION, processedMarker } from '../../shared/processed-marker.ts';
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
  toOrderItem,
  toTimelineItem,
  type CustomerPageKey,
} from './orders-table.ts';

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
 * The item a cancelled transaction returned (ALL_OLD), in plain values. The document
 * client does not unmarshall errors, and only strings and numbers are needed here.
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
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (
    (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []
  );
}

/**
 * The orders table through DynamoDB: the {@link OrderStore} the API use cases need.
 *
 * @param client - a document client (see `shared/dynamo.ts`), created once per container.
 * @param tableName - the orders table.
 */
export function createOrderStore(client: DynamoDBDocumentClient, tableName: string): OrderStore {
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
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: toOrderItem(order),
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
              // Last, so the indexes of the items above keep their meaning in cancellation reasons.
              {
                Put: {
                  TableName: tableName,
                  Item: toTimelineItem(order.orderId, order.version, timeline),
                  ConditionExpression: notExists,
                },
              },
            ],
          }),
        );
        return { outcome: 'created' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        const [orderReason, outboxReason, thirdReason] = reasons.map(
          (reason) => reason.Code ?? 'None',
        );
        // The third item is the idempotency record only when there is one (else the timeline entry).
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
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: idempotencyKey(key), ConsistentRead: true }),
      );
      const record = fromIdempotencyItem(Item);
      // TTL deletes expired items only eventually; until then they must not count.
      return record && record.expiresAt >= epochSeconds(now) ? record : undefined;
    },

    async getOrder(orderId: string): Promise<Order | undefined> {
      // Consistent: a client that just got 201 must be able to read its order at once.
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }),
      );
      return Item && Item.entityType === OrdersEntityType.order ? fromOrderItem(Item) : undefined;
    },

    async commitTransition(write: TransitionWrite): Promise<TransitionOutcome> {
      const { order, expectedVersion, events, marker, timeline, now } = write;
      // Fixed positions: the order first, then the marker, so cancellation reasons are read by index.
      const transactItems = [
        {
          Put: {
            TableName: tableName,
            Item: toOrderItem(order),
            // Optimistic concurrency: only the version this transition was computed from may be
            // replaced. A missing order fails it too (a transition never creates an order).
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...(marker === undefined
          ? []
          : [
              {
                Put: {
                  TableName: tableName,
                  Item: processedMarker(marker.consumer, marker.id, now),
                  ConditionExpression: MARKER_CONDITION,
                },
              },
            ]),
        ...events.map((event) => ({
          Put: {
            TableName: tableName,
            Item: outboxItem(event, now),
            ConditionExpression: notExists,
          },
        })),
        {
          Put: {
            TableName: tableName,
            Item: toTimelineItem(order.orderId, order.version, timeline),
            ConditionExpression: notExists,
          },
        },
      ];
      try {
        await client.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return { outcome: 'committed' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
        // A marker that exists means the whole transition was committed before: that wins
        // over whatever else the redelivery found changed since.
        if (marker !== undefined && failed(1)) return { outcome: 'duplicate' };
        if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
          return { outcome: 'write-conflict' };
        if (failed(0)) return { outcome: 'version-conflict' };
        throw error;
      }
    },

    async getOrderHistory(orderId: string): Promise<OrderHistory | undefined> {
      // One partition holds the order ('ORDER') and its entries ('TIMELINE#…', after it in
      // sort order): a single consistent query reads both.
      let order: Order | undefined;
      const timeline: TimelineEntry[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ordersTableKeys.partitionKey },
            ExpressionAttributeValues: { ':pk': orderKey(orderId).pk },
            ConsistentRead: true,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.entityType === OrdersEntityType.order) order = fromOrderItem(item);
          else if (item.entityType === OrdersEntityType.timeline)
            timeline.push(fromTimelineItem(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return order && { order, timeline };
    },

    async listOrdersByCustomer(customerId, { limit, cursor }): Promise<OrderPage> {
      let startKey: CustomerPageKey | undefined;
      if (cursor !== undefined) {
        startKey = decodeCursor(cursor, customerId);
        if (!startKey) throw new InvalidCursorError();
      }
      const { byCustomerIndex } = ordersTableKeys;
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: byCustomerIndex.name,
          KeyConditionExpression: '#pk = :customer',
          ExpressionAttributeNames: { '#pk': byCustomerIndex.partitionKey },
          ExpressionAttributeValues: { ':customer': customerPartition(customerId) },
          // The index sort key starts with createdAt: descending is newest first.
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      return {
        orders: Items.map(fromOrderItem),
        ...(LastEvaluatedKey === undefined
          ? {}
          : { nextCursor: encodeCursor(LastEvaluatedKey as CustomerPageKey) }),
      };
    },
  };
}
