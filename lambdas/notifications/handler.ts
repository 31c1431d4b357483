/**
 * Entry point of the notification consumer Lambda (SQS ← EventBridge rule for
 * OrderConfirmed and OrderCancelled). Everything here runs once per container: the
 * environment is validated (a bad configuration fails the cold start), and the clients
 * are created and reused.
 *
 * No endpoint plumbing: the client of `shared/aws` reads `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL`, so this file runs unchanged on AWS, LocalStack and the local cloud.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { createSqs } from '../shared/aws/sqs.ts';
import { loadEnv } from '../shared/env.ts';
import { sqsMessageDelayer } from '../shared/message-delay.ts';
import { createObservability } from '../shared/observability.ts';
import { createNotificationStore } from './adapters/notification-store.ts';
import { createIdempotentSender, createSendPersistenceLayer } from './adapters/send-once.ts';
import { createSimulatedProvider } from './adapters/simulated-provider.ts';
import { createNotificationsConsumer } from './consumer/notifications-consumer.ts';
import { notificationsConsumerEnv } from './env.ts';

const env = loadEnv(notificationsConsumerEnv);
const observability = createObservability('notifications');
// One client for the attempt records and the idempotency records of the same table.
const db = createDocumentDb();
const now = () => new Date();

export const handler = createNotificationsConsumer({
  sender: createIdempotentSender({
    provider: createSimulatedProvider({
      failureRate: env.PROVIDER_FAILURE_RATE,
      random: Math.random,
      newId: randomUUID,
      log: observability.logger,
    }),
    persistenceStore: createSendPersistenceLayer(db, env.TABLE_NAME),
    now,
  }),
  store: createNotificationStore(db, env.TABLE_NAME),
  now,
  observability,
  retries: sqsMessageDelayer(createSqs(), env.QUEUE_URL),
});
