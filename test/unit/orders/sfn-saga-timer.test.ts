import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createSfnSagaTimer,
  timerExecutionArn,
} from '../../../lambdas/orders/adapters/sfn-saga-timer.ts';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderSaga-dev-SagaTimer';

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
  const sfn = mockClient(SFNClient);
  const timer = createSfnSagaTimer(new SFNClient({ region: 'eu-west-1' }), MACHINE);

  beforeEach(() => {
    sfn.reset();
  });

  it('starts one execution named after the order with its id and deadline as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    expect(await timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).toBe('started');
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input).toEqual({
      stateMachineArn: MACHINE,
      name: 'ord-1',
      input: JSON.stringify({ orderId: 'ord-1', deadline: '2026-11-23T10:01:30.000Z' }),
    });
  });

  it('treats ExecutionAlreadyExists as a timer already started', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).toBe('already-started');
  });

  it('lets any other start failure through', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('ThrottlingException'));
    await expect(timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z')).rejects.toThrow(
      'ThrottlingException',
    );
  });

  it('stops the order’s execution by its derived ARN', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    expect(await timer.stopTimer('ord-1')).toBe('stopped');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toMatchObject({
      executionArn: timerExecutionArn(MACHINE, 'ord-1'),
    });
  });

  it('treats ExecutionDoesNotExist as a timer that is not running', async () => {
    sfn
      .on(StopExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'missing', $metadata: {} }));
    expect(await timer.stopTimer('ord-1')).toBe('not-running');
  });

  it('lets any other stop failure through (the caller decides it is best effort)', async () => {
    sfn.on(StopExecutionCommand).rejects(new Error('AccessDenied'));
    await expect(timer.stopTimer('ord-1')).rejects.toThrow('AccessDenied');
  });
});
