import { describe, expect, it } from '@jest/globals';
import { executionArnOf, validateExecutionName } from '../../../local/stepfunctions/names.ts';
import {
  findTaskStates,
  taskErrorFromLambda,
  taskHandler,
} from '../../../local/stepfunctions/tasks.ts';
import { FunctionError, fakeLambda, TIMEOUT_FN } from './fakes.ts';

describe('findTaskStates', () => {
  it('finds Task states at the top level, in Parallel branches and in Map processors', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'r:a', Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'B', States: { B: { Type: 'Task', Resource: 'r:b', End: true } } }],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'C',
            States: { C: { Type: 'Task', Resource: 'r:c', End: true } },
          },
          Next: 'W',
        },
        W: { Type: 'Wait', Seconds: 1, End: true },
      },
    };
    expect(findTaskStates(definition)).toEqual([
      { name: 'A', resource: 'r:a' },
      { name: 'B', resource: 'r:b' },
      { name: 'C', resource: 'r:c' },
    ]);
  });
});

describe('taskHandler', () => {
  const context = (lambda = fakeLambda().lambda, stopped = false) => ({
    lambda,
    isStopped: () => stopped,
  });

  it('invokes lambda:invoke with FunctionName and Payload and wraps the result like the Invoke response', async () => {
    const fake = fakeLambda();
    const handler = taskHandler(
      { name: 'T', resource: 'arn:aws:states:::lambda:invoke' },
      context(fake.lambda),
    );
    const result = await handler({ FunctionName: TIMEOUT_FN, Payload: { orderId: 'o-1' } });
    expect(fake.calls.map((c) => [c.functionArn, c.payload])).toEqual([
      [TIMEOUT_FN, { orderId: 'o-1' }],
    ]);
    expect(result).toMatchObject({
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: { handled: { orderId: 'o-1' } },
    });
  });

  it('invokes a function ARN resource with the state input and returns its result as is', async () => {
    const fake = fakeLambda();
    const handler = taskHandler(
      { name: 'T', resource: `${TIMEOUT_FN}:live` },
      context(fake.lambda),
    );
    expect(await handler({ a: 1 })).toEqual({ handled: { a: 1 } });
    expect(fake.calls[0]!.functionArn).toBe(`${TIMEOUT_FN}:live`);
  });

  it('does not invoke anything once the execution is stopped', async () => {
    const fake = fakeLambda();
    const handler = taskHandler({ name: 'T', resource: TIMEOUT_FN }, context(fake.lambda, true));
    await expect(handler({})).rejects.toMatchObject({ name: 'States.Runtime', isRetryable: false });
    expect(fake.calls).toHaveLength(0);
  });

  it('refuses lambda:invoke without FunctionName', async () => {
    const handler = taskHandler(
      { name: 'T', resource: 'arn:aws:states:::lambda:invoke' },
      context(),
    );
    await expect(handler({ Payload: {} })).rejects.toMatchObject({ name: 'States.Runtime' });
  });
});

describe('taskErrorFromLambda', () => {
  it('uses the error name as Error and the Lambda error JSON as Cause', () => {
    const error = taskErrorFromLambda(new FunctionError('OutOfStock', 'sku-1 is out of stock'));
    expect(error.name).toBe('OutOfStock');
    expect(JSON.parse(error.message)).toMatchObject({
      errorType: 'OutOfStock',
      errorMessage: 'sku-1 is out of stock',
    });
    expect(error.isRetryable).toBe(true);
  });

  it('prefers errorType and errorMessage when the runtime reports them', () => {
    const error = taskErrorFromLambda({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 3.00 seconds',
    });
    expect(error.name).toBe('Sandbox.Timedout');
    expect(JSON.parse(error.message)).toMatchObject({
      errorMessage: 'Task timed out after 3.00 seconds',
    });
  });
});

describe('execution names and ARNs', () => {
  it('accepts names AWS accepts and refuses the others', () => {
    expect(() => validateExecutionName('order-o-1_timer.2')).not.toThrow();
    for (const bad of ['', 'x'.repeat(81), 'a b', 'a/b', 'a:b', 'a*b', 'a{b', 'a\u0001b']) {
      expect(() => validateExecutionName(bad)).toThrow(
        expect.objectContaining({ name: 'InvalidName' }),
      );
    }
  });

  it('forms STANDARD and EXPRESS execution ARNs', () => {
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:timer';
    expect(executionArnOf(machine, 'STANDARD', 'n', 'u')).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:timer:n',
    );
    expect(executionArnOf(machine, 'EXPRESS', 'n', 'u')).toBe(
      'arn:aws:states:us-east-1:000000000000:express:timer:n:u',
    );
  });
});
