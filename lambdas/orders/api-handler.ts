/**
 * Entry point of the order API Lambda (API Gateway REST, proxy integration). Everything
 * here runs once per container: the environment is validated (a bad configuration fails
 * the cold start, not a request), and the clients are created and reused.
 *
 * No endpoint plumbing: the clients of `shared/aws` take `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL` from the environment, so this file runs unchanged on AWS, LocalStack and the local cloud.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { createStepFunctions } from '../shared/aws/step-functions.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createOrderStore } from './adapters/order-store.ts';
import { createSfnSagaTimer } from './adapters/sfn-saga-timer.ts';
import { orderApiEnv } from './api/env.ts';
import { createApiHandler } from './api/order-api.ts';
import { sagaTimerEnv } from './saga-env.ts';

const env = loadEnv({ ...orderApiEnv, ...sagaTimerEnv });
const observability = createObservability('orders');
const db = createDocumentDb();
const stepFunctions = createStepFunctions();

export const handler = createApiHandler({
  store: createOrderStore(db, env.TABLE_NAME),
  timer: createSfnSagaTimer(stepFunctions, env.TIMER_STATE_MACHINE_ARN),
  now: () => new Date(),
  newId: randomUUID,
  sagaTimeoutSeconds: env.SAGA_TIMEOUT_SECONDS,
  timerGraceSeconds: env.SAGA_TIMER_GRACE_SECONDS,
  observability,
});
