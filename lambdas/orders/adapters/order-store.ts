import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { outboxItem, TTL_ATTRIBUTE } from '../../shared/outbox.ts';
import type { Order } from '../domain/order.ts';
import {
  type CreateOrderOutcome,
  type IdempotencyRecord,
  InvalidCursorError,
  type NewOrderWrite,
  type OrderPage,
  type OrderStore,
} from '../use-cases/ports.ts';
import {
  customerPartition,
  decodeCursor,
  encodeCursor,
  fromOrderItem,
  idempotencyKey,
  ordersTableKeys,
  OrdersEntityType,
  orderKey,
  toOrderItem,
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
            ],
          }),
        );
        return { outcome: 'created' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        const [orderReason, outboxReason, idempotencyReason] = reasons.map(
          (reason) => reason.Code ?? 'None',
        );
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
