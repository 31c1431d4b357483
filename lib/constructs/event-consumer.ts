import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { patternOf, type AnyEventContract } from '../../events/index.ts';
import { ServiceFunction, type ObservabilitySettings } from './service-function.ts';

/** Properties of an {@link EventConsumer}. */
export interface EventConsumerProps {
  /** The owning service (`payments`, ...): the Powertools service name of the function. */
  readonly serviceName: string;
  /** Absolute path of the consumer's handler module (see `lambdaEntry`). */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  /**
   * The events this consumer handles. The rule's pattern is `patternOf(...contracts)`,
   * so the queue receives exactly these events (and versions), never a hand-typed string.
   */
  readonly contracts: readonly [AnyEventContract, ...AnyEventContract[]];
  /** The bus the events are published on. */
  readonly eventBus: events.IEventBus;
  /** Log level, tracing and metrics namespace of the stage. */
  readonly observability: ObservabilitySettings;
  /**
   * Environment variables of the function (besides the Powertools ones).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Function timeout. The queue's visibility timeout follows from it.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Function memory in MB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Most messages per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the mapping gathers messages before invoking: latency per saga step
   * against invocations under load.
   * @default Duration.seconds(0) (saga steps are latency-sensitive)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the queue's mapping drives (2..1000), so a burst of
   * events cannot take the account's whole concurrency or overrun the table.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Receives of a message before it moves to the dead-letter queue. Each failed
   * handling is a receive, so this is "attempts".
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * The age of the oldest waiting message that raises the backlog alarm (the delivery
   * delay is added to it).
   * @default Duration.minutes(5)
   */
  readonly maxMessageAge?: Duration;
  /**
   * How long each message waits in the queue before the function can receive it (the
   * queue's `DelaySeconds`, at most 15 minutes): for a consumer that acts only on what is
   * still true some time after the event.
   * @default Duration.seconds(0)
   */
  readonly deliveryDelay?: Duration;
}

const DEFAULTS = {
  timeout: Duration.seconds(30),
  memorySize: 512,
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(0),
  maxConcurrency: 10,
  maxReceiveCount: 5,
  maxMessageAge: Duration.minutes(5),
  deliveryDelay: Duration.seconds(0),
} as const;

/** AWS's advice for SQS event sources: visibility ≥ 6 × function timeout (+ the batching window). */
const VISIBILITY_PER_TIMEOUT = 6;

/**
 * A service's subscription to saga events: an EventBridge rule on the saga bus (pattern
 * from the event contracts) → an encrypted, TLS-only SQS queue that only that rule may
 * send to → the consumer function through an event source mapping with partial batch
 * responses. A message that keeps failing moves to a dead-letter queue after
 * `maxReceiveCount` receives; so does an event EventBridge could not deliver to the queue.
 *
 * Alarms: anything in the dead-letter queue, a backlog (oldest message too old),
 * most receives failing (the consumer is failing its messages), and function errors
 * (crashes and timeouts; handled failures are batch item failures).
 */
export class EventConsumer extends Construct {
  /** The consumer function. */
  public readonly handler: ServiceFunction;
  /** The queue the rule fills and the function drains. */
  public readonly queue: sqs.Queue;
  /** Where messages go that failed `maxReceiveCount` times or could not be delivered. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The rule that routes the contracts' events from the bus to the queue. */
  public readonly rule: events.Rule;
  /** In alarm while the dead-letter queue holds anything. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** In alarm while the oldest waiting message is older than `maxMessageAge`. */
  public readonly backlogAlarm: cloudwatch.Alarm;
  /** In alarm when the function fails (crash, timeout, out of memory). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** In alarm when most receives of the last 5 minutes ended without the message deleted. */
  public readonly failingMessagesAlarm: cloudwatch.Alarm;
  /** The consumer's alarms, for a dashboard or an alarm topic. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The contracts of the events this consumer receives. */
  public readonly contracts: readonly AnyEventContract[];

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    const settings = { ...DEFAULTS, ...definedOnly(props) };
    this.contracts = props.contracts;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time for a human to look before messages expire.
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message in flight longer than this is received again by another poller.
      visibilityTimeout: Duration.seconds(
        VISIBILITY_PER_TIMEOUT * settings.timeout.toSeconds() +
          settings.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
      // Set only when there is one, so the other queues' templates stay as they were.
      ...(settings.deliveryDelay.toSeconds() > 0 ? { deliveryDelay: settings.deliveryDelay } : {}),
    });

    this.handler = new ServiceFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      serviceName: props.serviceName,
      observability: props.observability,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
      environment: {
        ...props.environment,
        // Its own queue, where it brings a failed message back early (and payments pushes a
        // slow charge back): `ChangeMessageVisibility`, which consuming the queue allows.
        QUEUE_URL: this.queue.queueUrl,
      },
    });

    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow: settings.maxBatchingWindow,
        // Only the failed messages of a batch are retried (createEventConsumer reports them).
        reportBatchItemFailures: true,
        maxConcurrency: settings.maxConcurrency,
      }),
    );

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: `${props.serviceName}: ${props.contracts.map((c) => c.detailType).join(', ')}`,
      eventPattern: patternOf(...props.contracts),
      // The target's queue policy allows this rule (aws:SourceArn) and nothing else.
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.deadLetterAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      })
      .createAlarm(this, 'DeadLettersAlarm', {
        alarmDescription: `${props.serviceName} consumer ${id}: messages in the dead-letter queue (failed ${settings.maxReceiveCount} times or undeliverable)`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    // The delay is part of a message's age, not a backlog.
    const backlogAge = settings.maxMessageAge.plus(settings.deliveryDelay);
    this.backlogAlarm = this.queue
      .metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      })
      .createAlarm(this, 'BacklogAlarm', {
        alarmDescription: `${props.serviceName} consumer ${id}: the oldest message waited more than ${backlogAge.toSeconds()} s`,
        threshold: backlogAge.toSeconds(),
        // Three minutes in a row: one slow minute under a burst is normal.
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.errorsAlarm = this.handler.function
      .metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'ErrorsAlarm', {
        alarmDescription: `${props.serviceName} consumer ${id}: the function failed (crash, timeout or out of memory)`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.failingMessagesAlarm = failingMessagesAlarm(this, this.queue, {
      description: `${props.serviceName} consumer ${id}: most messages received in 5 minutes failed and will come back`,
    });
    this.alarms = [
      this.deadLetterAlarm,
      this.backlogAlarm,
      this.failingMessagesAlarm,
      this.errorsAlarm,
    ];

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the consumer queue (and of its rule target); an alarm fires on its first message.',
    });
  }
}

/**
 * Share of a queue's receives, over 5 minutes, that did not end with the message
 * deleted, above which the consumer is failing its messages: above a half, since a
 * message that fails once and succeeds on its retry 5 s later is 1 of 2 receives.
 */
export const FAILING_RECEIVES_THRESHOLD = 0.5;

/** Fewest receives in 5 minutes for the share to count (one failed retry is not an outage). */
export const FAILING_RECEIVES_MIN = 3;

/**
 * In alarm when most receives of the queue in 5 minutes failed (the message was not
 * deleted: a batch item failure, a crash, a timeout). A consumer that fails every
 * message answers the invocation with its failures, so the function shows no error;
 * the backlog alarm does not see it either, since SQS leaves a message received three
 * times out of `ApproximateAgeOfOldestMessage`; and the dead-letter queue is 12 minutes
 * away (5 s, then 3 minutes per receive), when a saga times out in 90 s. The
 * receives count from SQS itself, so this holds whatever the function manages to log.
 */
function failingMessagesAlarm(
  scope: Construct,
  queue: sqs.IQueue,
  options: { description: string },
): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  return new cloudwatch.MathExpression({
    expression: `IF(received >= ${FAILING_RECEIVES_MIN}, (received - FILL(deleted, 0)) / received, 0)`,
    usingMetrics: {
      received: queue.metricNumberOfMessagesReceived({ period, statistic: cloudwatch.Stats.SUM }),
      deleted: queue.metricNumberOfMessagesDeleted({ period, statistic: cloudwatch.Stats.SUM }),
    },
    period,
    label: 'Share of receives that failed',
  }).createAlarm(scope, 'FailingMessagesAlarm', {
    alarmDescription: options.description,
    threshold: FAILING_RECEIVES_THRESHOLD,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The props without `undefined` values, so spreading them never hides a default. */
function definedOnly<T extends object>(props: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(props).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
