import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { relayMetrics } from '../../lambdas/relay/metrics.ts';
import { outboxStreamFilterPattern, TTL_ATTRIBUTE } from '../../lambdas/shared/outbox.ts';
import { lambdaEntry } from '../paths.ts';
import { ServiceFunction, type ObservabilitySettings } from './service-function.ts';
import { grantTableOperations, type TableOperation } from './table-operations.ts';

/** Key attributes of every service table (string partition and sort keys). */
export const OUTBOX_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/**
 * What a global secondary index holds besides its and the table's keys. DynamoDB rewrites
 * an index entry when the item is created or deleted, an index key changes, or (only then
 * does the projection matter) a projected attribute changes: `ALL` follows every write of
 * the item, `KEYS_ONLY` none but those, `INCLUDE` also writes of the listed attributes.
 */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };

/** A global secondary index with string keys. */
export interface StringKeyIndex {
  readonly name: string;
  readonly partitionKey: string;
  /** @default - no sort key */
  readonly sortKey?: string;
  /**
   * The attributes it projects. Keys only (or a few attributes that never change) keeps an
   * item's updates from being written twice.
   * @default { type: 'ALL' }
   */
  readonly projection?: IndexProjection;
}

/** How the relay reads the table's stream. */
export interface OutboxRelaySettings {
  /**
   * Most stream records per relay invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the mapping gathers records before invoking the relay. Every saga step
   * passes through a relay, so a window adds its length to each step (three relays: 1 s
   * made up 3.6 s of a 4 s saga in the bench); under load batches fill anyway, so the
   * invocation count barely changes.
   * @default Duration.seconds(0)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failing batch before its records go to the failure queue. With
   * bisect-on-error a poison record is isolated and set aside after these.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this go to the failure queue instead of being retried.
   * @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Relay function timeout: room for the PutEvents retries of one chunk, where the relay
   * stops a batch. Worst case, every attempt hanging to the client's 5 s deadline: 3 relay
   * attempts × (3 client attempts × 5 s + up to 3 s of client backoff) + up to 0.3 s of
   * relay backoff ≈ 54 s. A shorter timeout would cut those retries short and turn a
   * precise stop (the records from the failed one on) into a failed invocation, and use up
   * the mapping's retries faster during an EventBridge outage.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

/** Properties of an {@link OutboxTable}. */
export interface OutboxTableProps {
  /** The owning service (`orders`, `payments`, ...): names the relay's Powertools service. */
  readonly serviceName: string;
  /** The bus the relay publishes the outbox events to. */
  readonly eventBus: events.IEventBus;
  /** Log level, tracing and metrics namespace of the stage. */
  readonly observability: ObservabilitySettings;
  /**
   * What happens to the table when the stack is deleted. `RETAIN` also turns on
   * deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Global secondary indexes of the service's own items (keys are strings, like the
   * table's; each projects every attribute unless it says otherwise).
   * @default - none
   */
  readonly globalSecondaryIndexes?: readonly StringKeyIndex[];
  /**
   * How the relay reads the stream.
   * @default - see {@link OutboxRelaySettings}
   */
  readonly relay?: OutboxRelaySettings;
  /**
   * Names of the service's metrics (namespace of the stage, dimension `service` =
   * `serviceName`) that count what it writes to the outbox, e.g. `OrdersCreated`. With
   * them, an alarm fires when the service writes events and the relay publishes none:
   * a relay that is not invoked at all (its stream mapping disabled or failing to read)
   * reports no lag, no errors and no failures.
   * @default - no such alarm
   */
  readonly outboxWriteMetrics?: readonly string[];
}

/** How far behind its stream (IteratorAge) a relay may fall before its lag alarm fires. */
export const RELAY_LAG_ALARM_SECONDS = 60;

const DEFAULT_RELAY = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(0),
  retryAttempts: 10,
  maxRecordAge: Duration.hours(6),
  timeout: Duration.seconds(60),
} satisfies Required<OutboxRelaySettings>;

/**
 * In alarm when the service counted outbox writes and its relay published nothing, in 2
 * of 3 periods of 5 minutes: a healthy relay publishes within a second, so one period
 * can miss only the writes of its last moment. The relay's metric is absent altogether
 * when it is not invoked, hence `FILL(published, 0)`.
 */
function relayStalledAlarm(
  scope: Construct,
  options: { namespace: string; serviceName: string; written: readonly string[] },
): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  const metric = (metricName: string, service: string) =>
    new cloudwatch.Metric({
      namespace: options.namespace,
      metricName,
      dimensionsMap: { service },
      period,
      statistic: cloudwatch.Stats.SUM,
    });
  const written = Object.fromEntries(
    options.written.map((name, i) => [`written${i}`, metric(name, options.serviceName)]),
  );
  return new cloudwatch.MathExpression({
    expression: `IF(SUM([${Object.keys(written).join(', ')}]) > 0 AND FILL(published, 0) == 0, 1, 0)`,
    usingMetrics: {
      ...written,
      published: metric(relayMetrics.published, `${options.serviceName}-relay`),
    },
    period,
    label: 'Events written, none published',
  }).createAlarm(scope, 'RelayStalledAlarm', {
    alarmDescription: `The ${options.serviceName} service wrote outbox events and its relay published none for 10 minutes: the relay is not running (its stream mapping disabled, or unable to read the stream)`,
    threshold: 1,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** An {@link IndexProjection} as the CDK's index properties. */
function cdkProjection(projection: IndexProjection) {
  switch (projection.type) {
    case 'ALL':
      return { projectionType: dynamodb.ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return {
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...projection.nonKeyAttributes],
      };
  }
}

/**
 * A service's DynamoDB table with a transactional outbox: the service writes its
 * state and outbox items in one transaction; the table's stream, filtered to new
 * outbox items, feeds a relay function that publishes them to the event bus.
 *
 * Failure handling: the relay reports the first record it could not publish, so the
 * mapping resumes there; a poison record at the head of a batch fails the invocation, so
 * the batch is bisected until the record is alone (Lambda does not split a batch that
 * reports failures), retried a bounded number of times, and then described in the failure queue
 * (an alarm watches it); a second alarm fires while the relay lags its stream. The outbox
 * items stay in the table until their TTL (24 h), so what the queue describes can be
 * republished by writing the item again (README, "Operate").
 */
export class OutboxTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;
  /** The relay function reading the table's stream. */
  public readonly relay: ServiceFunction;
  /** Where the stream mapping describes batches it gave up on. */
  public readonly relayFailureQueue: sqs.Queue;
  /** In alarm while the failure queue holds anything: events were not published. */
  public readonly relayFailureAlarm: cloudwatch.Alarm;
  /**
   * In alarm while the relay is more than {@link RELAY_LAG_ALARM_SECONDS} behind the
   * stream: events are late (a batch being retried, throttling) though none is lost yet.
   */
  public readonly relayLagAlarm: cloudwatch.Alarm;
  /**
   * In alarm when the service wrote outbox events and the relay published none, in 2 of
   * 3 periods of 5 minutes (with `outboxWriteMetrics` only).
   */
  public readonly relayStalledAlarm?: cloudwatch.Alarm;
  /** Both alarms. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  private readonly hasIndexes: boolean;

  constructor(scope: Construct, id: string, props: OutboxTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const relaySettings = { ...DEFAULT_RELAY, ...props.relay };

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: OUTBOX_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OUTBOX_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The relay needs only the inserted item (its `event` attribute).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    const indexes = props.globalSecondaryIndexes ?? [];
    for (const index of indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: index.sortKey
          ? { name: index.sortKey, type: dynamodb.AttributeType.STRING }
          : undefined,
        ...cdkProjection(index.projection ?? { type: 'ALL' }),
      });
    }
    this.hasIndexes = indexes.length > 0;

    this.relayFailureQueue = new sqs.Queue(this, 'RelayFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.relayFailureAlarm = this.relayFailureQueue
      .metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      })
      .createAlarm(this, 'RelayFailuresAlarm', {
        alarmDescription: `The ${props.serviceName} outbox relay gave up on stream records: their events were not published`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.relay = new ServiceFunction(this, 'Relay', {
      entry: lambdaEntry('relay/handler.ts'),
      description: `Publishes the ${props.serviceName} outbox events to EventBridge`,
      serviceName: `${props.serviceName}-relay`,
      observability: props.observability,
      memorySize: 256,
      timeout: relaySettings.timeout,
      environment: { EVENT_BUS_NAME: props.eventBus.eventBusName },
    });
    props.eventBus.grantPutEventsTo(this.relay);

    // IteratorAge is how old the newest record of a batch was when the relay got it. The
    // saga normally sees it under a second; a minute means sagas start timing out.
    this.relayLagAlarm = this.relay.function
      .metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, 'RelayLagAlarm', {
        alarmDescription: `The ${props.serviceName} outbox relay is more than ${RELAY_LAG_ALARM_SECONDS} s behind its stream for 3 minutes: events reach the bus late (a failing batch being retried, or throttling)`,
        threshold: RELAY_LAG_ALARM_SECONDS * 1000,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.relayStalledAlarm =
      props.outboxWriteMetrics && props.outboxWriteMetrics.length > 0
        ? relayStalledAlarm(this, {
            namespace: props.observability.metricsNamespace,
            serviceName: props.serviceName,
            written: props.outboxWriteMetrics,
          })
        : undefined;
    this.alarms = [
      this.relayFailureAlarm,
      this.relayLagAlarm,
      ...(this.relayStalledAlarm ? [this.relayStalledAlarm] : []),
    ];

    this.relay.function.addEventSource(
      new DynamoEventSource(this.table, {
        // TRIM_HORIZON, not LATEST: outbox items written before the mapping is active
        // (first deployment, a re-created mapping) are still published, never skipped.
        // Re-reading some after a re-creation is harmless: consumers dedupe by eventId.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        filters: [lambda.FilterCriteria.filter(outboxStreamFilterPattern)],
        batchSize: relaySettings.batchSize,
        maxBatchingWindow: relaySettings.maxBatchingWindow,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: relaySettings.retryAttempts,
        maxRecordAge: relaySettings.maxRecordAge,
        // One poller per shard keeps the stream order of the outbox items.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.relayFailureQueue),
      }),
    );

    Validations.of(this.relayFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination: the on-failure destination of the relay stream mapping.',
    });
    Validations.of(this.relay.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Reading the table stream needs dynamodb:ListStreams, which supports no resource-level permissions ("*"); the other stream actions are scoped to this table\'s stream.',
    });
  }

  /** The table's name. */
  public get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Lets the grantee make exactly these operations on the table's items (its own
   * service's handlers; see `table-operations.ts`).
   */
  public grantOperations(
    grantee: iam.IGrantable,
    ...operations: readonly TableOperation[]
  ): iam.Grant {
    const grant = grantTableOperations(this.table, grantee, operations);
    this.explainIndexWildcard(grantee);
    return grant;
  }

  /** A data grant on a table with indexes covers `<table>/index/*`: say why for cdk-nag. */
  private explainIndexWildcard(grantee: iam.IGrantable): void {
    const role = grantee.grantPrincipal;
    if (!this.hasIndexes || !(role instanceof iam.Role)) return;
    const tableLogicalId = Stack.of(this).getLogicalId(
      this.table.node.defaultChild as dynamodb.CfnTable,
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason: `The grant on table ${tableLogicalId} includes its secondary indexes, whose ARNs are <table ARN>/index/<name>; the wildcard covers only this table's indexes.`,
    });
  }
}
