import { isAwsError } from '../../shared/aws/errors.ts';
import type { StepFunctions } from '../../shared/aws/step-functions.ts';
import type { SagaTimer } from '../use-cases/ports.ts';

/**
 * The execution ARN of an order's timer. Executions are named after the order, so the ARN
 * is known without storing it: the state machine's ARN with `:stateMachine:` replaced by
 * `:execution:`, plus `:<orderId>` (the format of Standard workflows).
 */
export function timerExecutionArn(stateMachineArn: string, orderId: string): string {
  if (!stateMachineArn.includes(':stateMachine:'))
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
}

/** How much older than the call a returned execution must be to count as started before. */
const ALREADY_STARTED_MARGIN_MS = 5_000;

/** The input of a timer execution: the state machine waits until `deadline`, then times out `orderId`. */
export interface TimerExecutionInput {
  orderId: string;
  deadline: string;
}

/**
 * The saga timer on a Step Functions Standard state machine (`Wait` until `$.deadline`,
 * then the timeout task). One execution per order, named after it: StartExecution with the
 * same name and input while it runs returns it (told apart by its start date), and any
 * other reuse of the name answers ExecutionAlreadyExists, so starting twice never makes
 * two timers and is reported as `already-started`. A waiting Standard
 * execution costs nothing until it moves on, and stopping it early spares the two
 * remaining state transitions.
 *
 * @param stepFunctions - the client of `shared/aws`, created once per container (it finds
 *   the endpoint itself).
 * @param stateMachineArn - the timer state machine (`TIMER_STATE_MACHINE_ARN`).
 */
export function createSfnSagaTimer(
  stepFunctions: Pick<StepFunctions, 'startExecution' | 'stopExecution'>,
  stateMachineArn: string,
  now: () => Date = () => new Date(),
): SagaTimer {
  return {
    async startTimer(orderId, deadline) {
      const input: TimerExecutionInput = { orderId, deadline };
      const calledAt = now().getTime();
      try {
        const { startDate } = await stepFunctions.startExecution({
          stateMachineArn,
          name: orderId,
          input: JSON.stringify(input),
        });
        // For a running execution with the same name and input, StartExecution succeeds and
        // returns that execution: a redelivered OrderCreated lands here. Its start date
        // gives it away (a margin allows for clocks a little apart).
        if (startDate && startDate.getTime() < calledAt - ALREADY_STARTED_MARGIN_MS) {
          return 'already-started';
        }
        return 'started';
      } catch (error) {
        if (isAwsError(error, 'ExecutionAlreadyExists')) return 'already-started';
        throw error;
      }
    },

    async stopTimer(orderId) {
      try {
        await stepFunctions.stopExecution({
          executionArn: timerExecutionArn(stateMachineArn, orderId),
          error: 'OrderFinal',
          cause: 'The order is final: its saga timer is no longer needed',
        });
        return 'stopped';
      } catch (error) {
        if (isAwsError(error, 'ExecutionDoesNotExist')) return 'not-running';
        throw error;
      }
    },
  };
}
