import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type PutItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { LocalCloud } from '../../../local/cloud.ts';
import { capacityFromCounters } from '../../../local/endpoint/consumed-capacity.ts';
import { clientConfig, physicalName, startFixtureCloud } from './cloud-helpers.ts';

let cloud: LocalCloud;
let dispose: () => Promise<void>;
let dynamodb: DynamoDBClient;
let table: string;

beforeAll(async () => {
  ({ cloud, dispose } = await startFixtureCloud({ meterDynamoDbCapacity: true, prewarm: false }));
  // The SDK checks DynamoDB's x-amz-crc32 checksum of every answer it gets.
  dynamodb = new DynamoDBClient(clientConfig(cloud));
  table = physicalName(cloud, 'tables', 'Deliveries');
}, 180_000);

afterAll(async () => {
  dynamodb?.destroy();
  await dispose?.();
}, 60_000);

/** What the capacity counters gained while `action` ran. */
async function capacityDuring(action: () => Promise<void>) {
  const before = capacityFromCounters(cloud.counters());
  await action();
  const after = capacityFromCounters(cloud.counters());
  const row = (s: typeof before, label: string) =>
    s.byOperation.get(label) ?? { requests: 0, readUnits: 0, writeUnits: 0, failed: 0 };
  return (label: string) => {
    const [b, a] = [row(before, label), row(after, label)];
    return {
      requests: a.requests - b.requests,
      readUnits: a.readUnits - b.readUnits,
      writeUnits: a.writeUnits - b.writeUnits,
      failed: a.failed - b.failed,
    };
  };
}

const item = (pk: string) => ({
  pk: { S: pk },
  sk: { S: 'capacity' },
  // About 1.5 KB: two write units.
  payload: { S: 'x'.repeat(1500) },
});

describe('DynamoDB capacity metering (meterDynamoDbCapacity)', () => {
  it('counts a PutItem and answers the caller without the capacity it did not ask for', async () => {
    let answer: PutItemCommandOutput | undefined;
    const gained = await capacityDuring(async () => {
      answer = await dynamodb.send(
        new PutItemCommand({ TableName: table, Item: item(randomUUID()) }),
      );
    });
    expect(answer).not.toHaveProperty('ConsumedCapacity');
    expect(gained(`PutItem ${table}`)).toEqual({
      requests: 1,
      readUnits: 0,
      writeUnits: 2,
      failed: 0,
    });
  });

  it('gives a caller that asked for the capacity the answer DynamoDB gave, and counts it', async () => {
    let consumed: unknown;
    const gained = await capacityDuring(async () => {
      const answer = await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: item(randomUUID()),
          ReturnConsumedCapacity: 'INDEXES',
        }),
      );
      consumed = answer.ConsumedCapacity;
    });
    expect(consumed).toEqual({ TableName: table, CapacityUnits: 2, Table: { CapacityUnits: 2 } });
    expect(gained(`PutItem ${table}`).writeUnits).toBe(2);
  });

  it('counts reads as read units and leaves the item read intact', async () => {
    const pk = randomUUID();
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item(pk) }));
    let read: Record<string, unknown> | undefined;
    const gained = await capacityDuring(async () => {
      const answer = await dynamodb.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: pk }, sk: { S: 'capacity' } },
          ConsistentRead: true,
        }),
      );
      read = answer.Item;
      expect(answer).not.toHaveProperty('ConsumedCapacity');
    });
    expect(read).toEqual(item(pk));
    expect(gained(`GetItem ${table}`)).toMatchObject({ requests: 1, readUnits: 1, writeUnits: 0 });
  });

  it('passes a failed conditional write to the caller and counts it as failed, without capacity', async () => {
    const pk = randomUUID();
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item(pk) }));
    const gained = await capacityDuring(async () => {
      await expect(
        dynamodb.send(
          new PutItemCommand({
            TableName: table,
            Item: item(pk),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });
    expect(gained(`PutItem ${table}`)).toEqual({
      requests: 0,
      readUnits: 0,
      writeUnits: 0,
      failed: 1,
    });
  });

  it('shows DynamoDB Local counting equal items of a transaction once per table (why the bench estimates TransactWriteItems)', async () => {
    const small = (pk: string) => ({ pk: { S: pk }, sk: { S: 'capacity' } });
    const gained = await capacityDuring(async () => {
      await dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: small(randomUUID()) } },
            { Put: { TableName: table, Item: small(randomUUID()) } },
          ],
        }),
      );
    });
    // AWS charges 2 units per 1 KB item in a transaction: 4. When this fails, DynamoDB
    // Local meters transactions right: drop bench/dynamodb-usage.ts's exception.
    expect(gained(`TransactWriteItems ${table}`).writeUnits).toBe(2);
  });
});
