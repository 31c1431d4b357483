import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { apiEvent, lambdaContext } from '../unit/inventory/api-fixtures.ts';
import { paymentCompleted } from '../unit/inventory/fixtures.ts';
import { consumerContext, delivered, sqsRecord } from '../unit/inventory/sqs-fixtures.ts';
import {
  startAwsStandIn,
  transactionWrites,
  type AwsStandIn,
} from '../unit/shared/aws/aws-stand-in.ts';
import {
  useStandInAwsEnvironment,
  type ApiEntry,
  type ConsumerEntry,
} from '../support/entry-modules.ts';

// The entry modules read their environment at load, so they are imported only after the
// environment is set; the query string gives each import its own module instance.
const importApi = (tag: string) =>
  import(`../../lambdas/inventory/api-handler.ts?${tag}`) as Promise<ApiEntry>;
const importConsumer = (tag: string) =>
  import(`../../lambdas/inventory/handler.ts?${tag}`) as Promise<ConsumerEntry>;

const saved = { ...process.env };
// A DynamoDB stand-in (empty answers), reached through AWS_ENDPOINT_URL as in a deployment.
let aws: AwsStandIn;

beforeAll(async () => {
  aws = await startAwsStandIn();
  useStandInAwsEnvironment(aws.url);
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/consumer-queue';
});
afterEach(() => {
  aws.reset();
});
afterAll(async () => {
  process.env = saved;
  await aws.close();
});

describe('inventory entry modules', () => {
  it('fail at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importApi('no-table')).rejects.toThrow('TABLE_NAME is required');
    await expect(importConsumer('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('fail at load, for the consumer, without its own queue', async () => {
    process.env.TABLE_NAME = 'inventory-table';
    delete process.env.QUEUE_URL;
    await expect(importConsumer('no-queue')).rejects.toThrow('QUEUE_URL is required');
    process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/consumer-queue';
  });

  it('wire the API handler to the configured table', async () => {
    process.env.TABLE_NAME = 'inventory-table';
    const { handler } = await importApi('configured');

    const created = await handler(
      apiEvent({
        method: 'PUT',
        resource: '/inventory/{sku}',
        pathParameters: { sku: 'MUG-1' },
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Mug', quantity: 3, unitPrice: 5 }),
      }),
      lambdaContext(),
    );
    expect(created.statusCode).toBe(201);
    expect(aws.sent('UpdateItem')[0]).toMatchObject({ TableName: 'inventory-table' });

    const missing = await handler(
      apiEvent({ resource: '/inventory/{sku}', pathParameters: { sku: 'NOPE' } }),
      lambdaContext(),
    );
    expect(missing.statusCode).toBe(404);
  });

  it('wire the consumer to the configured table with fresh UUIDs', async () => {
    process.env.TABLE_NAME = 'inventory-table';
    const { handler } = await importConsumer('configured');

    const response = await handler(
      { Records: [sqsRecord('m1', delivered(paymentCompleted([{ sku: 'A', quantity: 1 }])))] },
      consumerContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    const writes = transactionWrites(aws.sent('TransactWriteItems')[0]!);
    expect(writes.every((write) => write.TableName === 'inventory-table')).toBe(true);
    expect(writes[0]).toMatchObject({ kind: 'Put' });
    expect(writes[0]!.item.reservationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
