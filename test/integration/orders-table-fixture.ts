import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ordersTableKeys } from '../../lambdas/orders/adapters/orders-table.ts';
import { createDocumentDb, type DocumentDb } from '../../lambdas/shared/aws/document-db.ts';
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
 * The functions' DynamoDB client (`shared/aws`), pointed at DynamoDB Local the way a
 * deployed function is pointed at its endpoint: by the standard setting.
 */
export function localDocumentDb(): DocumentDb {
  return createDocumentDb({
    env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint() },
  });
}

/**
 * An SDK document client on DynamoDB Local, for what tests do behind the stores' back
 * (scans, planting items), with the same marshalling as the functions' client.
 */
export function sdkDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamoDbEndpoint() }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * A uniquely named orders table in DynamoDB Local with the deployed key schema (from
 * `ordersTableKeys`), the byCustomer index, a stream and TTL, plus the functions' client
 * (`db`, for the store) and an SDK document client (`client`, for what tests do directly).
 */
export async function createOrdersTable(): Promise<{
  tableName: string;
  db: DocumentDb;
  client: DynamoDBDocumentClient;
  items: () => Promise<Record<string, unknown>[]>;
  destroy: () => Promise<void>;
}> {
  const endpoint = dynamoDbEndpoint();
  const raw = new DynamoDBClient({ endpoint });
  const client = sdkDocumentClient();
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
    db: localDocumentDb(),
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
