import { beforeAll, describe, expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { InventoryReleaseRequested, PaymentCompleted, patternOf } from '../../events/index.ts';
import { EventConsumer, type EventConsumerProps } from '../../lib/constructs/event-consumer.ts';
import { lambdaEntry } from '../../lib/paths.ts';
import {
  onlyId,
  propertiesOf,
  roleOf,
  statementsAllowing,
  unbundledStack,
  type Resources,
} from './template-helpers.ts';

const observability = { logLevel: 'INFO', tracing: true, metricsNamespace: 'Test' } as const;

/** A template with one consumer on a bus (any existing handler module will do). */
function consumerTemplate(props: Partial<EventConsumerProps> = {}): Template {
  const stack = unbundledStack();
  const eventBus = new events.EventBus(stack, 'Bus');
  new EventConsumer(stack, 'Stock', {
    serviceName: 'inventory',
    entry: lambdaEntry('relay/handler.ts'),
    description: 'test consumer',
    contracts: [PaymentCompleted, InventoryReleaseRequested],
    eventBus,
    observability,
    environment: { TABLE_NAME: 'stock-table' },
    ...props,
  });
  return Template.fromStack(stack);
}

describe('EventConsumer with its defaults', () => {
  let template: Template;
  let queue: string;
  let deadLetters: string;
  let fn: string;

  beforeAll(() => {
    template = consumerTemplate();
    queue = onlyId(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
    deadLetters = onlyId(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.absent() });
    fn = onlyId(template, 'AWS::Lambda::Function');
  });

  it("routes exactly its contracts' events from the bus to the queue", () => {
    const bus = onlyId(template, 'AWS::Events::EventBus');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      EventPattern: patternOf(PaymentCompleted, InventoryReleaseRequested),
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
        }),
      ],
    });
  });

  it('lets only its rule send to the queue, over TLS', () => {
    const rule = onlyId(template, 'AWS::Events::Rule');
    const policy = Object.values(
      template.findResources('AWS::SQS::QueuePolicy', {
        Properties: { Queues: [{ Ref: queue }] },
      }) as Resources,
    );
    expect(policy).toHaveLength(1);
    const statements = (
      policy[0]!.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
      }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('encrypts both queues and keeps dead letters for 14 days', () => {
    expect(propertiesOf(template, queue)).toMatchObject({ SqsManagedSseEnabled: true });
    expect(propertiesOf(template, deadLetters)).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('moves a message to the dead-letter queue after 5 receives', () => {
    expect(propertiesOf(template, queue).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('keeps a received message invisible for at least 6 function timeouts', () => {
    const timeout = propertiesOf(template, fn).Timeout as number;
    expect(propertiesOf(template, queue).VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('drains the queue into the function with partial batch responses and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: fn },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('lets the function consume its queue, and change the visibility of its messages there, but not send to it', () => {
    const role = roleOf(template, fn);
    for (const action of ['sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'])
      expect(statementsAllowing(template, role, action)).toEqual([
        expect.objectContaining({ Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }),
      ]);
    expect(statementsAllowing(template, role, 'sqs:SendMessage')).toEqual([]);
    // Where the shared consumer brings a failed message back early.
    expect(propertiesOf(template, fn).Environment).toMatchObject({
      Variables: { QUEUE_URL: { Ref: queue } },
    });
  });

  it('passes the function its environment and Powertools settings', () => {
    expect(propertiesOf(template, fn).Environment).toMatchObject({
      Variables: { TABLE_NAME: 'stock-table', POWERTOOLS_SERVICE_NAME: 'inventory' },
    });
  });

  it('raises an alarm on the first dead letter', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm when the oldest message has waited 5 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm when the function fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
  it('raises an alarm when most receives of 5 minutes (3 or more) did not delete the message, whatever the function logged', () => {
    const failing = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Metrics: Match.anyValue() },
      }) as Resources,
    ).map(({ Properties: p }) => p);
    expect(failing).toHaveLength(1);
    const alarm = failing[0]!;
    expect(alarm).toMatchObject({
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics = alarm.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string };
    }[];
    const queueMetric = (name: string) => ({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: name,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(metrics.find((m) => m.Id === 'received')?.MetricStat).toEqual(
      queueMetric('NumberOfMessagesReceived'),
    );
    expect(metrics.find((m) => m.Id === 'deleted')?.MetricStat).toEqual(
      queueMetric('NumberOfMessagesDeleted'),
    );
    // A message that fails once and succeeds on its retry is 1 failed receive of 2: below
    // the threshold; one that fails twice (and then waits 3 minutes) is 2 of 3: above.
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(received >= 3, (received - FILL(deleted, 0)) / received, 0)',
    );
  });

  it('lets a failed batch come back after 3 minutes: 6 × its 30 s function timeout', () => {
    // The runbook promises this delay before a crashed batch is retried.
    expect(propertiesOf(template, fn).Timeout).toBe(30);
    expect(propertiesOf(template, queue).VisibilityTimeout).toBe(180);
  });

  it('leaves EventBridge its default delivery retries (24 h, 185 attempts) before dead-lettering an event', () => {
    const rule = propertiesOf(template, onlyId(template, 'AWS::Events::Rule'));
    expect(rule.Targets).toEqual([
      expect.not.objectContaining({ RetryPolicy: expect.anything() }) as unknown,
    ]);
  });

  it('raises the dead-letter and error alarms in the first period, the backlog alarm after 3 minutes, and none without data', () => {
    const alarm = (metricName: string, dimension: string, value: unknown) =>
      Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { MetricName: metricName, Dimensions: [{ Name: dimension, Value: value }] },
        }) as Resources,
      ).map(({ Properties: p }) => p);
    expect(
      alarm('ApproximateNumberOfMessagesVisible', 'QueueName', {
        'Fn::GetAtt': [deadLetters, 'QueueName'],
      }),
    ).toEqual([
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(
      alarm('ApproximateAgeOfOldestMessage', 'QueueName', { 'Fn::GetAtt': [queue, 'QueueName'] }),
    ).toEqual([
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(alarm('Errors', 'FunctionName', { Ref: fn })).toEqual([
      expect.objectContaining({
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      }),
    ]);
  });
});

describe('EventConsumer with its settings', () => {
  let template: Template;

  beforeAll(() => {
    template = consumerTemplate({
      timeout: Duration.seconds(40),
      maxBatchingWindow: Duration.seconds(2),
      batchSize: 5,
      maxConcurrency: 3,
      maxReceiveCount: 2,
      maxMessageAge: Duration.minutes(1),
    });
  });

  it('sizes the visibility timeout from the function timeout and batching window', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 40 + 2,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }),
    });
  });

  it('uses the batching and concurrency it is given', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('alarms on the message age it is given', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 60,
    });
  });

  it('tells the function its own queue URL (to bring failed messages back early), lets it change the visibility of its messages there, and not send', () => {
    const queue = onlyId(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
    const fn = onlyId(template, 'AWS::Lambda::Function');
    expect(propertiesOf(template, fn).Environment).toMatchObject({
      Variables: { QUEUE_URL: { Ref: queue }, TABLE_NAME: 'stock-table' },
    });
    const role = roleOf(template, fn);
    expect(statementsAllowing(template, role, 'sqs:ChangeMessageVisibility')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }),
    ]);
    expect(statementsAllowing(template, role, 'sqs:SendMessage')).toEqual([]);
  });
});
