import { describe, expect, it } from '@jest/globals';
import type { StartExecutionInput, StopExecutionInput } from '@aws-sdk/client-sfn';
import {
  createSfnSagaTimer,
  timerExecutionArn,
} from '../../../lambdas/orders/adapters/sfn-saga-timer.ts';
import { AwsServiceError } from '../../../lambdas/shared/aws/errors.ts';
import type { StepFunctions } from '../../../lambdas/shared/aws/step-functions.ts';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderSaga-dev-SagaTimer';

const serviceError = (code: string) => new AwsServiceError({ code, message: code, status: 400 });

/** A plain fake of the Step Functions client: records the calls, fails as told. */
function fakeStepFunctions(
  failWith: { start?: Error; stop?: Error } = {},
  startDate: () => Date = () => new Date(),
) {
  const started: StartExecutionInput[] = [];
  const stopped: StopExecutionInput[] = [];
  const stepFunctions: StepFunctions = {
    startExecution: (input) => {
      started.push(input);
      return failWith.start
        ? Promise.reject(failWith.start)
        : Promise.resolve({ executionArn: 'x', startDate: startDate() });
    },
    stopExecution: (input) => {
      stopped.push(input);
      return failWith.stop
        ? Promise.reject(failWith.stop)
        : Promise.resolve({ stopDate: new Date() });
    },
  };
  return { stepFunctions, started, stopped };
}

describe('timerExecutionArn', () => {
  it('is the execution ARN of the execution named after the order', () => {
    expect(timerExecutionArn(MACHINE, 'ord-1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:OrderSaga-dev-SagaTimer:ord-1',
    );
    expect(timerExecutionArn('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:t', 'o')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:execution:t:o',
    );
  });

  it('refuses an ARN that is not a state machine’s', () => {
    expect(() => timerExecutionArn('arn:aws:lambda:eu-west-1:1:function:f', 'o')).toThrow(
      'Not a state machine ARN',
    );
  });
});

describe('createSfnSagaTimer', () => {
  it('starts one execution named after the order with its id and deadline as input', async () => {
    const { stepFunctions, started } = fakeStepFunctions();
    const timer = createSfnSagaTimer(stepFunctions, MACHINE);
    expect(await timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).toBe('started');
    expect(started).toEqual([
      {
        stateMachineArn: MACHINE,
        name: 'ord-1',
        input: JSON.stringify({ orderId: 'ord-1', deadline: '2026-11-23T10:01:30.000Z' }),
      },
    ]);
  });

  it('tells a running execution StartExecution returned again (same name and input) from a new one', async () => {
    const now = new Date('2026-11-23T10:00:30.000Z');
    const since = (ms: number) => () => new Date(now.getTime() - ms);
    const startOf = (startDate: () => Date) =>
      createSfnSagaTimer(
        fakeStepFunctions({}, startDate).stepFunctions,
        MACHINE,
        () => now,
      ).startTimer('ord-1', '2026-11-23T10:01:30.000Z');
    // A redelivered OrderCreated: the execution started 30 s ago.
    expect(await startOf(since(30_000))).toBe('already-started');
    // Just started (a clock a second ahead or behind is still this call's execution).
    expect(await startOf(since(0))).toBe('started');
    expect(await startOf(since(-1_000))).toBe('started');
    expect(await startOf(since(1_000))).toBe('started');
  });

  it('treats ExecutionAlreadyExists as a timer already started', async () => {
    const { stepFunctions } = fakeStepFunctions({ start: serviceError('ExecutionAlreadyExists') });
    const timer = createSfnSagaTimer(stepFunctions, MACHINE);
    expect(await timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).toBe('already-started');
  });

  it('lets any other start failure through', async () => {
    const { stepFunctions } = fakeStepFunctions({ start: serviceError('ThrottlingException') });
    const timer = createSfnSagaTimer(stepFunctions, MACHINE);
    await expect(timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).rejects.toThrow(
      'ThrottlingException',
    );
  });

  it('stops the order’s execution by its derived ARN', async () => {
    const { stepFunctions, stopped } = fakeStepFunctions();
    const timer = createSfnSagaTimer(stepFunctions, MACHINE);
    expect(await timer.stopTimer('ord-1')).toBe('stopped');
    expect(stopped[0]).toMatchObject({ executionArn: timerExecutionArn(MACHINE, 'ord-1') });
  });

  it('treats ExecutionDoesNotExist as a timer that is not running', async () => {
    const { stepFunctions } = fakeStepFunctions({ stop: serviceError('ExecutionDoesNotExist') });
    expect(await createSfnSagaTimer(stepFunctions, MACHINE).stopTimer('ord-1')).toBe('not-running');
  });

  it('lets any other stop failure through (the caller decides it is best effort)', async () => {
    const { stepFunctions } = fakeStepFunctions({ stop: serviceError('AccessDeniedException') });
    await expect(createSfnSagaTimer(stepFunctions, MACHINE).stopTimer('ord-1')).rejects.toThrow(
      'AccessDeniedException',
    );
  });
});
