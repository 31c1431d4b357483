/**
 * Entry point of the saga timer's task (Step Functions invokes it with `{ orderId }` when
 * the order's deadline has passed). Runs once per container: the environment is validated
 * and the clients are created and reused. No local-only code: the clients of `shared/aws`
 * read `AWS_ENDPOINT_URL*` themselves.
 *
 * `TIMER_STATE_MACHINE_ARN` is validated like the other saga functions' although the task
 * never stops its own timer: the functions share one configuration shape.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createOrderStore } from './adapters/order-store.ts';
import { sagaFunctionEnv } from './saga-env.ts';
import { createTimeoutHandler } from './timer/timeout-task.ts';

const env = loadEnv(sagaFunctionEnv);
const observability = createObservability('orders');
const db = createDocumentDb();

export const handler = createTimeoutHandler({
  store: createOrderStore(db, env.TABLE_NAME),
  now: () => new Date(),
  newId: randomUUID,
  observability,
});
