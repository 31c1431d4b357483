import type { TableDefinition } from '../template/model.ts';
import type { LogSink } from '../ports.ts';
import type { DynamoJsonClient } from './json-client.ts';

/** A created table and the real ARN of its stream in DynamoDB Local. */
export interface CreatedTable {
  definition: TableDefinition;
  streamArn?: string;
}

/**
 * Creates the template's tables in DynamoDB Local: keys, indexes, stream and TTL.
 * Billing is on demand (capacity settings have no local meaning).
 */
export async function createTables(
  client: DynamoJsonClient,
  tables: TableDefinition[],
): Promise<CreatedTable[]> {
  return Promise.all(
    tables.map(async (table) => {
      const index = (i: TableDefinition['globalSecondaryIndexes'][number]) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
        Projection: i.Projection,
      });
      const response = await client.call<{ TableDescription?: { LatestStreamArn?: string } }>(
        'DynamoDB_20120810.CreateTable',
        {
          TableName: table.name,
          AttributeDefinitions: table.attributeDefinitions,
          KeySchema: table.keySchema,
          BillingMode: 'PAY_PER_REQUEST',
          ...(table.globalSecondaryIndexes.length > 0
            ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(index) }
            : {}),
          ...(table.localSecondaryIndexes.length > 0
            ? { LocalSecondaryIndexes: table.localSecondaryIndexes.map(index) }
            : {}),
          ...(table.streamViewType
            ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType } }
            : {}),
        },
      );
      if (table.ttlAttribute) {
        await client.call('DynamoDB_20120810.UpdateTimeToLive', {
          TableName: table.name,
          TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute },
        });
      }
      const streamArn = response.TableDescription?.LatestStreamArn;
      return { definition: table, ...(streamArn ? { streamArn } : {}) };
    }),
  );
}

/**
 * DynamoDB Local accepts TTL settings but never deletes expired items, so this
 * sweeper does it: every `intervalMs` it deletes items whose TTL attribute (epoch
 * seconds) is in the past. Like AWS, deletion is eventual (AWS takes up to days),
 * and each deletion is a REMOVE record on the table's stream.
 */
export function startTtlSweeper(
  client: DynamoJsonClient,
  tables: TableDefinition[],
  options: { intervalMs: number; log: LogSink },
): { stop(): void } {
  const withTtl = tables.filter((t) => t.ttlAttribute);
  if (withTtl.length === 0 || options.intervalMs <= 0) return { stop() {} };
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      for (const table of withTtl) await sweepTable(client, table, Math.floor(Date.now() / 1000));
    } catch (error) {
      options.log(`TTL sweeper: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function sweepTable(
  client: DynamoJsonClient,
  table: TableDefinition,
  nowSeconds: number,
): Promise<void> {
  const keyNames = table.keySchema.map((k) => k.AttributeName);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.call<{
      Items?: Record<string, unknown>[];
      LastEvaluatedKey?: Record<string, unknown>;
    }>('DynamoDB_20120810.Scan', {
      TableName: table.name,
      FilterExpression: '#ttl < :now',
      ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
      ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    for (const item of page.Items ?? []) {
      const key = Object.fromEntries(keyNames.map((k) => [k, item[k]]));
      // Only if still expired: the item may have been updated since the scan.
      await client
        .call('DynamoDB_20120810.DeleteItem', {
          TableName: table.name,
          Key: key,
          ConditionExpression: '#ttl < :now',
          ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        })
        .catch(() => undefined);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
