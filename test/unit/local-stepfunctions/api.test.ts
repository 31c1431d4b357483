import { afterEach, describe, expect, it } from '@jest/globals';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.ts';
import { machineArn, sagaTimer, stepFunctionsWith } from './fakes.ts';

const started: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sfn) => sfn.stop()));
});

function emulator() {
  const setup = stepFunctionsWith({
    quick: sagaTimer({ Seconds: 0 }),
    slow: sagaTimer({ Seconds: 60 }),
  });
  started.push(setup.sfn);
  return setup.sfn;
}

type Body = Record<string, unknown>;

describe('LocalStepFunctions.handleApiRequest', () => {
  it('StartExecution answers with the ARN and the start date in epoch seconds', async () => {
    const sfn = emulator();
    const before = Date.now() / 1000;
    const response = await sfn.handleApiRequest('StartExecution', {
      stateMachineArn: machineArn('slow'),
      name: 'api-1',
      input: '{"a":1}',
    });
    expect(response.statusCode).toBe(200);
    const body = response.body as Body;
    expect(body.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:slow:api-1');
    expect(typeof body.startDate).toBe('number');
    expect(body.startDate as number).toBeGreaterThanOrEqual(before - 1);
  });

  it('DescribeExecution shows status, input and, once done, output', async () => {
    const sfn = emulator();
    const { executionArn } = await sfn.startExecution(
      machineArn('quick'),
      '{"orderId":"o-1"}',
      'api-2',
    );
    await sfn.waitForExecution(executionArn);
    const response = await sfn.handleApiRequest('DescribeExecution', { executionArn });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      executionArn,
      stateMachineArn: machineArn('quick'),
      name: 'api-2',
      status: 'SUCCEEDED',
      input: '{"orderId":"o-1"}',
      output: '{"handled":{"orderId":"o-1"}}',
      startDate: expect.any(Number),
      stopDate: expect.any(Number),
    });
  });

  it('ListExecutions filters by status and pages with nextToken', async () => {
    const sfn = emulator();
    for (const name of ['a', 'b', 'c']) await sfn.startExecution(machineArn('slow'), '{}', name);
    const first = (
      await sfn.handleApiRequest('ListExecutions', {
        stateMachineArn: machineArn('slow'),
        statusFilter: 'RUNNING',
        maxResults: 2,
      })
    ).body as { executions: { name: string }[]; nextToken?: string };
    expect(first.executions.map((e) => e.name)).toEqual(['c', 'b']);
    const second = (
      await sfn.handleApiRequest('ListExecutions', {
        stateMachineArn: machineArn('slow'),
        maxResults: 2,
        nextToken: first.nextToken,
      })
    ).body as { executions: { name: string }[]; nextToken?: string };
    expect(second.executions.map((e) => e.name)).toEqual(['a']);
    expect(second.nextToken).toBeUndefined();
  });

  it('StopExecution aborts and answers with the stop date', async () => {
    const sfn = emulator();
    const { executionArn } = await sfn.startExecution(machineArn('slow'), '{}');
    const response = await sfn.handleApiRequest('StopExecution', {
      executionArn,
      error: 'E',
      cause: 'C',
    });
    expect(response).toEqual({ statusCode: 200, body: { stopDate: expect.any(Number) } });
    expect(await sfn.describeExecution(executionArn)).toMatchObject({
      status: 'ABORTED',
      error: 'E',
      cause: 'C',
    });
  });

  it('GetExecutionHistory lists events with ids and typed details', async () => {
    const sfn = emulator();
    const { executionArn } = await sfn.startExecution(machineArn('quick'), '{}');
    await sfn.waitForExecution(executionArn);
    const body = (await sfn.handleApiRequest('GetExecutionHistory', { executionArn })).body as {
      events: {
        id: number;
        type: string;
        timestamp: number;
        stateEnteredEventDetails?: { name: string };
      }[];
    };
    expect(body.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(body.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(body.events[3]!.stateEnteredEventDetails).toEqual({ name: 'Timeout', input: '{}' });
    expect(typeof body.events[0]!.timestamp).toBe('number');
  });

  it('DescribeStateMachine and ListStateMachines show the definitions', async () => {
    const sfn = emulator();
    const described = (
      await sfn.handleApiRequest('DescribeStateMachine', { stateMachineArn: machineArn('quick') })
    ).body as Body;
    expect(described).toMatchObject({ name: 'quick', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition as string)).toEqual(sagaTimer({ Seconds: 0 }));
    const listed = (await sfn.handleApiRequest('ListStateMachines', {})).body as {
      stateMachines: { name: string }[];
    };
    expect(listed.stateMachines.map((m) => m.name)).toEqual(['quick', 'slow']);
  });

  it('answers errors as AWS JSON errors with status 400', async () => {
    const sfn = emulator();
    await sfn.startExecution(machineArn('slow'), '{"a":1}', 'dup');
    const cases: [string, unknown, string][] = [
      [
        'DescribeExecution',
        { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:slow:nope' },
        'ExecutionDoesNotExist',
      ],
      ['StartExecution', { stateMachineArn: machineArn('nope') }, 'StateMachineDoesNotExist'],
      [
        'StartExecution',
        { stateMachineArn: machineArn('slow'), name: 'dup', input: '{"a":2}' },
        'ExecutionAlreadyExists',
      ],
      ['StartExecution', { stateMachineArn: machineArn('slow'), name: 'a/b' }, 'InvalidName'],
      [
        'StartExecution',
        { stateMachineArn: machineArn('slow'), input: 'nope' },
        'InvalidExecutionInput',
      ],
      ['StartExecution', {}, 'ValidationException'],
      [
        'ListExecutions',
        { stateMachineArn: machineArn('slow'), statusFilter: 'DONE' },
        'ValidationException',
      ],
      ['StartSyncExecution', {}, 'UnknownOperationException'],
      ['DescribeExecution', 'text', 'SerializationException'],
    ];
    for (const [action, body, type] of cases) {
      const response = await sfn.handleApiRequest(action, body);
      expect([action, response.statusCode, (response.body as Body).__type]).toEqual([
        action,
        400,
        type,
      ]);
      expect((response.body as Body).message).toEqual(expect.any(String));
    }
  });
});
