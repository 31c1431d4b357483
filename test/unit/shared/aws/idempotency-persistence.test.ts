import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { createDocumentDb } from '../../../../lambdas/shared/aws/document-db.ts';
import { DocumentDbPersistenceLayer } from '../../../../lambdas/shared/aws/idempotency-persistence.ts';
import { jsonAnswer, lambdaEnv, startCaptureServer, type CaptureServer } from './capture-server.ts';

// The layout of the notifications table's idempotency records.
const options = {
  tableName: 'notifications',
  keyAttr: 'pk',
  sortKeyAttr: 'sk',
  staticPkValue: 'IDEMPOTENCY#notifications',
  expiryAttr: 'expiresAt',
};
const NOW = Date.parse('2026-11-23T10:00:00.000Z');

let server: CaptureServer;
let sdkClient: DynamoDBClient;
let powertools: DynamoDBPersistenceLayer;
let ours: DocumentDbPersistenceLayer;

function configure(layer: BasePersistenceLayer, payloadValidation = false) {
  layer.configure({
    config: new IdempotencyConfig({
      expiresAfterSeconds: 3600,
      ...(payloadValidation ? { payloadValidationJmesPath: 'message' } : {}),
    }),
    keyPrefix: 'notifications.send',
  });
}

beforeAll(async () => {
  server = await startCaptureServer();
  sdkClient = new DynamoDBClient({
    endpoint: server.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sdkClient.destroy();
  await server.close();
});
beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  server.requests.splice(0);
  server.answers.splice(0);
  powertools = new DynamoDBPersistenceLayer({ ...options, awsSdkV3Client: sdkClient });
  ours = new DocumentDbPersistenceLayer(
    createDocumentDb({ env: lambdaEnv(server.url), maxAttempts: 1 }),
    options,
  );
  configure(powertools);
  configure(ours);
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** The last two requests (Powertools' layer, then ours) call the same operation with the same body. */
function expectSameRequests() {
  const [theirs, mine] = server.requests.slice(-2);
  expect(mine!.headers['x-amz-target']).toBe(theirs!.headers['x-amz-target']);
  expect(JSON.parse(mine!.body)).toEqual(JSON.parse(theirs!.body));
}

const payload = { eventId: 'evt-1', channel: 'email' };

describe('DocumentDbPersistenceLayer, compared with Powertools’ DynamoDB layer', () => {
  it('saves an in-progress record with the same item and condition', async () => {
    await powertools.saveInProgress(payload, 5_000);
    await ours.saveInProgress(payload, 5_000);
    expectSameRequests();
    expect(JSON.parse(server.requests.at(-1)!.body)).toMatchObject({
      TableName: 'notifications',
      Item: {
        pk: { S: 'IDEMPOTENCY#notifications' },
        sk: { S: expect.stringMatching(/^notifications\.send#/) },
        status: { S: 'INPROGRESS' },
        expiresAt: { N: String(NOW / 1000 + 3600) },
        in_progress_expiration: { N: String(NOW + 5_000) },
      },
    });
  });

  it('saves a success with the same update', async () => {
    await powertools.saveSuccess(payload, { messageId: 'm-1', sentAt: 'now' });
    await ours.saveSuccess(payload, { messageId: 'm-1', sentAt: 'now' });
    expectSameRequests();
  });

  it('saves the payload hash too when payload validation is on', async () => {
    // A layer is configured once: fresh ones, with payload validation.
    powertools = new DynamoDBPersistenceLayer({ ...options, awsSdkV3Client: sdkClient });
    ours = new DocumentDbPersistenceLayer(
      createDocumentDb({ env: lambdaEnv(server.url), maxAttempts: 1 }),
      options,
    );
    configure(powertools, true);
    configure(ours, true);
    const data = { ...payload, message: 'hello' };
    await powertools.saveInProgress(data, 5_000);
    await ours.saveInProgress(data, 5_000);
    expectSameRequests();
    expect(JSON.parse(server.requests.at(-1)!.body)).toMatchObject({
      Item: { validation: { S: expect.any(String) } },
    });
    await powertools.saveSuccess(data, { ok: true });
    await ours.saveSuccess(data, { ok: true });
    expectSameRequests();
    expect(server.requests.at(-1)!.body).toContain('#validation_key');
  });

  it('deletes a record with the same key', async () => {
    await powertools.deleteRecord(payload);
    await ours.deleteRecord(payload);
    expectSameRequests();
  });

  it('reads a record consistently and returns what it stored', async () => {
    const stored = {
      pk: { S: 'IDEMPOTENCY#notifications' },
      sk: { S: 'notifications.send#abc' },
      status: { S: 'COMPLETED' },
      expiresAt: { N: String(NOW / 1000 + 3600) },
      data: { M: { messageId: { S: 'm-1' } } },
    };
    server.answers.push(jsonAnswer({ Item: stored }));
    const theirs = await powertools.getRecord(payload);
    const mine = await ours.getRecord(payload);
    expectSameRequests();
    expect(mine).toEqual(theirs);
    expect(mine.getResponse()).toEqual({ messageId: 'm-1' });
  });

  it('says when there is no record', async () => {
    await expect(ours.getRecord(payload)).rejects.toBeInstanceOf(IdempotencyItemNotFoundError);
  });

  it('reports an existing record, with its content, when the save condition fails', async () => {
    server.answers.push({
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: {
          pk: { S: 'IDEMPOTENCY#notifications' },
          sk: { S: 'notifications.send#abc' },
          status: { S: 'INPROGRESS' },
          expiresAt: { N: String(NOW / 1000 + 3600) },
          in_progress_expiration: { N: String(NOW + 5_000) },
        },
      }),
    });
    const error = await ours.saveInProgress(payload, 5_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord).toMatchObject({
      idempotencyKey: 'IDEMPOTENCY#notifications',
      sortKey: 'notifications.send#abc',
      inProgressExpiryTimestamp: NOW + 5_000,
    });
  });

  it('lets other errors through', async () => {
    server.answers.push({ status: 400, body: '{"__type":"ValidationException","message":"bad"}' });
    await expect(ours.saveInProgress(payload, 5_000)).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses the same attribute as partition and sort key', () => {
    expect(
      () =>
        new DocumentDbPersistenceLayer(createDocumentDb(), {
          tableName: 't',
          keyAttr: 'pk',
          sortKeyAttr: 'pk',
        }),
    ).toThrow('cannot be the same');
  });
});
