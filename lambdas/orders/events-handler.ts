/**
 * Entry point of the order service's events consumer (SQS ← EventBridge rule for
 * OrderCreated and the payment/inventory events). Runs once per container: the environment
 * is validated (a bad configuration fails the cold start) and the clients are created and
 * reused. The SDK finds local endpoints itself (`AWS_ENDPOINT_URL*`): no local-only code.
 */
import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient } from '../shared/dynamo.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createOrderStore } from './adapters/order-store.ts';
import { createSfnSagaTimer } from './adapters/sfn-saga-timer.ts';
import { createOrderEventsHandler } from './events/order-events-handler.ts';
import { sagaFunctionEnv } from './saga-env.ts';

const env = loadEnv(sagaFunctionEnv);
const observability = createObservability('orders');
const documentClient = createDocumentClient();
const sfnClient = new SFNClient({});

export const handler = createOrderEventsHandler({
  store: createOrderStore(documentClient, env.TABLE_NAME),
  timer: createSfnSagaTimer(sfnClient, env.TIMER_STATE_MACHINE_ARN),
  now: () => new Date(),
  newId: randomUUID,
  observability,
});
