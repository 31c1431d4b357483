import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventConsumer } from './event-consumer.ts';
import type { SagaTimer } from './saga-timer.ts';
import type { ServiceFunction } from './service-function.ts';

/** A Powertools (EMF) metric of one service, shown under a readable label. */
export interface ServiceMetric {
  /** The `service` dimension Powertools adds (the function's service name). */
  readonly service: string;
  /** The metric name, as the function's code emits it. */
  readonly metricName: string;
  readonly label: string;
}

/** A Powertools metric that is a bug or an outage whenever it is counted. */
export interface AlarmingMetric extends ServiceMetric {
  /** What it means when it is counted, for the alarm's description. */
  readonly meaning: string;
}

/** A queue shown on the dashboard under a readable name. */
export interface NamedQueue {
  readonly label: string;
  readonly queue: sqs.IQueue;
}

/** Properties of a {@link SagaObservability}. */
export interface SagaObservabilityProps {
  /** Name of the CloudWatch dashboard. */
  readonly dashboardName: string;
  /** The Powertools metrics namespace of the stage's functions. */
  readonly metricsNamespace: string;
  /** The business flow: orders created, confirmed, cancelled (Powertools metrics). */
  readonly orderMetrics: readonly ServiceMetric[];
  /**
   * Signs of trouble in the saga that no AWS metric shows (duplicates, stop failures...).
   * @default - none
   */
  readonly sagaHealthMetrics?: readonly ServiceMetric[];
  /**
   * Metrics that must stay at zero: each gets an alarm on its first count.
   * @default - none
   */
  readonly alarmingMetrics?: readonly AlarmingMetric[];
  /** The REST API (requests, latency, errors). */
  readonly api: apigw.RestApi;
  /** The event consumers (queue and dead-letter depths, their alarms). */
  readonly consumers: readonly EventConsumer[];
  /** The saga timer (executions, its alarm). */
  readonly timer: SagaTimer;
  /** Every function of the app, by label (errors, throttles, duration). */
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  /**
   * Other dead-letter queues to show next to the consumers' (e.g. the relays' failure queues).
   * @default - none
   */
  readonly otherDeadLetterQueues?: readonly NamedQueue[];
  /**
   * Alarms raised elsewhere to gather here (shown on the dashboard, sent to the topic).
   * @default - none
   */
  readonly otherAlarms?: readonly cloudwatch.Alarm[];
  /**
   * Sends every alarm's state changes to an encrypted SNS topic that operators subscribe to.
   * @default true
   */
  readonly alarmTopic?: boolean;
}

const PERIOD = Duration.minutes(1);
/** Share of API requests answered 5xx over 5 minutes that raises the API alarm. */
export const API_SERVER_ERROR_ALARM_SHARE = 0.01;
/**
 * ...provided at least this many were: at night one 5xx among a handful of requests is
 * a share of 20 % or more, and would page someone for a single failed request.
 */
export const API_SERVER_ERROR_ALARM_MIN_ERRORS = 3;
const WIDE = 12;
const NARROW = 8;

/**
 * The operator's view of a stage: one CloudWatch dashboard laid out like the saga's
 * flow (API → orders → queues → functions → timer → alarms), and every alarm of the
 * app gathered, optionally sent to an SNS topic encrypted with its own KMS key
 * (CloudWatch cannot publish to a topic under the AWS-managed SNS key).
 */
export class SagaObservability extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm of the app. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Where alarm state changes are published, when enabled. */
  public readonly alarmTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: SagaObservabilityProps) {
    super(scope, id);
    const serviceMetric = (metric: ServiceMetric, period = PERIOD, label = true) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: metric.metricName,
        dimensionsMap: { service: metric.service },
        period,
        statistic: cloudwatch.Stats.SUM,
        // A labelled metric makes an alarm a metric-math alarm; plain is easier to read.
        label: label ? metric.label : undefined,
      });
    const metricAlarms = (props.alarmingMetrics ?? []).map((metric) =>
      serviceMetric(metric, Duration.minutes(5), false).createAlarm(
        this,
        `${metric.metricName}Alarm`,
        {
          alarmDescription: `${metric.service} counted ${metric.metricName}: ${metric.meaning}`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
    );
    // The share of requests answered 5xx, counted only from a few errors on. Handlers
    // answer bad input with 4xx, so a 5xx is a function failing, timing out or throttled.
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const apiServerErrors = new cloudwatch.MathExpression({
      expression: `IF(errors >= ${API_SERVER_ERROR_ALARM_MIN_ERRORS}, errors / requests, 0)`,
      usingMetrics: {
        errors: props.api.metricServerError(fiveMinutes),
        requests: props.api.metricCount(fiveMinutes),
      },
      period: Duration.minutes(5),
      label: 'Share of API requests answered 5xx',
    }).createAlarm(this, 'ApiServerErrorsAlarm', {
      alarmDescription: `The API answered 5xx to ${API_SERVER_ERROR_ALARM_SHARE * 100} % or more of its requests, and to ${API_SERVER_ERROR_ALARM_MIN_ERRORS} or more, over 5 minutes: a function failing, timing out or throttled`,
      threshold: API_SERVER_ERROR_ALARM_SHARE,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [
      apiServerErrors,
      ...props.consumers.flatMap((consumer) => consumer.alarms),
      props.timer.failedExecutionsAlarm,
      ...metricAlarms,
      ...(props.otherAlarms ?? []),
    ];

    if (props.alarmTopic ?? true) {
      const key = new kms.Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the order saga alarm topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // CloudWatch publishes alarm notifications with this key.
      key.grant(
        new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Order saga alarms',
        masterKey: key,
        enforceSSL: true,
      });
      // enforceSSL gives the topic a resource policy, and that replaces SNS's default one,
      // which is what let same-account services publish: without this statement no alarm
      // notification would ever be delivered. Only this account's alarms may publish.
      const stack = Stack.of(this);
      this.alarmTopic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [this.alarmTopic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
      const action = new SnsAction(this.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Order saga\nAPI → orders → payments → inventory → confirmation; timer cancels what is not final. Namespace \`${props.metricsNamespace}\`.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...apiWidgets(props.api));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Orders',
        left: props.orderMetrics.map((metric) => serviceMetric(metric)),
        width: WIDE,
      }),
      new cloudwatch.GraphWidget({
        title: 'Saga health',
        left: [...(props.sagaHealthMetrics ?? []), ...(props.alarmingMetrics ?? [])].map((metric) =>
          serviceMetric(metric),
        ),
        width: WIDE,
      }),
    );
    this.dashboard.addWidgets(...queueWidgets(props.consumers, props.otherDeadLetterQueues ?? []));
    this.dashboard.addWidgets(...functionWidgets(props.functions));
    this.dashboard.addWidgets(
      timerWidget(props.timer),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...this.alarms],
        width: WIDE,
        height: 6,
      }),
    );
  }
}

function apiWidgets(api: apigw.RestApi): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'API requests and errors',
      left: [
        api.metricCount({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'requests' }),
        api.metricClientError({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
        api.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
      ],
      width: WIDE,
    }),
    new cloudwatch.GraphWidget({
      title: 'API latency (ms)',
      left: [
        api.metricLatency({ period: PERIOD, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
        api.metricLatency({ period: PERIOD, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
        api.metricIntegrationLatency({
          period: PERIOD,
          statistic: cloudwatch.Stats.p(99),
          label: 'integration p99',
        }),
      ],
      width: WIDE,
    }),
  ];
}

function queueWidgets(
  consumers: readonly EventConsumer[],
  otherDeadLetterQueues: readonly NamedQueue[],
): cloudwatch.IWidget[] {
  const depth = ({ label, queue }: NamedQueue) =>
    queue.metricApproximateNumberOfMessagesVisible({
      period: PERIOD,
      statistic: cloudwatch.Stats.MAXIMUM,
      label,
    });
  const labelOf = (consumer: EventConsumer) => consumer.node.id;
  return [
    new cloudwatch.GraphWidget({
      title: 'Queue depths',
      left: consumers.map((c) => depth({ label: labelOf(c), queue: c.queue })),
      right: consumers.map((c) =>
        c.queue.metricApproximateAgeOfOldestMessage({
          period: PERIOD,
          statistic: cloudwatch.Stats.MAXIMUM,
          label: `${labelOf(c)} oldest (s)`,
        }),
      ),
      width: WIDE,
    }),
    new cloudwatch.GraphWidget({
      title: 'Dead letters',
      left: [
        ...consumers.map((c) => depth({ label: labelOf(c), queue: c.deadLetterQueue })),
        ...otherDeadLetterQueues.map(depth),
      ],
      width: WIDE,
    }),
  ];
}

function functionWidgets(
  functions: Readonly<Record<string, ServiceFunction>>,
): cloudwatch.IWidget[] {
  const entries = Object.entries(functions);
  const graph = (
    title: string,
    metric: (fn: ServiceFunction, label: string) => cloudwatch.IMetric,
  ): cloudwatch.IWidget =>
    new cloudwatch.GraphWidget({
      title,
      left: entries.map(([label, fn]) => metric(fn, label)),
      width: NARROW,
    });
  return [
    graph('Function errors', (fn, label) =>
      fn.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label }),
    ),
    graph('Function throttles', (fn, label) =>
      fn.function.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label }),
    ),
    graph('Function duration p99 (ms)', (fn, label) =>
      fn.function.metricDuration({ period: PERIOD, statistic: cloudwatch.Stats.p(99), label }),
    ),
  ];
}

function timerWidget(timer: SagaTimer): cloudwatch.IWidget {
  const machine = timer.stateMachine;
  const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };
  return new cloudwatch.GraphWidget({
    title: 'Saga timer executions',
    left: [
      machine.metricStarted({ ...sum, label: 'started' }),
      machine.metricSucceeded({ ...sum, label: 'fired (deadline reached)' }),
      machine.metricAborted({ ...sum, label: 'stopped (order final in time)' }),
      machine.metricFailed({ ...sum, label: 'failed' }),
    ],
    width: WIDE,
  });
}
