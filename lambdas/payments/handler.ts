/**
 * Entry point of the payment Lambda (SQS queue fed by the rule for OrderCreated,
 * OrderCancelled and PaymentRefundRequested). Everything here runs once per container: the
 * environment is validated (a bad configuration fails the cold start, not a message) and
 * the clients are created and reused.
 *
 * No endpoint plumbing: the clients of `shared/aws` take `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL_SQS`
 * / `AWS_ENDPOINT_URL` from the environment, so this file runs unchanged on AWS,
 * LocalStack and the local cloud.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { createSqs } from '../shared/aws/sqs.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { sqsMessageDelayer } from '../shared/message-delay.ts';
import { createPaymentStore } from './adapters/payment-store.ts';
import { paymentsEnv } from './env.ts';
import { createPaymentsHandler } from './payments-consumer.ts';

const env = loadEnv(paymentsEnv);
const observability = createObservability('payments');
const db = createDocumentDb();
const sqs = createSqs();

export const handler = createPaymentsHandler({
  store: createPaymentStore(db, env.TABLE_NAME),
  messages: sqsMessageDelayer(sqs, env.QUEUE_URL),
  now: () => new Date(),
  newId: randomUUID,
  random: Math.random,
  failureRate: env.PAYMENT_FAILURE_RATE,
  slowPaymentSeconds: env.SLOW_PAYMENT_SECONDS,
  observability,
});
