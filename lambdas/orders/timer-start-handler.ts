/**
 * Entry point of the order service's timer-start consumer (SQS, delayed by the grace
 * period ← EventBridge rule for OrderCreated). Runs once per container: the environment is
 * validated (a bad configuration fails the cold start) and the clients are created and
 * reused. The clients of `shared/aws` find local endpoints themselves
 * (`AWS_ENDPOINT_URL*`): no local-only code.
 */
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { createSqs } from '../shared/aws/sqs.ts';
import { createStepFunctions } from '../shared/aws/step-functions.ts';
import { loadEnv } from '../shared/env.ts';
import { sqsMessageDelayer } from '../shared/message-delay.ts';
import { createObservability } from '../shared/observability.ts';
import { createOrderStore } from './adapters/order-store.ts';
import { createSfnSagaTimer } from './adapters/sfn-saga-timer.ts';
import { sagaConsumerEnv } from './saga-env.ts';
import { createTimerStartHandler } from './timer/timer-start-consumer.ts';

const env = loadEnv(sagaConsumerEnv);
const observability = createObservability('orders');
const db = createDocumentDb();
const stepFunctions = createStepFunctions();

export const handler = createTimerStartHandler({
  store: createOrderStore(db, env.TABLE_NAME),
  timer: createSfnSagaTimer(stepFunctions, env.TIMER_STATE_MACHINE_ARN),
  observability,
  retries: sqsMessageDelayer(createSqs(), env.QUEUE_URL),
});
