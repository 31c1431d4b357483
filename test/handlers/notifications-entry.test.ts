import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NOTIFICATIONS_RESOURCE } from '../../lambdas/notifications/api/notifications-api.ts';
import { lambdaContext, orderConfirmed, sqsRecord } from '../unit/notifications/fixtures.ts';
import {
  bodyOf,
  operationOf,
  startCaptureServer,
  type CaptureServer,
} from '../unit/shared/aws/capture-server.ts';
import {
  useStandInAwsEnvironment,
  type ApiEntry,
  type ConsumerEntry,
} from '../support/entry-modules.ts';

// Entry modules read their environment at load, so they are imported only after it is
// set; the query string gives each import its own module instance.
const importConsumer = (tag: string) =>
  import(`../../lambdas/notifications/handler.ts?${tag}`) as Promise<ConsumerEntry>;
const importApi = (tag: string) =>
  import(`../../lambdas/notifications/api-handler.ts?${tag}`) as Promise<ApiEntry>;

const saved = { ...process.env };
// A stand-in DynamoDB endpoint (empty answers), reached through AWS_ENDPOINT_URL as the
// deployed function reaches AWS or the local cloud.
let dynamodb: CaptureServer;

/** The bodies of the requests of `operation` the entry module sent. */
const sent = (operation: string) =>
  dynamodb.requests
    .filter((request) => operationOf(request) === operation)
    .map((request) => bodyOf(request));

beforeAll(async () => {
  dynamodb = await startCaptureServer();
  useStandInAwsEnvironment(dynamodb.url);
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/consumer-queue';
});

beforeEach(() => {
  dynamodb.requests.splice(0);
  delete process.env.PROVIDER_FAILURE_RATE;
});

afterAll(async () => {
  process.env = saved;
  await dynamodb.close();
});

describe('notifications handler entry module', () => {
  it('fails at load when TABLE_NAME is missing or the failure rate is out of range', async () => {
    delete process.env.TABLE_NAME;
    await expect(importConsumer('no-table')).rejects.toThrow('TABLE_NAME is required');
    process.env.TABLE_NAME = 'notifications-table';
    const queueUrl = process.env.QUEUE_URL;
    delete process.env.QUEUE_URL;
    await expect(importConsumer('no-queue')).rejects.toThrow('QUEUE_URL is required');
    process.env.QUEUE_URL = queueUrl;
    process.env.PROVIDER_FAILURE_RATE = '2';
    await expect(importConsumer('bad-rate')).rejects.toThrow('PROVIDER_FAILURE_RATE');
  });

  it('sends through the idempotency records and attempt records of the configured table', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    const { handler } = await importConsumer('configured');

    const response = await handler(
      { Records: [sqsRecord('m1', orderConfirmed({ customerEmail: null }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    const inProgress = sent('PutItem')[0]!;
    expect(inProgress.TableName).toBe('notifications-table');
    expect(inProgress.Item).toMatchObject({
      pk: { S: 'IDEMPOTENCY#notifications' },
      sk: { S: expect.stringMatching(/^notifications\.send#/) },
      status: { S: 'INPROGRESS' },
      expiresAt: { N: expect.any(String) },
      // Registered from the Lambda context: a crashed send is retried after this instant.
      in_progress_expiration: { N: expect.any(String) },
    });
    // The idempotency record's success, and the attempt record.
    const updates = sent('UpdateItem');
    expect(updates).toHaveLength(2);
    const isIdempotencyRecord = (update: Record<string, unknown>) =>
      JSON.stringify(update.Key).includes('IDEMPOTENCY#');
    const attempt = updates.find((update) => !isIdempotencyRecord(update));
    const success = updates.find(isIdempotencyRecord);
    expect(attempt).toMatchObject({
      TableName: 'notifications-table',
      Key: { pk: { S: 'ORDER#ord-1' }, sk: { S: 'NOTIFICATION#evt-1#sms' } },
    });
    expect(success).toMatchObject({
      TableName: 'notifications-table',
      Key: { pk: { S: 'IDEMPOTENCY#notifications' } },
      ExpressionAttributeValues: { ':status': { S: 'COMPLETED' } },
    });
  });

  it('fails every send when PROVIDER_FAILURE_RATE is 1, and reports the message', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    process.env.PROVIDER_FAILURE_RATE = '1';
    const { handler } = await importConsumer('always-failing');
    const response = await handler(
      { Records: [sqsRecord('m1', orderConfirmed({ customerEmail: null }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const [attempt] = sent('UpdateItem');
    expect(attempt).toMatchObject({ ExpressionAttributeValues: { ':status': { S: 'FAILED' } } });
    // The failed send's idempotency record is deleted, so the retry sends.
    expect(sent('DeleteItem')).toHaveLength(1);
  });
});

describe('notifications api-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importApi('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('reads the configured table', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    const { handler } = await importApi('configured');
    const response = await handler(
      {
        httpMethod: 'GET',
        resource: NOTIFICATIONS_RESOURCE,
        path: '/orders/ord-1/notifications',
        pathParameters: { orderId: 'ord-1' },
        headers: {},
        requestContext: { requestId: 'r' },
      } as unknown as APIGatewayProxyEvent,
      lambdaContext(),
    );
    expect([response.statusCode, response.body]).toEqual([200, '{"items":[]}']);
    expect(sent('Query')[0]).toMatchObject({ TableName: 'notifications-table' });
  });
});
