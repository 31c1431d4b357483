import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';

/** A service table's layout, as the `*-table.ts` key modules describe it. */
export interface TableLayout {
  partitionKey: string;
  sortKey: string;
  /** One global secondary index (string keys; projection ALL unless it says otherwise). */
  index?: {
    name: string;
    partitionKey: string;
    sortKey: string;
    projection?: { type: 'ALL' } | { type: 'KEYS_ONLY' };
  };
  /** The TTL attribute; TTL is enabled when given. */
  timeToLiveAttribute?: string;
  /** The stream's view type; no stream when absent. */
  stream?: StreamViewType;
}

/**
 * Creates a table in DynamoDB Local with the deployed layout (string keys, on-demand),
 * so integration tests run against the same keys, index and TTL as the stack.
 */
export async function createTable(
  raw: DynamoDBClient,
  tableName: string,
  { partitionKey, sortKey, index, timeToLiveAttribute, stream }: TableLayout,
): Promise<void> {
  const keyNames = [partitionKey, sortKey, ...(index ? [index.partitionKey, index.sortKey] : [])];
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyNames.map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S' as const,
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      ...(index
        ? {
            GlobalSecondaryIndexes: [
              {
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: index.projection?.type ?? 'ALL' },
              },
            ],
          }
        : {}),
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream } } : {}),
    }),
  );
  if (timeToLiveAttribute) {
    await raw.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
