import { beforeAll, describe, expect, it } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SagaTimer, TIMER_STATE_MACHINE_ARN_VARIABLE } from '../../lib/constructs/saga-timer.ts';
import { lambdaEntry } from '../../lib/paths.ts';
import {
  definitionOf,
  flattened,
  onlyId,
  propertiesOf,
  referencedIds,
  roleOf,
  statementsAllowing,
  statementsOf,
  unbundledStack,
  type StateMachineDefinition,
} from './template-helpers.ts';

const NAME = 'OrderSaga-test-saga-timer';

/** A timer, a role that may start it and a role that may stop its executions. */
function timerTemplate(tracing: boolean): Template {
  const stack = unbundledStack();
  const timer = new SagaTimer(stack, 'Timer', {
    stateMachineName: NAME,
    observability: { logLevel: 'INFO', tracing, metricsNamespace: 'Test' },
    environment: { TABLE_NAME: 'orders-table' },
    // Any existing handler module: this test looks at settings, not code.
    entry: lambdaEntry('relay/handler.ts'),
  });
  const assumedBy = new iam.ServicePrincipal('lambda.amazonaws.com');
  timer.grantStart(new iam.Role(stack, 'Starter', { assumedBy }));
  timer.grantStop(new iam.Role(stack, 'Stopper', { assumedBy }));
  return Template.fromStack(stack);
}

describe('SagaTimer', () => {
  let template: Template;
  let machine: string;
  let timeoutFunction: string;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    template = timerTemplate(true);
    machine = onlyId(template, 'AWS::StepFunctions::StateMachine');
    timeoutFunction = onlyId(template, 'AWS::Lambda::Function');
    definition = definitionOf(template, machine);
  });

  it('is a named Standard state machine, traced and logging every event to its own log group', () => {
    expect(propertiesOf(template, machine)).toMatchObject({
      StateMachineName: NAME,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [idOf(template, 'TimerLogs'), 'Arn'] },
            },
          },
        ],
      },
    });
    // Vended-logs path: no statement in the account's size-capped Logs resource policy.
    expect(propertiesOf(template, idOf(template, 'TimerLogs')).LogGroupName).toBe(
      `/aws/vendedlogs/states/${NAME}`,
    );
  });

  it('starts by waiting until the deadline in the execution input', () => {
    const first = definition.States[definition.StartAt]!;
    expect(first).toMatchObject({ Type: 'Wait', TimestampPath: '$.deadline' });
    expect(first.Next).toBeDefined();
  });

  it('then invokes the timeout function with the orderId only, and ends', () => {
    const wait = definition.States[definition.StartAt]!;
    const task = definition.States[wait.Next!]!;
    expect(task).toMatchObject({
      Type: 'Task',
      Resource: 'arn:${AWS::Partition}:states:::lambda:invoke',
      Parameters: {
        FunctionName: `\${${timeoutFunction}.Arn}`,
        Payload: { 'orderId.$': '$.orderId' },
      },
      End: true,
    });
    expect(Object.keys(definition.States)).toHaveLength(2);
  });

  it('retries Lambda service errors and, a few times, failures of the function', () => {
    const wait = definition.States[definition.StartAt]!;
    const retry = definition.States[wait.Next!]!.Retry as {
      ErrorEquals: string[];
      MaxAttempts: number;
    }[];
    const retried = retry.flatMap((r) => r.ErrorEquals);
    expect(retried).toEqual(
      expect.arrayContaining(['Lambda.ServiceException', 'States.TaskFailed']),
    );
    for (const policy of retry) expect(policy.MaxAttempts).toBeGreaterThan(0);
  });

  it('retries failures of the timeout function 4 times, 5 s apart and doubling', () => {
    const wait = definition.States[definition.StartAt]!;
    const retry = definition.States[wait.Next!]!.Retry as Record<string, unknown>[];
    expect(retry).toContainEqual({
      ErrorEquals: ['States.TaskFailed'],
      IntervalSeconds: 5,
      BackoffRate: 2,
      MaxAttempts: 4,
    });
  });

  it('keeps its execution logs, with their input, for a month', () => {
    expect(propertiesOf(template, machine).LoggingConfiguration).toMatchObject({
      IncludeExecutionData: true,
    });
    expect(propertiesOf(template, idOf(template, 'TimerLogs')).RetentionInDays).toBe(30);
  });

  it('tells the timeout function the machine ARN built from its name, and its table', () => {
    const variables = (
      propertiesOf(template, timeoutFunction).Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.TABLE_NAME).toBe('orders-table');
    expect(flattened(variables[TIMER_STATE_MACHINE_ARN_VARIABLE])).toMatch(
      new RegExp(
        `^arn:(aws|\\$\\{AWS::Partition\\}):states:eu-west-1:123456789012:stateMachine:${NAME}$`,
      ),
    );
  });

  it('may invoke the timeout function and no other', () => {
    const machineRole = (propertiesOf(template, machine).RoleArn as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const invokes = statementsAllowing(template, machineRole, 'lambda:InvokeFunction');
    expect(invokes.length).toBeGreaterThan(0);
    for (const statement of invokes) {
      for (const resource of [statement.Resource].flat()) {
        expect(flattened(resource)).toMatch(
          new RegExp(`^\\$\\{${timeoutFunction}\\.Arn\\}(:\\*)?$`),
        );
      }
    }
  });

  it('lets a starter start executions of this machine only', () => {
    const [start, ...more] = statementsOf(template, idOf(template, 'Starter'));
    expect(more).toEqual([]);
    expect(start!.Action).toBe('states:StartExecution');
    expect(flattened(start!.Resource)).toMatch(new RegExp(`:stateMachine:${NAME}$`));
  });

  it("lets a stopper stop this machine's executions only", () => {
    const [stop, ...more] = statementsOf(template, idOf(template, 'Stopper'));
    expect(more).toEqual([]);
    expect(stop!.Action).toBe('states:StopExecution');
    expect(flattened(stop!.Resource)).toMatch(new RegExp(`:execution:${NAME}:\\*$`));
  });

  it('raises an alarm when an execution fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
      Threshold: 1,
    });
  });

  it('raises that alarm on the first failed execution within 5 minutes, and not without data', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('refers to the machine by name, not by reference, so function and machine form no cycle', () => {
    const fn = propertiesOf(template, timeoutFunction);
    expect(referencedIds(fn.Environment).has(machine)).toBe(false);
    expect(
      referencedIds(statementsOf(template, roleOf(template, timeoutFunction))).has(machine),
    ).toBe(false);
  });
});

describe('SagaTimer without tracing', () => {
  it('turns X-Ray off for the state machine', () => {
    const template = timerTemplate(false);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: false },
    });
  });
});

/** The logical id of a top-level construct's resource (CDK appends a hash to the id). */
function idOf(template: Template, constructId: string): string {
  const ids = Object.keys(template.toJSON().Resources as object).filter((id) =>
    new RegExp(`^${constructId}[0-9A-F]{8}$`).test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
}
