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
    // The attempt record, then the idempotency record's success.
    const updates = sent('UpdateItem');
    expect(updates).toHaveLength(2);
    const [attempt, success] = updates;
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

  it('puts an accepted send on record before the idempotency record, so a throttled completion loses no send', async () => {
    // A DynamoDB that throttles every write to an idempotency record after its creation.
    const throttling = await startCaptureServer((request) => {
      const body = bodyOf<{ Key?: { pk?: { S?: string } } }>(request);
      return operationOf(request) === 'UpdateItem' &&
        body.Key?.pk?.S === 'IDEMPOTENCY#notifications'
        ? {
            status: 400,
            body: JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
              message: 'Rate of requests exceeds the allowed throughput.',
            }),
          }
        : { status: 200, body: '{}' };
    });
    try {
      process.env.AWS_ENDPOINT_URL = throttling.url;
      process.env.TABLE_NAME = 'notifications-table';
      const { handler } = await importConsumer('throttled-completion');
      const response = await handler(
        { Records: [sqsRecord('m1', orderConfirmed({ customerEmail: null }))] },
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      const calls = throttling.requests
        .filter((request) => request.headers['x-amz-target']?.includes('DynamoDB'))
        .map((request) => {
          const { Key, Item } = bodyOf<{
            Key?: { pk: { S: string } };
            Item?: { pk: { S: string } };
          }>(request);
          return `${operationOf(request)} ${(Key ?? Item)?.pk.S}`;
        });
      expect(calls).toEqual([
        'GetItem ORDER#ord-1', // was the order cancelled? (a confirmation)
        'PutItem IDEMPOTENCY#notifications', // in progress
        'UpdateItem ORDER#ord-1', // the attempt record: SENT, 1 attempt, the provider's id
        // The completion, throttled through the client's retries. The in-progress record
        // is not deleted: it expires with this invocation, and then the event is sent again.
        'UpdateItem IDEMPOTENCY#notifications',
        'UpdateItem IDEMPOTENCY#notifications',
        'UpdateItem IDEMPOTENCY#notifications',
      ]);
    } finally {
      process.env.AWS_ENDPOINT_URL = dynamodb.url;
      await throttling.close();
    }
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
