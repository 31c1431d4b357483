import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { NOTIFICATIONS_RESOURCE } from '../../lambdas/notifications/api/notifications-api.ts';
import { lambdaContext, orderConfirmed, sqsRecord } from '../unit/notifications/fixtures.ts';

// Entry modules read their environment at load, so they are imported only after it is
// set; the query string gives each import its own module instance.
type ConsumerEntry = {
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
};
type ApiEntry = {
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
};
const importConsumer = (tag: string) =>
  import(`../../lambdas/notifications/handler.ts?${tag}`) as Promise<ConsumerEntry>;
const importApi = (tag: string) =>
  import(`../../lambdas/notifications/api-handler.ts?${tag}`) as Promise<ApiEntry>;

const saved = { ...process.env };
// Powertools' persistence layer uses the low-level client; the store the document client.
const raw = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

beforeEach(() => {
  raw.reset();
  documents.reset();
  delete process.env.PROVIDER_FAILURE_RATE;
});

afterAll(() => {
  process.env = saved;
  raw.restore();
  documents.restore();
});

describe('notifications handler entry module', () => {
  it('fails at load when TABLE_NAME is missing or the failure rate is out of range', async () => {
    delete process.env.TABLE_NAME;
    await expect(importConsumer('no-table')).rejects.toThrow('TABLE_NAME is required');
    process.env.TABLE_NAME = 'notifications-table';
    process.env.PROVIDER_FAILURE_RATE = '2';
    await expect(importConsumer('bad-rate')).rejects.toThrow('PROVIDER_FAILURE_RATE');
  });

  it('sends through the idempotency records and attempt records of the configured table', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    raw.on(PutItemCommand).resolves({});
    raw.on(UpdateItemCommand).resolves({});
    documents.on(UpdateCommand).resolves({});
    const { handler } = await importConsumer('configured');

    const response = await handler(
      { Records: [sqsRecord('m1', orderConfirmed({ customerEmail: null }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    const inProgress = raw.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(inProgress.TableName).toBe('notifications-table');
    expect(inProgress.Item).toMatchObject({
      pk: { S: 'IDEMPOTENCY#notifications' },
      sk: { S: expect.stringMatching(/^notifications\.send#/) },
      status: { S: 'INPROGRESS' },
      expiresAt: { N: expect.any(String) },
      // Registered from the Lambda context: a crashed send is retried after this instant.
      in_progress_expiration: { N: expect.any(String) },
    });
    const attempt = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(attempt.TableName).toBe('notifications-table');
    expect(attempt.Key).toEqual({ pk: 'ORDER#ord-1', sk: 'NOTIFICATION#evt-1#sms' });
  });

  it('fails every send when PROVIDER_FAILURE_RATE is 1, and reports the message', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    process.env.PROVIDER_FAILURE_RATE = '1';
    raw.on(PutItemCommand).resolves({});
    documents.on(UpdateCommand).resolves({});
    const { handler } = await importConsumer('always-failing');
    const response = await handler(
      { Records: [sqsRecord('m1', orderConfirmed({ customerEmail: null }))] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const attempt = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(attempt.ExpressionAttributeValues).toMatchObject({ ':status': 'FAILED' });
  });
});

describe('notifications api-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importApi('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('reads the configured table', async () => {
    process.env.TABLE_NAME = 'notifications-table';
    documents.on(QueryCommand).resolves({ Items: [] });
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
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input.TableName).toBe(
      'notifications-table',
    );
  });
});
