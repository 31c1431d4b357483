import { afterEach, describe, expect, it } from '@jest/globals';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.ts';
import {
  FunctionError,
  machineArn,
  pollUntil,
  sagaTimer,
  stepFunctionsWith,
  TIMEOUT_FN,
} from './fakes.ts';

// Real timers throughout: waits are kept to a few hundred ms (SecondsPath takes
// whole seconds, so that one waits 1 s), and tests poll with deadlines.
const TEST_TIMEOUT = 30_000;

const started: LocalStepFunctions[] = [];
function track<T extends { sfn: LocalStepFunctions }>(setup: T): T {
  started.push(setup.sfn);
  return setup;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((sfn) => sfn.stop()));
});

describe('LocalStepFunctions: waits and Lambda tasks', () => {
  it(
    'waits SecondsPath seconds, then invokes the function via lambda:invoke and succeeds with its output',
    async () => {
      const { sfn, calls, handlers } = track(
        stepFunctionsWith({ timer: sagaTimer({ SecondsPath: '$.waitSeconds' }) }),
      );
      handlers.set(TIMEOUT_FN, (payload) => ({
        cancelled: (payload as { orderId: string }).orderId,
      }));
      const { executionArn, startDate } = await sfn.startExecution(
        machineArn('timer'),
        JSON.stringify({ orderId: 'o-1', waitSeconds: 1 }),
      );
      expect((await sfn.describeExecution(executionArn)).status).toBe('RUNNING');
      const done = await pollUntil(
        () => sfn.describeExecution(executionArn),
        (d) => d.status !== 'RUNNING',
      );
      expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"cancelled":"o-1"}' });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.functionArn).toBe(TIMEOUT_FN);
      expect(calls[0]!.payload).toEqual({ orderId: 'o-1', waitSeconds: 1 });
      expect(calls[0]!.at - startDate.getTime()).toBeGreaterThanOrEqual(950);
      expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(calls[0]!.at);
    },
    TEST_TIMEOUT,
  );

  it(
    'waits until the TimestampPath time, then invokes a function given by ARN with the state input',
    async () => {
      const { sfn, calls } = track(
        stepFunctionsWith({
          direct: {
            StartAt: 'Wait',
            States: {
              Wait: { Type: 'Wait', TimestampPath: '$.deadline', Next: 'Fire' },
              Fire: { Type: 'Task', Resource: TIMEOUT_FN, End: true },
            },
          },
        }),
      );
      const deadline = new Date(Date.now() + 300);
      const { executionArn } = await sfn.startExecution(
        machineArn('direct'),
        JSON.stringify({ deadline: deadline.toISOString() }),
      );
      const done = await sfn.waitForExecution(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ handled: { deadline: deadline.toISOString() } });
      expect(calls[0]!.at).toBeGreaterThanOrEqual(deadline.getTime() - 5);
    },
    TEST_TIMEOUT,
  );

  it('passes the whole Invoke response when there is no OutputPath', async () => {
    const definition = sagaTimer({ Seconds: 0 }) as {
      States: { Timeout: Record<string, unknown> };
    };
    delete definition.States.Timeout.OutputPath;
    const { sfn } = track(stepFunctionsWith({ raw: definition }));
    const { executionArn } = await sfn.startExecution(machineArn('raw'), '{"a":1}');
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!)).toMatchObject({
      StatusCode: 200,
      Payload: { handled: { a: 1 } },
    });
  });

  it('fails with the function error type as error and the Lambda error JSON as cause', async () => {
    const { sfn, handlers } = track(stepFunctionsWith({ timer: sagaTimer({ Seconds: 0 }) }));
    handlers.set(TIMEOUT_FN, () => {
      throw new FunctionError('OrderNotFound', 'order o-404 does not exist');
    });
    const { executionArn } = await sfn.startExecution(machineArn('timer'), '{"orderId":"o-404"}');
    const done = await sfn.waitForExecution(executionArn);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('OrderNotFound');
    expect(JSON.parse(done.cause!)).toMatchObject({
      errorType: 'OrderNotFound',
      errorMessage: 'order o-404 does not exist',
    });
    expect(done.output).toBeUndefined();
  });

  it(
    'retries a failing task per its Retry, counting the retry as a state transition',
    async () => {
      const { sfn, calls, handlers } = track(
        stepFunctionsWith({
          retrying: {
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: TIMEOUT_FN,
                Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 }],
                End: true,
              },
            },
          },
        }),
      );
      let failuresLeft = 1;
      handlers.set(TIMEOUT_FN, () => {
        if (failuresLeft-- > 0) throw new FunctionError('Flaky', 'try again');
        return 'ok';
      });
      const { executionArn } = await sfn.startExecution(machineArn('retrying'), '{}');
      const done = await sfn.waitForExecution(executionArn);
      expect(done).toMatchObject({ status: 'SUCCEEDED', output: '"ok"' });
      expect(calls).toHaveLength(2);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
      expect(sfn.counters()['stateTransitions.retrying']).toBe(2);
    },
    TEST_TIMEOUT,
  );

  it('catches a task error and continues with the error as input', async () => {
    const { sfn, handlers } = track(
      stepFunctionsWith({
        catching: {
          StartAt: 'Call',
          States: {
            Call: {
              Type: 'Task',
              Resource: TIMEOUT_FN,
              Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Compensate' }],
              End: true,
            },
            Compensate: { Type: 'Pass', End: true },
          },
        },
      }),
    );
    handlers.set(TIMEOUT_FN, () => {
      throw new FunctionError('PaymentDeclined', 'card declined');
    });
    const { executionArn } = await sfn.startExecution(machineArn('catching'), '{"orderId":"o-2"}');
    const done = await sfn.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as {
      orderId: string;
      failure: { Error: string; Cause: string };
    };
    expect(output.orderId).toBe('o-2');
    expect(output.failure.Error).toBe('PaymentDeclined');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorMessage: 'card declined' });
  });

  it('fails with States.Runtime, without retrying, for a resource the local cloud cannot run', async () => {
    const { sfn } = track(
      stepFunctionsWith({
        sns: {
          StartAt: 'Publish',
          States: {
            Publish: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sns:publish',
              Parameters: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'hi' },
              Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 3 }],
              End: true,
            },
          },
        },
      }),
    );
    const { executionArn } = await sfn.startExecution(machineArn('sns'), '{}');
    const done = await sfn.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toMatch(/sns:publish/);
  });

  it(
    'reports TIMED_OUT when the execution exceeds TimeoutSeconds',
    async () => {
      const { sfn, calls } = track(
        stepFunctionsWith({ slow: { ...sagaTimer({ Seconds: 30 }), TimeoutSeconds: 1 } }),
      );
      const { executionArn } = await sfn.startExecution(machineArn('slow'), '{}');
      const done = await sfn.waitForExecution(executionArn);
      expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
      expect(calls).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  it('exposes the execution in the context object', async () => {
    const { sfn } = track(
      stepFunctionsWith({
        ctx: {
          StartAt: 'Read',
          States: {
            Read: {
              Type: 'Pass',
              Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' },
              End: true,
            },
          },
        },
      }),
    );
    const { executionArn } = await sfn.startExecution(machineArn('ctx'), '{}', 'run-1');
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!)).toEqual({ id: executionArn, name: 'run-1' });
  });
});

describe('LocalStepFunctions.stopExecution', () => {
  it(
    'aborts an execution during its Wait: ABORTED at once, the timer cancelled, the task never run',
    async () => {
      const { sfn, calls } = track(
        stepFunctionsWith({ timer: sagaTimer({ SecondsPath: '$.waitSeconds' }) }),
      );
      const { executionArn } = await sfn.startExecution(machineArn('timer'), '{"waitSeconds":1}');
      await pollUntil(
        async () => (await sfn.getExecutionHistory(executionArn)).map((e) => e.type),
        (types) => types.includes('WaitStateEntered'),
      );
      const { stopDate } = await sfn.stopExecution(executionArn, 'Cancelled', 'order confirmed');
      expect(await sfn.describeExecution(executionArn)).toMatchObject({
        status: 'ABORTED',
        stopDate,
        error: 'Cancelled',
        cause: 'order confirmed',
      });
      const settledAt = Date.now();
      await sfn.waitForExecution(executionArn);
      // The run ended right away: the 1 s wait did not run out.
      expect(Date.now() - settledAt).toBeLessThan(500);
      // And well past the original deadline, the task still has not run.
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect(calls).toHaveLength(0);
      expect((await sfn.describeExecution(executionArn)).status).toBe('ABORTED');
      expect(sfn.counters().executionsAborted).toBe(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'aborts an execution waiting to retry a task: the function is not called again',
    async () => {
      const { sfn, calls, handlers } = track(
        stepFunctionsWith({
          retrying: {
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: TIMEOUT_FN,
                Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }],
                End: true,
              },
            },
          },
        }),
      );
      handlers.set(TIMEOUT_FN, () => {
        throw new FunctionError('Flaky', 'down');
      });
      const { executionArn } = await sfn.startExecution(machineArn('retrying'), '{}');
      await pollUntil(
        () => calls.length,
        (n) => n === 1,
      );
      await sfn.stopExecution(executionArn);
      await sfn.waitForExecution(executionArn);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(calls).toHaveLength(1);
      expect((await sfn.describeExecution(executionArn)).status).toBe('ABORTED');
    },
    TEST_TIMEOUT,
  );

  it('changes nothing on an execution that has ended', async () => {
    const { sfn } = track(stepFunctionsWith({ timer: sagaTimer({ Seconds: 0 }) }));
    const { executionArn } = await sfn.startExecution(machineArn('timer'), '{}');
    const done = await sfn.waitForExecution(executionArn);
    expect((await sfn.stopExecution(executionArn)).stopDate).toEqual(done.stopDate);
    expect((await sfn.describeExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('refuses an unknown execution', async () => {
    const { sfn } = track(stepFunctionsWith({}));
    await expect(
      sfn.stopExecution('arn:aws:states:us-east-1:000000000000:execution:x:y'),
    ).rejects.toThrow(expect.objectContaining({ name: 'ExecutionDoesNotExist' }));
  });
});

describe('LocalStepFunctions.startExecution', () => {
  const longWait = () => stepFunctionsWith({ timer: sagaTimer({ Seconds: 60 }) });

  it('returns the same execution for the same name and input while it runs', async () => {
    const { sfn } = track(longWait());
    const first = await sfn.startExecution(machineArn('timer'), '{"orderId":"o-1"}', 'order-o-1');
    const second = await sfn.startExecution(machineArn('timer'), '{"orderId":"o-1"}', 'order-o-1');
    expect(second).toEqual(first);
    expect(first.executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:timer:order-o-1',
    );
    expect(await sfn.listExecutions(machineArn('timer'))).toHaveLength(1);
    expect(sfn.counters().executionsStarted).toBe(1);
  });

  it('refuses the same name with a different input: ExecutionAlreadyExists', async () => {
    const { sfn } = track(longWait());
    await sfn.startExecution(machineArn('timer'), '{"orderId":"o-1"}', 'order-o-1');
    await expect(
      sfn.startExecution(machineArn('timer'), '{"orderId":"o-2"}', 'order-o-1'),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('refuses the name of an execution that has ended', async () => {
    const { sfn } = track(stepFunctionsWith({ quick: sagaTimer({ Seconds: 0 }) }));
    const { executionArn } = await sfn.startExecution(machineArn('quick'), '{}', 'once');
    await sfn.waitForExecution(executionArn);
    await expect(sfn.startExecution(machineArn('quick'), '{}', 'once')).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('names executions with a UUID by default', async () => {
    const { sfn } = track(longWait());
    const { executionArn } = await sfn.startExecution(machineArn('timer'));
    expect(executionArn).toMatch(/:execution:timer:[0-9a-f-]{36}$/);
    expect((await sfn.describeExecution(executionArn)).input).toBe('{}');
  });

  it('does not deduplicate EXPRESS executions by name', async () => {
    const { sfn } = track(stepFunctionsWith({ fast: sagaTimer({ Seconds: 60 }) }, 'EXPRESS'));
    const a = await sfn.startExecution(machineArn('fast'), '{}', 'same');
    const b = await sfn.startExecution(machineArn('fast'), '{}', 'same');
    expect(a.executionArn).not.toBe(b.executionArn);
    expect(a.executionArn).toMatch(/:express:fast:same:/);
  });

  it('refuses invalid names, invalid input and unknown state machines', async () => {
    const { sfn } = track(longWait());
    await expect(sfn.startExecution(machineArn('timer'), '{}', 'has space')).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(
      sfn.startExecution(machineArn('timer'), '{}', 'x'.repeat(81)),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(sfn.startExecution(machineArn('timer'), '{oops')).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await expect(sfn.startExecution(machineArn('nope'), '{}')).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });

  it('refuses an invalid definition when the state machine is added', () => {
    const { sfn } = track(stepFunctionsWith({}));
    expect(() =>
      sfn.addStateMachine({
        logicalId: 'Bad',
        name: 'bad',
        arn: machineArn('bad'),
        type: 'STANDARD',
        definition: { StartAt: 'Missing', States: {} },
      }),
    ).toThrow(/invalid/i);
  });
});

describe('LocalStepFunctions.listExecutions', () => {
  it('lists a state machine executions newest first, optionally by status', async () => {
    const { sfn } = track(
      stepFunctionsWith({ timer: sagaTimer({ Seconds: 60 }), other: sagaTimer({ Seconds: 60 }) }),
    );
    const a = await sfn.startExecution(machineArn('timer'), '{}', 'a');
    const b = await sfn.startExecution(machineArn('timer'), '{}', 'b');
    const c = await sfn.startExecution(machineArn('timer'), '{}', 'c');
    await sfn.startExecution(machineArn('other'), '{}', 'elsewhere');
    await sfn.stopExecution(b.executionArn);
    expect((await sfn.listExecutions(machineArn('timer'))).map((e) => e.name)).toEqual([
      'c',
      'b',
      'a',
    ]);
    expect(
      (await sfn.listExecutions(machineArn('timer'), 'RUNNING')).map((e) => e.executionArn),
    ).toEqual([c.executionArn, a.executionArn]);
    expect((await sfn.listExecutions(machineArn('timer'), 'ABORTED')).map((e) => e.name)).toEqual([
      'b',
    ]);
    await expect(sfn.listExecutions(machineArn('nope'))).rejects.toThrow(
      expect.objectContaining({ name: 'StateMachineDoesNotExist' }),
    );
  });
});

describe('LocalStepFunctions counters', () => {
  it('counts one state transition per state entered, per state machine', async () => {
    const { sfn } = track(
      stepFunctionsWith({
        flow: {
          StartAt: 'Start',
          States: {
            Start: { Type: 'Pass', Result: { kind: 'refund' }, Next: 'Route' },
            Route: {
              Type: 'Choice',
              Choices: [{ Variable: '$.kind', StringEquals: 'refund', Next: 'Refund' }],
              Default: 'Done',
            },
            Refund: { Type: 'Pass', Next: 'Done' },
            Done: { Type: 'Succeed' },
          },
        },
        short: { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } },
      }),
    );
    const runs = [
      await sfn.startExecution(machineArn('flow'), '{}'),
      await sfn.startExecution(machineArn('flow'), '{}'),
      await sfn.startExecution(machineArn('short'), '{}'),
    ];
    const results = await Promise.all(runs.map((r) => sfn.waitForExecution(r.executionArn)));
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const histories = await Promise.all(runs.map((r) => sfn.getExecutionHistory(r.executionArn)));
    const entered = histories.map((h) => h.filter((e) => e.type.endsWith('StateEntered')).length);
    expect(entered).toEqual([4, 4, 1]);
    expect(sfn.counters()).toMatchObject({
      stateTransitions: 9,
      'stateTransitions.flow': 8,
      'stateTransitions.short': 1,
      executionsStarted: 3,
      'executionsStarted.flow': 2,
      executionsSucceeded: 3,
    });
  });
});

describe('LocalStepFunctions.stop', () => {
  it(
    'aborts running executions promptly and refuses new ones',
    async () => {
      const { sfn, calls } = stepFunctionsWith({ timer: sagaTimer({ Seconds: 60 }) });
      const { executionArn } = await sfn.startExecution(machineArn('timer'), '{}');
      await pollUntil(
        async () => (await sfn.getExecutionHistory(executionArn)).length,
        (n) => n >= 2,
      );
      const before = Date.now();
      await sfn.stop();
      expect(Date.now() - before).toBeLessThan(1000);
      expect((await sfn.describeExecution(executionArn)).status).toBe('ABORTED');
      await expect(sfn.startExecution(machineArn('timer'), '{}')).rejects.toMatchObject({
        name: 'ServiceUnavailable',
      });
      expect(calls).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );
});
