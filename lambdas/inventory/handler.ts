/**
 * Entry point of the inventory consumer Lambda (SQS queue fed by the EventBridge rule for
 * PaymentCompleted and InventoryReleaseRequested). Runs once per container: the
 * environment is validated (a bad configuration fails the cold start) and the clients
 * are created and reused. No endpoint plumbing: the clients of `shared/aws` read
 * `AWS_ENDPOINT_URL*` themselves.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { createSqs } from '../shared/aws/sqs.ts';
import { loadEnv } from '../shared/env.ts';
import { sqsMessageDelayer } from '../shared/message-delay.ts';
import { createObservability } from '../shared/observability.ts';
import { createInventoryStore } from './adapters/inventory-store.ts';
import { createInventoryConsumer } from './consumer/inventory-consumer.ts';
import { inventoryConsumerEnv } from './env.ts';

const env = loadEnv(inventoryConsumerEnv);
const observability = createObservability('inventory');
const db = createDocumentDb();

export const handler = createInventoryConsumer({
  store: createInventoryStore(db, env.TABLE_NAME),
  now: () => new Date(),
  newId: randomUUID,
  observability,
  retries: sqsMessageDelayer(createSqs(), env.QUEUE_URL),
});
