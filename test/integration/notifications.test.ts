import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { createNotificationStore } from '../../lambdas/notifications/adapters/notification-store.ts';
import {
  idempotencyRecordAttributes,
  notificationsTableKeys,
} from '../../lambdas/notifications/adapters/notifications-table.ts';
import {
  createIdempotentSender,
  createSendPersistenceLayer,
  SEND_MEMORY_SECONDS,
} from '../../lambdas/notifications/adapters/send-once.ts';
import {
  createNotificationsApiHandler,
  NOTIFICATIONS_RESOURCE,
} from '../../lambdas/notifications/api/notifications-api.ts';
import { createNotificationsConsumer } from '../../lambdas/notifications/consumer/notifications-consumer.ts';
import { notificationsFor } from '../../lambdas/notifications/domain/notification.ts';
import type { NotificationRecord } from '../../lambdas/notifications/use-cases/ports.ts';
import { createDocumentDb, type DocumentDb } from '../../lambdas/shared/aws/document-db.ts';
import {
  FakeProvider,
  lambdaContext,
  orderCancelled,
  orderConfirmed,
  quietObservability,
  sqsRecord,
} from '../unit/notifications/fixtures.ts';
import { dynamoDbEndpoint } from './orders-table-fixture.ts';
import { createTable } from './create-table.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 60_000;

let raw: DynamoDBClient;
let documents: DocumentDb;
let tableName: string;

/** A notifications table as deployed: string pk/sk, TTL on expiresAt, no stream. */
beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  raw = new DynamoDBClient({ endpoint });
  // The functions' client, pointed at DynamoDB Local by the standard endpoint setting.
  documents = createDocumentDb({ env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint } });
  tableName = `notifications-it-${randomUUID()}`;
  const { partitionKey, sortKey, timeToLiveAttribute } = notificationsTableKeys;
  await createTable(raw, tableName, { partitionKey, sortKey, timeToLiveAttribute });
}, TIMEOUT);

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
}, TIMEOUT);

/** The real adapters on DynamoDB Local; only the provider is a fake. */
function service(provider = new FakeProvider()) {
  const store = createNotificationStore(documents, tableName);
  // One per Lambda container (each has its own persistence layer and batch processor).
  const container = () => {
    const handler = createNotificationsConsumer({
      sender: createIdempotentSender({
        provider,
        persistenceStore: createSendPersistenceLayer(documents, tableName),
        now: () => new Date(),
      }),
      store,
      now: () => new Date(),
      observability: quietObservability(),
    });
    return (records: SQSRecord[], remainingMs?: number) =>
      handler({ Records: records }, lambdaContext(remainingMs));
  };
  return { provider, store, container, deliver: container() };
}

/** Fresh ids per test, so tests share the table without seeing each other. */
const ids = () => ({ orderId: `ord-${randomUUID()}`, eventId: `evt-${randomUUID()}` });

async function idempotencyRecords(): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documents.query({
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': idempotencyRecordAttributes.staticPkValue },
    ConsistentRead: true,
  });
  return Items;
}

async function recordOf(store: ReturnType<typeof service>['store'], orderId: string) {
  const records = await store.listByOrder(orderId);
  return (channel: string): NotificationRecord | undefined =>
    records.find((record) => record.channel === channel);
}

async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('notifications on DynamoDB Local', () => {
  it(
    'sends both channels once, records them, and remembers each send in its own partition until TTL',
    async () => {
      const { provider, store, deliver } = service();
      const { orderId, eventId } = ids();
      const event = orderConfirmed({ orderId, eventId });
      const before = Math.floor(Date.now() / 1000);
      const existingKeys = new Set((await idempotencyRecords()).map((item) => item.sk));

      expect((await deliver([sqsRecord('m1', event)])).batchItemFailures).toEqual([]);
      expect((await deliver([sqsRecord('m2', event)])).batchItemFailures).toEqual([]);

      expect(provider.sent.map((m) => m.channel)).toEqual(['email', 'sms']);
      const record = await recordOf(store, orderId);
      expect(record('email')).toMatchObject({
        eventId,
        status: 'SENT',
        attempts: 1,
        recipient: 'a***@example.com',
        providerMessageId: 'msg-1',
      });
      expect(record('sms')).toMatchObject({ status: 'SENT', attempts: 1, recipient: 'cust-***01' });

      // Tests in this file run one at a time: the new records are this event's two sends.
      const mine = (await idempotencyRecords()).filter((item) => !existingKeys.has(item.sk));
      expect(mine.map((item) => item.data)).toEqual([
        expect.objectContaining({ messageId: expect.stringMatching(/^msg-[12]$/) }),
        expect.objectContaining({ messageId: expect.stringMatching(/^msg-[12]$/) }),
      ]);
      for (const item of mine) {
        expect(item.sk).toMatch(/^notifications\.send#/);
        expect(item.status).toBe('COMPLETED');
        expect(item.expiresAt).toBeGreaterThanOrEqual(before + SEND_MEMORY_SECONDS);
      }
    },
    TIMEOUT,
  );

  it(
    'after a provider failure on SMS, forgets only that send: the retry sends the SMS and not the email',
    async () => {
      const { provider, store, deliver } = service();
      const { orderId, eventId } = ids();
      const event = orderCancelled({ orderId, eventId, reason: 'payment_failed' });
      provider.failWhen = (message) => message.channel === 'sms';

      expect((await deliver([sqsRecord('m1', event)])).batchItemFailures).toEqual([
        { itemIdentifier: 'm1' },
      ]);
      let record = await recordOf(store, orderId);
      expect(record('email')).toMatchObject({ status: 'SENT', attempts: 1 });
      expect(record('sms')).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        lastError: 'sms gateway unavailable',
      });

      provider.failWhen = () => false;
      expect((await deliver([sqsRecord('m1', event)])).batchItemFailures).toEqual([]);
      expect(provider.sent.map((m) => m.channel)).toEqual(['email', 'sms']);
      record = await recordOf(store, orderId);
      expect(record('email')).toMatchObject({ status: 'SENT', attempts: 1 });
      expect(record('sms')).toMatchObject({ status: 'SENT', attempts: 2 });
      expect(record('sms')?.template).toBe('order_cancelled');
    },
    TIMEOUT,
  );

  it(
    'sends once when copies of the event reach several containers at the same time',
    async () => {
      const { provider, container } = service();
      const { orderId, eventId } = ids();
      const event = orderConfirmed({ orderId, eventId });
      const containers = Array.from({ length: 5 }, () => container());

      let pending = (
        await Promise.all(containers.map((deliver, i) => deliver([sqsRecord(`m${i}`, event)])))
      ).flatMap((response) => response.batchItemFailures.map((f) => f.itemIdentifier));
      // The queue redelivers what was reported until everything is acknowledged.
      const deadline = Date.now() + 30_000;
      while (pending.length > 0 && Date.now() < deadline) {
        const responses = await Promise.all(
          pending.map((id, i) => containers[i % containers.length]!([sqsRecord(id, event)])),
        );
        pending = responses.flatMap((r) => r.batchItemFailures.map((f) => f.itemIdentifier));
      }
      expect(pending).toEqual([]);
      expect(provider.calls.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    },
    TIMEOUT,
  );

  it(
    'lets the redelivered event send when the invocation that was sending died mid-send',
    async () => {
      const provider = new FakeProvider();
      const { store, container } = service(provider);
      const { orderId, eventId } = ids();
      const event = orderConfirmed({ orderId, eventId, customerEmail: null });

      // The first invocation has 50 ms left and never hears back from the provider: just
      // before Lambda would time it out, it answers with the message as failed, leaving
      // the send in progress.
      provider.beforeAnswer = () => new Promise<void>(() => undefined);
      const dying = container()([sqsRecord('m1', event)], 50);
      expect(await dying).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      expect(provider.calls).toHaveLength(1);
      const startedAt = Date.now();
      await eventually(() => Date.now() > startedAt + 100);

      provider.beforeAnswer = () => Promise.resolve();
      expect((await container()([sqsRecord('m1', event)])).batchItemFailures).toEqual([]);
      expect(provider.sent).toHaveLength(1);
      expect((await recordOf(store, orderId))('sms')).toMatchObject({ status: 'SENT' });
    },
    TIMEOUT,
  );
});

describe('notification store on DynamoDB Local', () => {
  it(
    'counts a delivery once, and never turns a sent notification back into a failed one',
    async () => {
      const store = createNotificationStore(documents, tableName);
      const { orderId, eventId } = ids();
      const [sms] = notificationsFor(orderConfirmed({ orderId, eventId, customerEmail: null }));
      const now = new Date();
      const delivery = { messageId: 'msg-a', sentAt: now.toISOString() };

      expect(await store.recordFailed(sms!, 'timeout', now)).toBe('recorded');
      expect(await store.recordSent(sms!, delivery, now)).toBe('recorded');
      expect(await store.recordSent(sms!, delivery, now)).toBe('unchanged');
      expect(await store.recordFailed(sms!, 'late failure', now)).toBe('unchanged');

      const [record, ...others] = await store.listByOrder(orderId);
      expect(others).toEqual([]);
      expect(record).toEqual({
        orderId,
        eventId,
        eventType: 'OrderConfirmed',
        channel: 'sms',
        recipient: 'cust-***01',
        template: 'order_confirmed',
        status: 'SENT',
        attempts: 2,
        lastError: 'timeout',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        sentAt: now.toISOString(),
        providerMessageId: 'msg-a',
      });
    },
    TIMEOUT,
  );

  it(
    'notes an order’s cancellation for later confirmations, and does not list the note as a notification',
    async () => {
      const store = createNotificationStore(documents, tableName);
      const orderId = randomUUID();
      expect(await store.wasCancelled(orderId)).toBe(false);
      await store.noteCancellation(orderId, 'evt-cancel', new Date());
      await store.noteCancellation(orderId, 'evt-cancel', new Date()); // a redelivery
      expect(await store.wasCancelled(orderId)).toBe(true);
      expect(await store.wasCancelled(randomUUID())).toBe(false);
      expect(await store.listByOrder(orderId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'serves an order’s notifications over the API oldest first, and an empty list for another order',
    async () => {
      const store = createNotificationStore(documents, tableName);
      const orderId = randomUUID();
      const first = notificationsFor(orderConfirmed({ orderId, eventId: `evt-z-${randomUUID()}` }));
      const second = notificationsFor(
        orderCancelled({ orderId, eventId: `evt-a-${randomUUID()}`, customerEmail: null }),
      );
      const t0 = new Date('2026-03-01T12:00:00.000Z');
      const t1 = new Date('2026-03-01T12:10:00.000Z');
      for (const notification of first) await store.recordFailed(notification, 'x', t0);
      for (const notification of second) await store.recordFailed(notification, 'y', t1);

      const handler = createNotificationsApiHandler({ store, observability: quietObservability() });
      const call = (id: string) =>
        handler(
          {
            httpMethod: 'GET',
            resource: NOTIFICATIONS_RESOURCE,
            path: `/orders/${id}/notifications`,
            pathParameters: { orderId: id },
            headers: {},
            requestContext: { requestId: 'r' },
          } as never,
          lambdaContext(),
        );
      const response = await call(orderId);
      expect(response.statusCode).toBe(200);
      const { items } = JSON.parse(response.body) as { items: NotificationRecord[] };
      expect(items.map((item) => [item.eventType, item.channel])).toEqual([
        ['OrderConfirmed', 'email'],
        ['OrderConfirmed', 'sms'],
        ['OrderCancelled', 'sms'],
      ]);
      expect(JSON.parse((await call(randomUUID())).body)).toEqual({ items: [] });
    },
    TIMEOUT,
  );
});
