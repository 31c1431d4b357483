import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ordersTableKeys } from '../../lambdas/orders/adapters/orders-table.ts';
import { createDocumentClient } from '../../lambdas/shared/dynamo.ts';
import { createTable } from './create-table.ts';

/** The endpoint global-setup exported; a clear error when the project was run without it. */
export function dynamoDbEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'DYNAMODB_ENDPOINT is not set: run these tests with --selectProjects integration',
    );
  return endpoint;
}

/**
 * A uniquely named orders table in DynamoDB Local with the deployed key schema (from
 * `ordersTableKeys`), the byCustomer index, a stream and TTL, plus a document client.
 */
export async function createOrdersTable(): Promise<{
  tableName: string;
  client: DynamoDBDocumentClient;
  items: () => Promise<Record<string, unknown>[]>;
  destroy: () => Promise<void>;
}> {
  const endpoint = dynamoDbEndpoint();
  const raw = new DynamoDBClient({ endpoint });
  const client = createDocumentClient({ endpoint });
  const tableName = `orders-it-${randomUUID()}`;
  const { partitionKey, sortKey, byCustomerIndex, timeToLiveAttribute } = ordersTableKeys;
  await createTable(raw, tableName, {
    partitionKey,
    sortKey,
    index: byCustomerIndex,
    timeToLiveAttribute,
    stream: 'NEW_AND_OLD_IMAGES',
  });
  return {
    tableName,
    client,
    /** Every item in the table (consistent scan), for asserting what was and was not written. */
    items: async () => {
      const found: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
        );
        found.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return found;
    },
    destroy: async () => {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
      raw.destroy();
      client.destroy();
    },
  };
}
