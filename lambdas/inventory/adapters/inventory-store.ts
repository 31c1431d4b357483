import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { isTransactionCanceled, type DocumentDb } from '../../shared/aws/document-db.ts';
import { isAwsError } from '../../shared/aws/errors.ts';
import { getItemsByKey, itemKeyId } from '../../shared/batch-get-items.ts';
import { outboxItem } from '../../shared/outbox.ts';
import { restock, type Product, type RestockCommand } from '../domain/product.ts';
import type { FailedStockCheck, Reservation, StockLine } from '../domain/reservation.ts';
import {
  InvalidCursorError,
  type InventoryStore,
  type ProductPage,
  type ReleaseOutcome,
  type ReserveOutcome,
  type RecordFailureOutcome,
} from '../use-cases/ports.ts';
import {
  decodeProductCursor,
  encodeProductCursor,
  fromProductItem,
  fromReservationItem,
  InventoryEntityType,
  inventoryTableKeys,
  PRODUCTS_PARTITION,
  productIndexKeys,
  productKey,
  reservationKey,
  toReservationItem,
  type ProductPageKey,
} from './inventory-table.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A release found a product that cannot take its units back (deleted, or holding fewer
 * reserved units than the reservation): the data is inconsistent. Nothing was written;
 * the message is retried and then kept in the DLQ for a human.
 */
export class InventoryInconsistencyError extends Error {
  override name = 'InventoryInconsistencyError';
}

/** Why a transaction was cancelled, per item (in TransactItems order), or undefined if it was not. */
function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  return isTransactionCanceled(error) ? (error.CancellationReasons ?? []) : undefined;
}

const conditionFailed = (reason: CancellationReason | undefined) =>
  reason?.Code === 'ConditionalCheckFailed';

/** A number attribute of an item DynamoDB returned in an error (errors are not unmarshalled). */
function numberIn(item: Record<string, AttributeValue> | undefined, name: string): number {
  const value = item?.[name]?.N;
  return value === undefined ? 0 : Number(value);
}

const isConflict = (reasons: CancellationReason[]) =>
  reasons.some((reason) => reason.Code === 'TransactionConflict');

/**
 * Why a new reservation's `attribute_not_exists` failed, from the stored one DynamoDB
 * returned (ALL_OLD): made for the same PaymentCompleted, this is a redelivery
 * (`duplicate`); made for another event, the order already has its reservation.
 */
function existingReservationOutcome(
  reason: CancellationReason | undefined,
  paymentEventId: string,
) {
  return reason?.Item?.paymentEventId?.S === paymentEventId
    ? ({ outcome: 'duplicate' } as const)
    : ({ outcome: 'reservation-exists' } as const);
}

/**
 * The inventory table through DynamoDB: the {@link InventoryStore} the use cases need.
 * Every transaction starts with the order's reservation (index 0); no processed markers
 * (see `reserveStock` and `releaseStock` for why the reservation is enough).
 *
 * @param client - the DynamoDB client of `shared/aws`, created once per container.
 * @param tableName - the inventory table.
 */
export function createInventoryStore(client: DocumentDb, tableName: string): InventoryStore {
  const notExists = `attribute_not_exists(${inventoryTableKeys.partitionKey})`;

  const newItemPut = (item: object): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: item as Record<string, unknown>,
      ConditionExpression: notExists,
    },
  });
  /** A new reservation; on a taken key DynamoDB returns the stored one, to tell why. */
  const newReservationPut = (reservation: Reservation): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: toReservationItem(reservation),
      ConditionExpression: notExists,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });

  /** Moves `quantity` units of a SKU from available to reserved (or back, when releasing). */
  const stockUpdate = (
    line: StockLine,
    direction: 'reserve' | 'release',
    now: Date,
  ): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: productKey(line.sku),
      UpdateExpression:
        direction === 'reserve'
          ? 'SET available = available - :q, reserved = reserved + :q, updatedAt = :now'
          : 'SET available = available + :q, reserved = reserved - :q, updatedAt = :now',
      // attribute_exists: an update must never create a half product for an unknown SKU.
      ConditionExpression:
        direction === 'reserve'
          ? `attribute_exists(${inventoryTableKeys.partitionKey}) AND available >= :q`
          : `attribute_exists(${inventoryTableKeys.partitionKey}) AND reserved >= :q`,
      ExpressionAttributeValues: { ':q': line.quantity, ':now': now.toISOString() },
      // On a failed check DynamoDB returns the item, or nothing when it does not exist:
      // that tells an unknown SKU from a short one without another read.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });

  /** Index of the first product in a transaction (after the reservation and the outbox item). */
  const FIRST_PRODUCT = 2;

  return {
    async reserve({ reservation, event, now }): Promise<ReserveOutcome> {
      try {
        await client.transactWrite({
          TransactItems: [
            newReservationPut(reservation),
            newItemPut(outboxItem(event, now)),
            ...reservation.items.map((line) => stockUpdate(line, 'reserve', now)),
          ],
        });
        return { outcome: 'reserved' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        // Any conflict wins: the other reasons may be artefacts of it.
        if (isConflict(reasons)) return { outcome: 'conflict' };
        if (conditionFailed(reasons[0]))
          return existingReservationOutcome(reasons[0], reservation.paymentEventId);
        const failed: FailedStockCheck[] = [];
        reservation.items.forEach((line, index) => {
          const reason = reasons[FIRST_PRODUCT + index];
          if (!conditionFailed(reason)) return;
          const item = reason?.Item;
          failed.push({
            sku: line.sku,
            productExists: item !== undefined && Object.keys(item).length > 0,
          });
        });
        if (failed.length > 0) return { outcome: 'insufficient', failed };
        throw error;
      }
    },

    async recordFailedReservation({ reservation, event, now }): Promise<RecordFailureOutcome> {
      try {
        await client.transactWrite({
          TransactItems: [newReservationPut(reservation), newItemPut(outboxItem(event, now))],
        });
        return { outcome: 'recorded' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        if (isConflict(reasons)) return { outcome: 'conflict' };
        if (conditionFailed(reasons[0]))
          return existingReservationOutcome(reasons[0], reservation.paymentEventId);
        throw error;
      }
    },

    async release({ previous, next, event, now }): Promise<ReleaseOutcome> {
      try {
        await client.transactWrite({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: toReservationItem(next),
                // Unchanged since it was read: a concurrent release makes this one stale.
                ConditionExpression: '#status = :reserved AND #sequence = :sequence',
                ExpressionAttributeNames: { '#status': 'status', '#sequence': 'sequence' },
                ExpressionAttributeValues: {
                  ':reserved': 'RESERVED',
                  ':sequence': previous.sequence,
                },
              },
            },
            newItemPut(outboxItem(event, now)),
            ...previous.items.map((line) => stockUpdate(line, 'release', now)),
          ],
        });
        return { outcome: 'released' };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        if (isConflict(reasons)) return { outcome: 'conflict' };
        if (conditionFailed(reasons[0])) return { outcome: 'stale' };
        const broken = previous.items.filter((_line, index) =>
          conditionFailed(reasons[FIRST_PRODUCT + index]),
        );
        if (broken.length > 0) {
          throw new InventoryInconsistencyError(
            `Reservation ${previous.reservationId} of order ${previous.orderId} cannot be released: ` +
              `products ${broken.map((line) => line.sku).join(', ')} are missing or hold fewer reserved units`,
          );
        }
        throw error;
      }
    },

    async getReservation(orderId): Promise<Reservation | undefined> {
      const { Item } = await client.get({
        TableName: tableName,
        Key: reservationKey(orderId),
        ConsistentRead: true,
      });
      return Item && Item.entityType === InventoryEntityType.reservation
        ? fromReservationItem(Item)
        : undefined;
    },

    async putProduct(command: RestockCommand, now: Date) {
      const at = now.toISOString();
      try {
        // One conditional update, so a reservation racing with a restock can never be lost:
        // the reserved units are read and kept by DynamoDB itself, not by a read-modify-write.
        const { Attributes } = await client.update({
          TableName: tableName,
          Key: productKey(command.sku),
          UpdateExpression:
            'SET sku = :sku, #name = :name, unitPrice = :unitPrice, currency = :currency, ' +
            'entityType = :entityType, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
            'reserved = if_not_exists(reserved, :zero), ' +
            'available = :quantity - if_not_exists(reserved, :zero), ' +
            'createdAt = if_not_exists(createdAt, :now), updatedAt = :now',
          ConditionExpression: `attribute_not_exists(${inventoryTableKeys.partitionKey}) OR reserved <= :quantity`,
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':sku': command.sku,
            ':name': command.name,
            ':unitPrice': command.unitPrice,
            ':currency': command.currency,
            ':entityType': InventoryEntityType.product,
            ':gsi1pk': productIndexKeys(command.sku).gsi1pk,
            ':gsi1sk': productIndexKeys(command.sku).gsi1sk,
            ':zero': 0,
            ':quantity': command.quantity,
            ':now': at,
          },
          // The item before the update: with it the result is computed exactly (see restock).
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        const existing = Attributes === undefined ? undefined : fromProductItem(Attributes);
        return restock(existing, command, now);
      } catch (error) {
        if (isAwsError(error, 'ConditionalCheckFailedException')) {
          const item = (error as Error & { Item?: Record<string, AttributeValue> }).Item;
          return { outcome: 'below-reserved', reserved: numberIn(item, 'reserved') };
        }
        if (isAwsError(error, 'TransactionConflictException')) return { outcome: 'conflict' };
        throw error;
      }
    },

    async getProduct(sku): Promise<Product | undefined> {
      const { Item } = await client.get({
        TableName: tableName,
        Key: productKey(sku),
        ConsistentRead: true,
      });
      return Item && Item.entityType === InventoryEntityType.product
        ? fromProductItem(Item)
        : undefined;
    },

    async listProducts({ limit, cursor }): Promise<ProductPage> {
      let startKey: ProductPageKey | undefined;
      if (cursor !== undefined) {
        startKey = decodeProductCursor(cursor);
        if (!startKey) throw new InvalidCursorError();
      }
      const { productsIndex } = inventoryTableKeys;
      const { Items = [], LastEvaluatedKey } = await client.query({
        TableName: tableName,
        IndexName: productsIndex.name,
        KeyConditionExpression: '#pk = :products',
        ExpressionAttributeNames: { '#pk': productsIndex.partitionKey },
        ExpressionAttributeValues: { ':products': PRODUCTS_PARTITION },
        Limit: limit,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      });
      // The index holds keys only: read the products themselves, in the index's order.
      const keys = Items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
      const found = await getItemsByKey(client, tableName, keys, 'products');
      return {
        products: keys.flatMap((key) => {
          const item = found.get(itemKeyId(key));
          return item ? [fromProductItem(item)] : [];
        }),
        ...(LastEvaluatedKey === undefined
          ? {}
          : { nextCursor: encodeProductCursor(LastEvaluatedKey as ProductPageKey) }),
      };
    },
  };
}
