import { beforeAll, describe, expect, it } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { relayMetrics } from '../../lambdas/relay/metrics.ts';
import { OutboxTable, type StringKeyIndex } from '../../lib/constructs/outbox-table.ts';
import { onlyId, propertiesOf, unbundledStack } from './template-helpers.ts';

const observability = { logLevel: 'INFO', tracing: true, metricsNamespace: 'Test' } as const;

/** The indexes of a template with one outbox table declaring `indexes`. */
function indexesOf(indexes: StringKeyIndex[]): unknown {
  const stack = unbundledStack();
  new OutboxTable(stack, 'Things', {
    serviceName: 'things',
    eventBus: new events.EventBus(stack, 'Bus'),
    observability,
    globalSecondaryIndexes: indexes,
  });
  const template = Template.fromStack(stack);
  return propertiesOf(template, onlyId(template, 'AWS::DynamoDB::Table')).GlobalSecondaryIndexes;
}

const keySchema = [
  { AttributeName: 'gsi1pk', KeyType: 'HASH' },
  { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
];

describe('OutboxTable indexes', () => {
  it('project every attribute unless told otherwise', () => {
    expect(indexesOf([{ name: 'all', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }])).toEqual([
      { IndexName: 'all', KeySchema: keySchema, Projection: { ProjectionType: 'ALL' } },
    ]);
  });

  it('project keys only, or keys and the listed attributes, when an index says so', () => {
    expect(
      indexesOf([
        {
          name: 'keys',
          partitionKey: 'gsi1pk',
          sortKey: 'gsi1sk',
          projection: { type: 'KEYS_ONLY' },
        },
        {
          name: 'some',
          partitionKey: 'gsi2pk',
          projection: { type: 'INCLUDE', nonKeyAttributes: ['customerId', 'createdAt'] },
        },
      ]),
    ).toEqual([
      { IndexName: 'keys', KeySchema: keySchema, Projection: { ProjectionType: 'KEYS_ONLY' } },
      {
        IndexName: 'some',
        KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerId', 'createdAt'] },
      },
    ]);
  });
});

describe('OutboxTable with its defaults', () => {
  let template: Template;
  let table: string;
  let failures: string;
  let relay: string;

  beforeAll(() => {
    const stack = unbundledStack();
    new OutboxTable(stack, 'Things', {
      serviceName: 'things',
      eventBus: new events.EventBus(stack, 'Bus'),
      observability,
    });
    template = Template.fromStack(stack);
    table = onlyId(template, 'AWS::DynamoDB::Table');
    failures = onlyId(template, 'AWS::SQS::Queue');
    relay = onlyId(template, 'AWS::Lambda::Function');
  });

  it('keeps and protects the table when the stack is deleted, unless told otherwise', () => {
    const resource = (template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>)[
      table
    ]!;
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(propertiesOf(template, table).DeletionProtectionEnabled).toBe(true);
  });

  it('keeps what the relay gave up on for 14 days, encrypted', () => {
    expect(propertiesOf(template, failures)).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('retries a failing stream batch 10 times within 6 hours, one ordered poller per shard, without waiting to batch', () => {
    // The runbook's promise (10 retries or 6 hours) leaves 18 of the stream's 24 hours to republish.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FunctionName: { Ref: relay },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      // Outbox items have one key each (OUTBOX#<eventId>): more pollers per shard would
      // publish an order's events out of order.
      ParallelizationFactor: 1,
    });
  });

  it('gives the relay a minute for its PutEvents retries', () => {
    expect(propertiesOf(template, relay).Timeout).toBe(60);
  });

  it('raises the failure alarm within a minute of the first record set aside', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failures, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('OutboxTable stalled-relay alarm', () => {
  const alarmsOf = (outboxWriteMetrics?: string[]) => {
    const stack = unbundledStack();
    new OutboxTable(stack, 'Things', {
      serviceName: 'things',
      eventBus: new events.EventBus(stack, 'Bus'),
      observability,
      ...(outboxWriteMetrics ? { outboxWriteMetrics } : {}),
    });
    return Object.values(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm') as Record<
        string,
        { Properties: Record<string, unknown> }
      >,
    ).map((alarm) => alarm.Properties);
  };

  it('fires when the service counted outbox writes and its relay published nothing, in 2 of 3 periods of 5 minutes', () => {
    const stalled = alarmsOf(['ThingsMade', 'ThingsUnmade']).filter((alarm) => alarm.Metrics);
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const metrics = stalled[0]!.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
    }[];
    const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat?.Metric;
    expect(stat('written0')).toEqual({
      Namespace: 'Test',
      MetricName: 'ThingsMade',
      Dimensions: [{ Name: 'service', Value: 'things' }],
    });
    expect(stat('written1')?.MetricName).toBe('ThingsUnmade');
    // The relay's own metric, under its own service name, as lambdas/relay emits it.
    expect(stat('published')).toEqual({
      Namespace: 'Test',
      MetricName: relayMetrics.published,
      Dimensions: [{ Name: 'service', Value: 'things-relay' }],
    });
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(SUM([written0, written1]) > 0 AND FILL(published, 0) == 0, 1, 0)',
    );
  });

  it('is not created without metrics of the writes', () => {
    expect(alarmsOf().filter((alarm) => alarm.Metrics)).toEqual([]);
  });
});
