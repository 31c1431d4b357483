import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { lambdaEntry } from '../paths.ts';
import { wildcardResourceRule } from './nag.ts';
import { ServiceFunction, type ObservabilitySettings } from './service-function.ts';

/** The environment variable that tells a function the timer's state machine ARN. */
export const TIMER_STATE_MACHINE_ARN_VARIABLE = 'TIMER_STATE_MACHINE_ARN';

/** Properties of a {@link SagaTimer}. */
export interface SagaTimerProps {
  /**
   * Name of the state machine. It is fixed (not generated) because the timeout
   * function is told the machine's ARN while the machine invokes that function: a
   * reference each way would be a dependency cycle, a name-derived ARN is not.
   * Execution ARNs (`…:execution:<name>:<orderId>`) derive from it too.
   */
  readonly stateMachineName: string;
  /** Log level, tracing and metrics namespace of the stage (tracing also applies to the machine). */
  readonly observability: ObservabilitySettings;
  /**
   * Environment variables of the timeout function (e.g. its table), besides the
   * Powertools ones and `TIMER_STATE_MACHINE_ARN`, which the timer adds.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The timeout function's handler module.
   * @default lambdaEntry('orders/timeout-handler.ts')
   */
  readonly entry?: string;
  /**
   * The timeout function's Powertools service name.
   * @default 'orders'
   */
  readonly serviceName?: string;
  /**
   * How long the state machine's execution logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The saga timer, one Standard execution per order, named by the orderId:
 * `Wait (until $.deadline) → invoke the timeout function with { orderId } → end`.
 *
 * The order service starts it for an order still pending after the stage's grace period
 * (its timer-start consumer; same name + same input is idempotent) and stops it when the
 * order becomes final, so an order that completes within the grace period costs no state
 * transition, one that completes later but in time costs one (the Wait) instead of
 * three. A timer that fires for a final order is a no-op in the timeout function.
 *
 * The Lambda task retries Lambda's own service errors and, a few times with backoff,
 * failures of the function itself (a transaction conflict that outlasted its retries),
 * because a timer that gives up leaves an order pending forever; an alarm watches for it.
 */
export class SagaTimer extends Construct {
  /** The Standard state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The function the timer invokes when an order's deadline passes. */
  public readonly timeoutHandler: ServiceFunction;
  /** The state machine's execution log group. */
  public readonly logGroup: logs.LogGroup;
  /** In alarm when an execution failed: an order may have missed its timeout. */
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  /** The state machine's ARN, built from its name (usable where a reference would be a cycle). */
  public readonly stateMachineArn: string;
  /** The ARN pattern of the machine's executions: `arn:…:execution:<name>:*`. */
  public readonly executionArnPattern: string;

  constructor(scope: Construct, id: string, props: SagaTimerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.executionArnPattern = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.timeoutHandler = new ServiceFunction(this, 'TimeoutHandler', {
      entry: props.entry ?? lambdaEntry('orders/timeout-handler.ts'),
      description: 'Saga timer: cancels an order that is not final when its deadline passes',
      serviceName: props.serviceName ?? 'orders',
      observability: props.observability,
      environment: {
        ...props.environment,
        [TIMER_STATE_MACHINE_ARN_VARIABLE]: this.stateMachineArn,
      },
    });

    const waitForDeadline = new sfn.Wait(this, 'WaitForDeadline', {
      comment: 'Sleeps until the deadline of OrderCreated (free while waiting in Standard)',
      time: sfn.WaitTime.timestampPath('$.deadline'),
    });
    const timeOutOrder = new tasks.LambdaInvoke(this, 'TimeOutOrder', {
      comment: 'Cancels the order unless it is already final',
      lambdaFunction: this.timeoutHandler.function,
      payload: sfn.TaskInput.fromObject({ orderId: sfn.JsonPath.stringAt('$.orderId') }),
      // Lambda.ServiceException & co: retried by LambdaInvoke's default policy.
      retryOnServiceExceptions: true,
    });
    timeOutOrder.addRetry({
      errors: [sfn.Errors.TASKS_FAILED],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 4,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/ Step Functions needs no statement in the account's
      // CloudWatch Logs resource policy, which is capped at 5,120 characters and fills up
      // in busy accounts (the state machine would then fail to deploy).
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Order saga timer: one execution per order, named by its orderId',
      definitionBody: sfn.DefinitionBody.fromChainable(waitForDeadline.next(timeOutOrder)),
      tracingEnabled: props.observability.tracing,
      // The input is { orderId, deadline }: nothing secret, and it is what one debugs.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    this.failedExecutionsAlarm = this.stateMachine
      .metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'FailedExecutionsAlarm', {
        alarmDescription:
          'Saga timer executions failed: the orders they were timing may never be cancelled',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) and X-Ray (PutTraceSegments) support no resource-level permissions.',
      },
      {
        id: wildcardResourceRule(this, `${this.timeoutHandler.function.functionArn}:*`),
        reason:
          'The LambdaInvoke task may invoke the timeout function and its versions/aliases (<function ARN>:*), and no other function.',
      },
    );
    if (!props.observability.tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          'This stage was configured with TRACING=false, which turns X-Ray off for the state machine as for the functions; the default is on.',
      });
    }
  }

  /** The state machine's name. */
  public get stateMachineName(): string {
    return this.stateMachine.stateMachineName;
  }

  /** Lets the grantee start executions (one per order) of the timer. */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: [this.stateMachineArn],
    });
  }

  /** Lets the grantee stop the timer's executions (an order became final before its deadline). */
  public grantStop(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StopExecution'],
      resourceArns: [this.executionArnPattern],
    });
    const role = grantee.grantPrincipal;
    if (role instanceof iam.Role) {
      Validations.of(role).acknowledge({
        id: wildcardResourceRule(this, this.executionArnPattern),
        reason:
          "Executions are named by orderId, so stopping any order's timer needs execution:<timer name>:*; the wildcard covers only this state machine's executions.",
      });
    }
    return grant;
  }
}
