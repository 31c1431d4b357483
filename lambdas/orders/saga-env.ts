import * as z from 'zod/mini';
import { ownQueueEnv } from '../shared/message-delay.ts';

/**
 * The saga timer's state machine ARN (`TIMER_STATE_MACHINE_ARN`): the order functions start
 * and stop executions of it, so a value that is not a state machine ARN fails the cold start.
 */
export const TimerStateMachineArn = z
  .string()
  .check(
    z.regex(
      /^arn:[a-z-]+:states:[a-z0-9-]*:[0-9]*:stateMachine:[A-Za-z0-9_-]{1,80}$/,
      'must be a Step Functions state machine ARN',
    ),
  );

/**
 * The saga timer's setting, shared by every order function that starts or stops timers
 * (the API adds it to its own settings: a customer's cancel stops the timer).
 */
export const sagaTimerEnv = {
  TIMER_STATE_MACHINE_ARN: TimerStateMachineArn,
  /**
   * The stage's timer grace period: an order final well within it has no timer, so no
   * stop is asked for. Unset means 0: every stop is asked for, which is always safe.
   */
  SAGA_TIMER_GRACE_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(0), z.maximum(900)),
    0,
  ),
};

/**
 * The environment of the order service's saga functions (the events consumer and the
 * timeout task), validated at cold start by `loadEnv`.
 */
export const sagaFunctionEnv = {
  /** The orders table (orders with their timelines, idempotency records, outbox). */
  TABLE_NAME: z.string().check(z.minLength(1), z.maxLength(255)),
  ...sagaTimerEnv,
};

/** The environment of the order service's queue consumers (events, timer start). */
export const sagaConsumerEnv = { ...sagaFunctionEnv, ...ownQueueEnv };
