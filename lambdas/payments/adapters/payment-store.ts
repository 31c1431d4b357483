import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  isConditionalCheckFailed,
  isTransactionCanceled,
  type DocumentDb,
} from '../../shared/aws/document-db.ts';
import { isAwsError } from '../../shared/aws/errors.ts';
import { outboxItem } from '../../shared/outbox.ts';
import { failedConditionAt } from '../../shared/redelivery.ts';
import type { Payment } from '../domain/payment.ts';
import type { CommitOutcome, PaymentCommit, PaymentStore } from '../use-cases/ports.ts';
import {
  fromPaymentItem,
  PAYMENT_ENTITY_TYPE,
  paymentKey,
  paymentsTableKeys,
  toPaymentItem,
} from './payments-table.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Whether a transaction was cancelled because another one was writing the same items. */
function isConflict(error: unknown): boolean {
  if (!isTransactionCanceled(error)) return false;
  return (
    error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict') ?? false
  );
}

/**
 * The payments table through DynamoDB: the {@link PaymentStore} the use cases need.
 *
 * @param client - the DynamoDB client of `shared/aws`, created once per container.
 * @param tableName - the payments table.
 */
export function createPaymentStore(client: DocumentDb, tableName: string): PaymentStore {
  const notExists = `attribute_not_exists(${paymentsTableKeys.partitionKey})`;

  /** The put of the payment's new state, conditioned on the state it was decided from. */
  const paymentPut = ({ next, expected }: NonNullable<PaymentCommit['payment']>) => ({
    TableName: tableName,
    Item: toPaymentItem(next),
    ...(expected === 'ABSENT'
      ? { ConditionExpression: notExists }
      : {
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expected': expected },
        }),
  });

  return {
    async getPayment(orderId: string): Promise<Payment | undefined> {
      // Consistent: the decision to charge, settle or refund depends on the latest state.
      const { Item } = await client.get({
        TableName: tableName,
        Key: paymentKey(orderId),
        ConsistentRead: true,
      });
      return Item && Item.entityType === PAYMENT_ENTITY_TYPE ? fromPaymentItem(Item) : undefined;
    },

    async commit({ payment, events, now }: PaymentCommit): Promise<CommitOutcome> {
      if (payment && events.length === 0) {
        // A change that announces nothing (a slow charge started, a void) is one item: a
        // conditional put, at half the write units of a transaction.
        try {
          await client.put(paymentPut(payment));
          return 'committed';
        } catch (error) {
          if (isConditionalCheckFailed(error)) return 'payment-changed';
          // A transaction in flight on the same item (another delivery settling it).
          if (isAwsError(error, 'TransactionConflictException')) return 'conflict';
          throw error;
        }
      }
      const items: TransactItem[] = [];
      let paymentIndex: number | undefined;
      if (payment) {
        paymentIndex = items.length;
        items.push({ Put: paymentPut(payment) });
      }
      for (const event of events) {
        items.push({
          Put: {
            TableName: tableName,
            Item: outboxItem(event, now),
            ConditionExpression: notExists,
          },
        });
      }
      if (items.length === 0) return 'committed';
      try {
        await client.transactWrite({ TransactItems: items });
        return 'committed';
      } catch (error) {
        if (paymentIndex !== undefined && failedConditionAt(error, paymentIndex))
          return 'payment-changed';
        if (isConflict(error)) return 'conflict';
        throw error;
      }
    },
  };
}
