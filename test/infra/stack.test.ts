import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  InventoryReleaseRequested,
  OrderCancelled,
  OrderConfirmed,
  OrderCreated,
  PaymentCompleted,
  PaymentRefundRequested,
  patternOf,
  type AnyEventContract,
} from '../../events/index.ts';
import { inventoryTableKeys } from '../../lambdas/inventory/adapters/inventory-table.ts';
import { notificationsTableKeys } from '../../lambdas/notifications/adapters/notifications-table.ts';
import { ordersTableKeys } from '../../lambdas/orders/adapters/orders-table.ts';
import { apiMetrics } from '../../lambdas/orders/api/order-api.ts';
import { inventoryConsumerMetrics } from '../../lambdas/inventory/consumer/inventory-consumer.ts';
import { paymentMetrics } from '../../lambdas/payments/payments-consumer.ts';
import { orderEventMetrics } from '../../lambdas/orders/events/order-events-handler.ts';
import { timeoutMetrics } from '../../lambdas/orders/timer/timeout-task.ts';
import { paymentsTableKeys } from '../../lambdas/payments/adapters/payments-table.ts';
import { sagaEventContracts } from '../../lambdas/orders/domain/saga.ts';
import { outboxStreamFilterPattern } from '../../lambdas/shared/outbox.ts';
import type { EventConsumer } from '../../lib/constructs/event-consumer.ts';
import { RELAY_LAG_ALARM_SECONDS, type OutboxTable } from '../../lib/constructs/outbox-table.ts';
import { GATEWAY_ERROR_TEMPLATE } from '../../lib/constructs/order-api.ts';
import type { ServiceFunction } from '../../lib/constructs/service-function.ts';
import type { OrderSagaStack } from '../../lib/order-saga-stack.ts';
import { synthStack, SYNTH_TIMEOUT_MS } from './synth.ts';
import {
  actionsOf,
  definitionOf,
  flattened,
  logicalIdOf,
  methodsByRoute,
  propertiesOf,
  referencedIds,
  roleOf,
  routesOf,
  statementsOf,
  type Resources,
} from './template-helpers.ts';

const fnId = (fn: ServiceFunction) => logicalIdOf(fn.function);
const tableId = (outbox: OutboxTable) => logicalIdOf(outbox.table);
const variablesOf = (template: Template, fn: ServiceFunction) =>
  (propertiesOf(template, fnId(fn)).Environment as { Variables: Record<string, unknown> })
    .Variables;

/** The tables whose items a function's role may touch, by logical id. */
function dynamoTablesOf(template: Template, fn: ServiceFunction): string[] {
  const tables = new Set(Object.keys(template.findResources('AWS::DynamoDB::Table')));
  const statements = statementsOf(template, roleOf(template, fnId(fn))).filter((s) =>
    [s.Action].flat().some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams'),
  );
  return [...referencedIds(statements.map((s) => s.Resource))].filter((id) => tables.has(id));
}

describe('OrderSagaStack', () => {
  let stack: OrderSagaStack;
  let template: Template;
  const settings = {
    STAGE: 'test',
    SAGA_TIMEOUT_SECONDS: '42',
    LOG_LEVEL: 'DEBUG',
    PAYMENT_FAILURE_RATE: '0.1',
    SLOW_PAYMENT_SECONDS: '77',
    PROVIDER_FAILURE_RATE: '0.2',
  };

  beforeAll(() => {
    ({ stack, template } = synthStack(settings));
  }, SYNTH_TIMEOUT_MS);

  /** Every function of the stack, by what it does. */
  const functions = (): Record<string, ServiceFunction> => ({
    'order API': stack.ordersApiFunction,
    'order events': stack.orderEvents.handler,
    'saga timer starts': stack.timerStarts.handler,
    'saga timeout': stack.timer.timeoutHandler,
    payments: stack.paymentRequests.handler,
    inventory: stack.inventoryRequests.handler,
    'inventory API': stack.inventoryApiFunction,
    notifications: stack.notifications.handler,
    'notifications API': stack.notificationsApiFunction,
    'orders relay': stack.orders.relay,
    'payments relay': stack.payments.relay,
    'inventory relay': stack.inventory.relay,
  });

  describe('functions', () => {
    it('runs every function on Node.js 24 on arm64, with JSON logs into its own log group', () => {
      const all = template.findResources('AWS::Lambda::Function') as Resources;
      expect(Object.keys(all)).toHaveLength(Object.keys(functions()).length);
      const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;
      for (const { Properties: fn } of Object.values(all)) {
        expect(fn).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: {
            LogFormat: 'JSON',
            ApplicationLogLevel: 'DEBUG',
            SystemLogLevel: 'DEBUG',
          },
        });
        const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[logGroupId]?.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    });

    it('configures Powertools of every function through its environment', () => {
      const all = template.findResources('AWS::Lambda::Function') as Resources;
      for (const { Properties: fn } of Object.values(all)) {
        expect(fn.Environment).toMatchObject({
          Variables: {
            POWERTOOLS_SERVICE_NAME: expect.any(String) as unknown,
            POWERTOOLS_METRICS_NAMESPACE: 'OrderSaga/test',
            POWERTOOLS_LOG_LEVEL: 'DEBUG',
          },
        });
        // No Powertools Tracer in the bundles (see lambdas/shared/observability.ts).
        expect((fn.Environment as { Variables: object }).Variables).not.toHaveProperty(
          'POWERTOOLS_TRACE_ENABLED',
        );
      }
    });

    it('gives no function the AWSLambdaBasicExecutionRole (which may write to any log group)', () => {
      const roles = template.findResources('AWS::IAM::Role') as Resources;
      for (const { Properties: role } of Object.values(roles)) {
        expect(JSON.stringify(role.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasic');
      }
    });

    it('lets every function write its logs to its own log group', () => {
      for (const [name, fn] of Object.entries(functions())) {
        const logGroup = logicalIdOf(fn.logGroup);
        const writes = statementsOf(template, roleOf(template, fnId(fn))).filter(
          (s) => s.Effect === 'Allow' && referencedIds(s.Resource).has(logGroup),
        );
        expect([name, writes.flatMap((s) => [s.Action].flat())]).toEqual([
          name,
          expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']),
        ]);
      }
    });

    it('keeps function logs for a month, and deletes them with the stack', () => {
      type LogGroup = Resources[string] & { DeletionPolicy?: string };
      const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, LogGroup>;
      for (const fn of Object.values(functions())) {
        const logGroup = logGroups[logicalIdOf(fn.logGroup)]!;
        expect(logGroup.Properties.RetentionInDays).toBe(30);
        expect(logGroup.DeletionPolicy).toBe('Delete');
      }
    });
  });

  describe('environment of each function', () => {
    it('tells the order API its table, the saga timeout and the timer', () => {
      expect(variablesOf(template, stack.ordersApiFunction)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'orders',
        TABLE_NAME: { Ref: tableId(stack.orders) },
        SAGA_TIMEOUT_SECONDS: settings.SAGA_TIMEOUT_SECONDS,
      });
    });

    it('tells the functions that stop timers the grace period, within which there is none to stop', () => {
      // SAGA_TIMEOUT_SECONDS 42: the default grace is half of it.
      for (const fn of [stack.ordersApiFunction, stack.orderEvents.handler])
        expect(variablesOf(template, fn).SAGA_TIMER_GRACE_SECONDS).toBe('21');
    });

    it('tells the order functions their table and the timer', () => {
      for (const fn of [
        stack.ordersApiFunction,
        stack.orderEvents.handler,
        stack.timerStarts.handler,
        stack.timer.timeoutHandler,
      ]) {
        expect(variablesOf(template, fn)).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'orders',
          TABLE_NAME: { Ref: tableId(stack.orders) },
        });
        expect(flattened(variablesOf(template, fn).TIMER_STATE_MACHINE_ARN)).toMatch(
          new RegExp(`:stateMachine:${stack.stackName}-saga-timer$`),
        );
      }
    });

    it('gives every function the same timer ARN, the one the timer is named by', () => {
      const machine = propertiesOf(template, logicalIdOf(stack.timer.stateMachine));
      const arns = [stack.ordersApiFunction, stack.orderEvents.handler, stack.timer.timeoutHandler]
        .map((fn) => flattened(variablesOf(template, fn).TIMER_STATE_MACHINE_ARN))
        .map((arn) => arn.split(':stateMachine:')[1]);
      expect(new Set(arns)).toEqual(new Set([machine.StateMachineName]));
    });

    it('tells the payment simulator its table, its own queue and the stage failure settings', () => {
      expect(variablesOf(template, stack.paymentRequests.handler)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'payments',
        TABLE_NAME: { Ref: tableId(stack.payments) },
        QUEUE_URL: { Ref: logicalIdOf(stack.paymentRequests.queue) },
        PAYMENT_FAILURE_RATE: settings.PAYMENT_FAILURE_RATE,
        SLOW_PAYMENT_SECONDS: settings.SLOW_PAYMENT_SECONDS,
      });
    });

    it('tells each outbox relay the saga bus to publish to', () => {
      for (const outbox of [stack.orders, stack.payments, stack.inventory]) {
        expect(variablesOf(template, outbox.relay).EVENT_BUS_NAME).toEqual({
          Ref: logicalIdOf(stack.eventBus.eventBus),
        });
      }
    });

    it('tells both inventory functions the inventory table', () => {
      for (const fn of [stack.inventoryRequests.handler, stack.inventoryApiFunction]) {
        expect(variablesOf(template, fn)).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'inventory',
          TABLE_NAME: { Ref: tableId(stack.inventory) },
        });
      }
    });

    it('tells both notification functions the notifications table, and the consumer the failure rate', () => {
      const table = { Ref: logicalIdOf(stack.notificationsTable) };
      expect(variablesOf(template, stack.notifications.handler)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'notifications',
        TABLE_NAME: table,
        PROVIDER_FAILURE_RATE: settings.PROVIDER_FAILURE_RATE,
      });
      expect(variablesOf(template, stack.notificationsApiFunction)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'notifications',
        TABLE_NAME: table,
      });
    });
  });

  describe('least privilege', () => {
    it('lets each function use its own service table and no other', () => {
      const orders = tableId(stack.orders);
      const payments = tableId(stack.payments);
      const inventory = tableId(stack.inventory);
      const notifications = logicalIdOf(stack.notificationsTable);
      const expected: Record<string, string[]> = {
        'order API': [orders],
        'order events': [orders],
        'saga timer starts': [orders],
        'saga timeout': [orders],
        payments: [payments],
        inventory: [inventory],
        'inventory API': [inventory],
        notifications: [notifications],
        'notifications API': [notifications],
        'orders relay': [orders],
        'payments relay': [payments],
        'inventory relay': [inventory],
      };
      const actual = Object.fromEntries(
        Object.entries(functions()).map(([name, fn]) => [name, dynamoTablesOf(template, fn)]),
      );
      expect(actual).toEqual(expected);
    });

    it('grants each function exactly the DynamoDB actions its code uses, never Scan or BatchWriteItem', () => {
      // The local cloud refuses any other action (local/iam), so the end-to-end tests
      // prove these lists are enough; this test keeps them from growing unnoticed.
      const transition = ['GetItem', 'PutItem', 'UpdateItem'];
      const streamReads = ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'];
      const expected: Record<string, string[]> = {
        'order API': [...transition, 'Query', 'BatchGetItem'],
        'order events': transition,
        'saga timer starts': ['GetItem'],
        'saga timeout': transition,
        payments: ['GetItem', 'PutItem'],
        inventory: ['GetItem', 'PutItem', 'UpdateItem'],
        'inventory API': ['GetItem', 'UpdateItem', 'Query', 'BatchGetItem'],
        notifications: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        'notifications API': ['Query'],
        'orders relay': streamReads,
        'payments relay': streamReads,
        'inventory relay': streamReads,
      };
      const dynamoActions = (fn: ServiceFunction) =>
        actionsOf(template, roleOf(template, fnId(fn)))
          .filter((action) => action.startsWith('dynamodb:'))
          .map((action) => action.slice('dynamodb:'.length))
          .sort();
      const actual = Object.fromEntries(
        Object.entries(functions()).map(([name, fn]) => [name, dynamoActions(fn)]),
      );
      expect(actual).toEqual(
        Object.fromEntries(
          Object.entries(expected).map(([name, list]) => [name, [...list].sort()]),
        ),
      );
    });

    it('lets only the timer-start consumer start saga timers, and the order API and consumer stop them', () => {
      const allowed = (action: string) =>
        Object.entries(functions())
          .filter(([, fn]) => actionsOf(template, roleOf(template, fnId(fn))).includes(action))
          .map(([name]) => name)
          .sort();
      expect(allowed('states:StartExecution')).toEqual(['saga timer starts']);
      // The timeout task ends its own execution: it never stops one.
      expect(allowed('states:StopExecution')).toEqual(['order API', 'order events']);
    });

    it("scopes timer grants to the timer's state machine and its executions", () => {
      const name = `${stack.stackName}-saga-timer`;
      const timerResources = (fn: ServiceFunction) =>
        statementsOf(template, roleOf(template, fnId(fn)))
          .filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')))
          .flatMap((s) => [s.Resource].flat())
          .map(flattened);
      expect(timerResources(stack.timerStarts.handler)).toEqual([
        expect.stringMatching(new RegExp(`:stateMachine:${name}$`)),
      ]);
      expect(timerResources(stack.orderEvents.handler)).toEqual([
        expect.stringMatching(new RegExp(`:execution:${name}:\\*$`)),
      ]);
    });

    it('lets the timer-start consumer read orders and write nothing', () => {
      const actions = actionsOf(template, roleOf(template, fnId(stack.timerStarts.handler)));
      expect(actions).toContain('dynamodb:GetItem');
      for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
        expect(actions).not.toContain(`dynamodb:${write}`);
    });

    it('lets no function send to a consumer queue (only its rule does)', () => {
      const consumerQueues = [
        stack.paymentRequests,
        stack.inventoryRequests,
        stack.orderEvents,
        stack.timerStarts,
        stack.notifications,
      ].map((consumer) => logicalIdOf(consumer.queue));
      const senders = Object.entries(functions()).flatMap(([name, fn]) =>
        statementsOf(template, roleOf(template, fnId(fn)))
          .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
          .flatMap((s) => [...referencedIds(s.Resource)])
          .filter((queue) => consumerQueues.includes(queue))
          .map((queue) => `${name} → ${queue}`),
      );
      expect(senders).toEqual([]);
    });
  });

  describe('tables', () => {
    it('keeps every table on demand with string pk/sk keys, PITR and TTL, as its service says', () => {
      const tables: [string, typeof ordersTableKeys | typeof notificationsTableKeys][] = [
        [tableId(stack.orders), ordersTableKeys],
        [tableId(stack.payments), paymentsTableKeys],
        [tableId(stack.inventory), inventoryTableKeys],
        [logicalIdOf(stack.notificationsTable), notificationsTableKeys],
      ];
      expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toHaveLength(
        tables.length,
      );
      for (const [id, keys] of tables) {
        expect(propertiesOf(template, id)).toMatchObject({
          KeySchema: [
            { AttributeName: keys.partitionKey, KeyType: 'HASH' },
            { AttributeName: keys.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: expect.arrayContaining([
            { AttributeName: keys.partitionKey, AttributeType: 'S' },
            { AttributeName: keys.sortKey, AttributeType: 'S' },
          ]) as unknown,
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: keys.timeToLiveAttribute, Enabled: true },
        });
      }
    });

    it('streams new images of the outbox tables, and not of the notifications table', () => {
      for (const outbox of [stack.orders, stack.payments, stack.inventory]) {
        expect(propertiesOf(template, tableId(outbox)).StreamSpecification).toEqual({
          StreamViewType: 'NEW_IMAGE',
        });
      }
      expect(
        propertiesOf(template, logicalIdOf(stack.notificationsTable)).StreamSpecification,
      ).toBeUndefined();
    });

    it('has the customer index the order API queries, projecting keys only so status updates do not rewrite it', () => {
      expect(propertiesOf(template, tableId(stack.orders)).GlobalSecondaryIndexes).toEqual([
        {
          IndexName: ordersTableKeys.byCustomerIndex.name,
          KeySchema: [
            { AttributeName: ordersTableKeys.byCustomerIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: ordersTableKeys.byCustomerIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
    });

    it.each([
      ['order API', 'orders', () => [stack.ordersApiFunction, stack.orders] as const],
      ['inventory API', 'products', () => [stack.inventoryApiFunction, stack.inventory] as const],
    ])(
      'lets the %s read the listed %s from its table by key (BatchGetItem)',
      (_api, _items, pick) => {
        const [fn, table] = pick();
        const batchGetTables = referencedIds(
          statementsOf(template, roleOf(template, fnId(fn)))
            .filter((s) => [s.Action].flat().includes('dynamodb:BatchGetItem'))
            .map((s) => s.Resource),
        );
        expect([...batchGetTables]).toContain(tableId(table));
      },
    );

    it('has the products index the inventory API lists, keys only so stock changes do not rewrite it', () => {
      expect(propertiesOf(template, tableId(stack.inventory)).GlobalSecondaryIndexes).toEqual([
        {
          IndexName: inventoryTableKeys.productsIndex.name,
          KeySchema: [
            { AttributeName: inventoryTableKeys.productsIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: inventoryTableKeys.productsIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
    });

    it('deletes every table with a non-production stack', () => {
      const tables = template.findResources('AWS::DynamoDB::Table') as Record<
        string,
        { DeletionPolicy?: string; Properties: Record<string, unknown> }
      >;
      for (const table of Object.values(tables)) {
        expect(table.DeletionPolicy).toBe('Delete');
        expect(table.Properties.DeletionProtectionEnabled).toBe(false);
      }
    });
  });

  describe('outbox relays', () => {
    const outboxes = () => ({
      orders: stack.orders,
      payments: stack.payments,
      inventory: stack.inventory,
    });

    it('alarms when a relay stalls, on the metrics its service counts for each outbox write', () => {
      const written = {
        orders: [apiMetrics.ordersCreated],
        payments: [paymentMetrics.completed, paymentMetrics.failed, paymentMetrics.refunded],
        inventory: [
          inventoryConsumerMetrics.reserved,
          inventoryConsumerMetrics.reservationFailed,
          inventoryConsumerMetrics.released,
        ],
      };
      for (const [service, outbox] of Object.entries(outboxes())) {
        const alarm = propertiesOf(template, logicalIdOf(outbox.relayStalledAlarm!));
        const metrics = (
          alarm.Metrics as { Id: string; MetricStat?: { Metric: Record<string, unknown> } }[]
        )
          .filter((m) => m.Id.startsWith('written'))
          .map((m) => m.MetricStat!.Metric);
        expect(metrics).toEqual(
          written[service as keyof typeof written].map((name) => ({
            Namespace: `OrderSaga/${settings.STAGE}`,
            MetricName: name,
            Dimensions: [{ Name: 'service', Value: service }],
          })),
        );
      }
    });

    it('reads only new outbox items from each outbox table stream into its relay', () => {
      for (const outbox of Object.values(outboxes())) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [tableId(outbox), 'StreamArn'] },
          FunctionName: { Ref: fnId(outbox.relay) },
          FilterCriteria: { Filters: [{ Pattern: JSON.stringify(outboxStreamFilterPattern) }] },
          StartingPosition: 'TRIM_HORIZON',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          DestinationConfig: {
            OnFailure: {
              Destination: { 'Fn::GetAtt': [logicalIdOf(outbox.relayFailureQueue), 'Arn'] },
            },
          },
        });
      }
    });

    it('bounds the retries of a failing stream batch', () => {
      const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { StartingPosition: 'TRIM_HORIZON' },
      }) as Resources;
      expect(Object.keys(mappings)).toHaveLength(3);
      for (const { Properties: props } of Object.values(mappings)) {
        // Bounded: -1 (the service default) would retry until the record expires.
        expect(props.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
        expect(props.MaximumRetryAttempts).toBeLessThanOrEqual(100);
        expect(props.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
        expect(props.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(24 * 3600);
      }
    });

    it('lets the relays, and only them, put events, on the saga bus only', () => {
      const bus = logicalIdOf(stack.eventBus.eventBus);
      const relays = Object.values(outboxes()).map((outbox) =>
        roleOf(template, fnId(outbox.relay)),
      );
      const policies = template.findResources('AWS::IAM::Policy') as Resources;
      const putters = Object.values(policies)
        .filter(({ Properties: p }) =>
          JSON.stringify(p.PolicyDocument).includes('events:PutEvents'),
        )
        .flatMap(({ Properties: p }) => (p.Roles as { Ref: string }[]).map((r) => r.Ref));
      expect(putters.sort()).toEqual(relays.sort());
      for (const role of relays) {
        expect(statementsOf(template, role)).toContainEqual(
          expect.objectContaining({
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [bus, 'Arn'] },
          }),
        );
      }
    });

    it('watches every relay failure queue with an alarm', () => {
      for (const outbox of Object.values(outboxes())) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            {
              Name: 'QueueName',
              Value: { 'Fn::GetAtt': [logicalIdOf(outbox.relayFailureQueue), 'QueueName'] },
            },
          ],
          Threshold: 1,
        });
      }
    });

    it('alarms when a relay stays more than a minute behind its stream', () => {
      for (const outbox of Object.values(outboxes())) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'IteratorAge',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(outbox.relay) } }],
          Statistic: 'Maximum',
          Period: 60,
          Threshold: RELAY_LAG_ALARM_SECONDS * 1000,
          EvaluationPeriods: 3,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      }
    });
  });

  describe('event consumers', () => {
    const consumers = (): [string, EventConsumer, readonly AnyEventContract[]][] => [
      ['payments', stack.paymentRequests, [OrderCreated, OrderCancelled, PaymentRefundRequested]],
      ['inventory', stack.inventoryRequests, [PaymentCompleted, InventoryReleaseRequested]],
      ['orders', stack.orderEvents, sagaEventContracts],
      ['orders timer', stack.timerStarts, [OrderCreated]],
      ['notifications', stack.notifications, [OrderConfirmed, OrderCancelled]],
    ];

    it('has one rule per consumer, each targeting its own queue only', () => {
      const rules = Object.values(template.findResources('AWS::Events::Rule') as Resources);
      expect(rules).toHaveLength(consumers().length);
      for (const [, consumer] of consumers()) {
        const rule = propertiesOf(template, logicalIdOf(consumer.rule));
        expect(rule.EventBusName).toEqual({ Ref: logicalIdOf(stack.eventBus.eventBus) });
        expect(rule.Targets).toEqual([
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [logicalIdOf(consumer.queue), 'Arn'] },
          }),
        ]);
      }
    });

    it.each([
      ['payments', [OrderCreated, OrderCancelled, PaymentRefundRequested]],
      ['inventory', [PaymentCompleted, InventoryReleaseRequested]],
      ['orders', sagaEventContracts],
      ['orders timer', [OrderCreated]],
      ['notifications', [OrderConfirmed, OrderCancelled]],
    ] as const)('routes to the %s consumer exactly the events it handles', (service, contracts) => {
      const consumer = consumers().find(([name]) => name === service)![1];
      expect(propertiesOf(template, logicalIdOf(consumer.rule)).EventPattern).toEqual(
        patternOf(...contracts),
      );
    });

    it('delays OrderCreated on the timer-start queue by the grace period, and no other queue', () => {
      // SAGA_TIMEOUT_SECONDS 42: the default grace is half of it, 21 s.
      for (const [name, consumer] of consumers()) {
        const queue = propertiesOf(template, logicalIdOf(consumer.queue));
        if (name === 'orders timer') expect(queue.DelaySeconds).toBe(21);
        else expect(queue.DelaySeconds).toBeUndefined();
      }
      // A delayed message is no backlog: its alarm allows the delay on top of 5 minutes.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(stack.timerStarts.queue), 'QueueName'] },
          },
        ],
        Threshold: 300 + 21,
      });
    });

    it('retries a failed timer start after 30 s, so one failure still starts the timer before the deadline', () => {
      // Function timeout 5 s, visibility 6 × that: grace (21 s here) + 30 s < a 90 s default timeout.
      const fn = propertiesOf(template, fnId(stack.timerStarts.handler));
      expect(fn.Timeout).toBe(5);
      expect(propertiesOf(template, logicalIdOf(stack.timerStarts.queue)).VisibilityTimeout).toBe(
        30,
      );
    });

    it('allows a tok_slow charge its time on top of 5 minutes before the payments backlog alarm fires', () => {
      // The charge hides its message until it settles (SLOW_PAYMENT_SECONDS 77), and a hidden
      // message still counts in ApproximateAgeOfOldestMessage.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(stack.paymentRequests.queue), 'QueueName'] },
          },
        ],
        Threshold: 300 + 77,
      });
    });

    it('moves failing messages of each queue to its dead-letter queue, watched by an alarm', () => {
      for (const [, consumer] of consumers()) {
        const deadLetters = logicalIdOf(consumer.deadLetterQueue);
        expect(propertiesOf(template, logicalIdOf(consumer.queue)).RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
          maxReceiveCount: 5,
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
          Threshold: 1,
        });
      }
    });

    it('drains each queue into its function with partial batch responses', () => {
      for (const [, consumer] of consumers()) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(consumer.queue), 'Arn'] },
          FunctionName: { Ref: fnId(consumer.handler) },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: Match.anyValue() },
        });
      }
    });
  });

  describe('saga timer', () => {
    it('waits until the deadline, then invokes the timeout function', () => {
      const definition = definitionOf(template, logicalIdOf(stack.timer.stateMachine));
      const wait = definition.States[definition.StartAt]!;
      expect(wait).toMatchObject({ Type: 'Wait', TimestampPath: '$.deadline' });
      expect(definition.States[wait.Next!]).toMatchObject({
        Type: 'Task',
        Parameters: {
          FunctionName: `\${${fnId(stack.timer.timeoutHandler)}.Arn}`,
          Payload: { 'orderId.$': '$.orderId' },
        },
        End: true,
      });
    });

    it('is a Standard state machine named after the stack', () => {
      expect(propertiesOf(template, logicalIdOf(stack.timer.stateMachine))).toMatchObject({
        StateMachineType: 'STANDARD',
        StateMachineName: `${stack.stackName}-saga-timer`,
      });
    });
  });

  describe('API', () => {
    it('serves the order, cancel, timeline, notification and inventory routes with IAM auth, leaving /health open', () => {
      expect(routesOf(template)).toEqual(
        [
          'GET /health NONE',
          'POST /orders AWS_IAM',
          'GET /orders AWS_IAM',
          'GET /orders/{orderId} AWS_IAM',
          'POST /orders/{orderId}/cancel AWS_IAM',
          'GET /orders/{orderId}/timeline AWS_IAM',
          'GET /orders/{orderId}/notifications AWS_IAM',
          'PUT /inventory/{sku} AWS_IAM',
          'GET /inventory/{sku} AWS_IAM',
          'GET /inventory AWS_IAM',
        ].sort(),
      );
    });

    it('proxies each route to the function of its service', () => {
      const owner: Record<string, ServiceFunction> = {
        'GET /health': stack.ordersApiFunction,
        'POST /orders': stack.ordersApiFunction,
        'GET /orders': stack.ordersApiFunction,
        'GET /orders/{orderId}': stack.ordersApiFunction,
        'POST /orders/{orderId}/cancel': stack.ordersApiFunction,
        'GET /orders/{orderId}/timeline': stack.ordersApiFunction,
        'GET /orders/{orderId}/notifications': stack.notificationsApiFunction,
        'PUT /inventory/{sku}': stack.inventoryApiFunction,
        'GET /inventory/{sku}': stack.inventoryApiFunction,
        'GET /inventory': stack.inventoryApiFunction,
      };
      const methods = methodsByRoute(template);
      expect(Object.keys(methods).sort()).toEqual(Object.keys(owner).sort());
      for (const [route, fn] of Object.entries(owner)) {
        expect(methods[route]!.integration).toMatchObject({
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
        });
        expect([...referencedIds(methods[route]!.integration)]).toEqual([fnId(fn)]);
      }
    });

    it('logs access, throttles and traces the stage', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: settings.STAGE,
        TracingEnabled: true,
        AccessLogSetting: {
          DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.api.accessLogs), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: Match.anyValue(),
            ThrottlingBurstLimit: Match.anyValue(),
          }),
        ],
      });
    });

    it('writes each access log line as JSON with the caller, outcome and trace', () => {
      const format = (
        propertiesOf(template, logicalIdOf(stack.api.restApi.deploymentStage)).AccessLogSetting as {
          Format: string;
        }
      ).Format;
      expect(JSON.parse(format)).toMatchObject({
        requestId: '$context.requestId',
        userArn: '$context.identity.userArn',
        status: '$context.status',
        integrationError: '$context.integrationErrorMessage',
        xrayTraceId: '$context.xrayTraceId',
      });
    });

    it('throttles the stage at 50 requests per second, with bursts of 100, without paid per-method metrics', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
            MetricsEnabled: false,
          }),
        ],
      });
    });

    it("answers API Gateway's own errors in the functions' error shape, keeping API Gateway's status codes", () => {
      const responses = Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse') as Resources,
      ).map((r) => r.Properties);
      expect(responses.map((r) => r.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
      for (const response of responses) {
        expect(response).toEqual({
          RestApiId: { Ref: logicalIdOf(stack.api.restApi) },
          ResponseType: response.ResponseType,
          ResponseTemplates: { 'application/json': GATEWAY_ERROR_TEMPLATE },
        });
      }
    });

    it('keeps access logs for a month, and is a regional endpoint', () => {
      expect(propertiesOf(template, logicalIdOf(stack.api.accessLogs)).RetentionInDays).toBe(30);
      expect(propertiesOf(template, logicalIdOf(stack.api.restApi)).EndpointConfiguration).toEqual({
        Types: ['REGIONAL'],
      });
    });

    it('lets API Gateway invoke the functions from the deployed routes only, not from console test invocations', () => {
      const permissions = Object.values(
        template.findResources('AWS::Lambda::Permission', {
          Properties: { Principal: 'apigateway.amazonaws.com' },
        }) as Resources,
      );
      // One per route.
      expect(permissions).toHaveLength(routesOf(template).length);
      for (const { Properties: permission } of permissions) {
        expect(flattened(permission.SourceArn)).not.toContain('/test-invoke-stage/');
      }
    });

    it("sets the account's API Gateway logging role that access logs need, and keeps it with the stack deleted", () => {
      type Retained = Resources[string] & { DeletionPolicy?: string };
      const accounts = template.findResources('AWS::ApiGateway::Account') as Record<
        string,
        Retained
      >;
      const [account] = Object.entries(accounts);
      expect(Object.keys(accounts)).toHaveLength(1);
      expect(account![1].DeletionPolicy).toBe('Retain');
      const roleId = (account![1].Properties.CloudWatchRoleArn as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
      const role = template.findResources('AWS::IAM::Role')[roleId] as Retained;
      expect(role.DeletionPolicy).toBe('Retain');
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(
        'apigateway.amazonaws.com',
      );
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(
        'AmazonAPIGatewayPushToCloudWatchLogs',
      );
    });
  });

  describe('event bus', () => {
    it('archives every event of the saga bus for replays', () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.eventBus.eventBus), 'Arn'] },
        EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
        RetentionDays: Match.anyValue(),
      });
    });

    it('keeps archived events for 30 days', () => {
      expect(propertiesOf(template, logicalIdOf(stack.eventBus.archive)).RetentionDays).toBe(30);
    });

    it('leaves the archive key out instead of the empty string some regions reject', () => {
      expect(propertiesOf(template, logicalIdOf(stack.eventBus.archive))).not.toHaveProperty(
        'KmsKeyIdentifier',
      );
    });
  });

  describe('observability', () => {
    it.each([orderEventMetrics.contradictions, orderEventMetrics.unknownOrders])(
      'raises an alarm when the order consumer counts %s',
      (metricName) => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'OrderSaga/test',
          MetricName: metricName,
          Dimensions: [{ Name: 'service', Value: 'orders' }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      },
    );

    it.each([orderEventMetrics.contradictions, orderEventMetrics.unknownOrders])(
      'raises the %s alarm on the first count within 5 minutes, and not without data',
      (metricName) => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metricName,
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        });
      },
    );

    const apiServerErrorsAlarm = () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;
      const id = Object.keys(alarms).find((key) => key.includes('ApiServerErrorsAlarm'));
      return alarms[id!]!.Properties as {
        Metrics: { Id: string; Expression?: string; MetricStat?: unknown }[];
      } & Record<string, unknown>;
    };

    it('alarms when 1 % or more of the API requests, and 3 or more, are answered 5xx over 5 minutes', () => {
      const alarm = apiServerErrorsAlarm();
      expect(alarm).toMatchObject({
        Threshold: 0.01,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const byId = Object.fromEntries(alarm.Metrics.map((m) => [m.Id, m]));
      // A single 5xx among a handful of requests at night must not page anyone.
      expect(alarm.Metrics.find((m) => m.Expression)?.Expression).toBe(
        'IF(errors >= 3, errors / requests, 0)',
      );
      const metricStat = (metricName: string) => ({
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: metricName,
          Dimensions: [{ Name: 'ApiName', Value: expect.any(String) as unknown }],
        },
        Period: 300,
        Stat: 'Sum',
      });
      expect(byId.errors).toMatchObject({ MetricStat: metricStat('5XXError') });
      expect(byId.requests).toMatchObject({ MetricStat: metricStat('Count') });
    });

    it('raises the API alarm in its first 5-minute period, and not for an API without requests', () => {
      expect(apiServerErrorsAlarm()).toMatchObject({
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    it('sends every alarm to the encrypted alarm topic, on alarm and back to OK', () => {
      const topic = logicalIdOf(stack.observability.alarmTopic!);
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);
      // The API's 5xx share, 4 per consumer, 3 per relay, 1 for the timer, 1 per
      // must-stay-zero saga metric.
      expect(alarms).toHaveLength(1 + 5 * 4 + 3 * 3 + 1 + 2);
      for (const { Properties: alarm } of alarms) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.OKActions).toEqual([{ Ref: topic }]);
      }
      const key = propertiesOf(template, topic).KmsMasterKeyId as { 'Fn::GetAtt': [string] };
      expect(propertiesOf(template, key['Fn::GetAtt'][0])).toMatchObject({
        EnableKeyRotation: true,
      });
    });

    it('lets CloudWatch both encrypt and decrypt with the alarm topic key, as an encrypted topic needs', () => {
      const topic = logicalIdOf(stack.observability.alarmTopic!);
      const key = (propertiesOf(template, topic).KmsMasterKeyId as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
      const statements = (
        propertiesOf(template, key).KeyPolicy as {
          Statement: { Effect: string; Principal?: unknown; Action: string | string[] }[];
        }
      ).Statement.filter(
        (s) =>
          s.Effect === 'Allow' &&
          JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
      );
      expect(statements.flatMap((s) => [s.Action].flat())).toEqual(
        expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
      );
    });

    it('lets CloudWatch use the alarm topic key, and only over TLS publish to the topic', () => {
      const topic = logicalIdOf(stack.observability.alarmTopic!);
      const key = (propertiesOf(template, topic).KmsMasterKeyId as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
      const keyPolicy = JSON.stringify(propertiesOf(template, key).KeyPolicy);
      expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it("lets this account's CloudWatch alarms publish to the topic (its policy replaces SNS's default)", () => {
      const topic = logicalIdOf(stack.observability.alarmTopic!);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: topic },
              Condition: {
                StringEquals: { 'aws:SourceAccount': Match.anyValue() },
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
              },
            }),
          ]),
        },
      });
      const policy = Object.values(
        template.findResources('AWS::SNS::TopicPolicy') as Resources,
      ).find((p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topic }]))!;
      const allow = (
        policy.Properties.PolicyDocument as {
          Statement: { Effect: string; Condition: { ArnLike: { 'aws:SourceArn': unknown } } }[];
        }
      ).Statement.find((st) => st.Effect === 'Allow')!;
      expect(flattened(allow.Condition.ArnLike['aws:SourceArn'])).toMatch(
        /^arn:\$\{AWS::Partition\}:cloudwatch:\$\{AWS::Region\}:\$\{AWS::AccountId\}:alarm:\*$/,
      );
    });

    it('shows the API, the order metrics, every queue, function and the timer on one dashboard', () => {
      const body = propertiesOf(template, logicalIdOf(stack.observability.dashboard)).DashboardBody;
      const widgets = (
        JSON.parse(flattened(body)) as {
          widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
        }
      ).widgets;
      const metricsOf = (title: string) =>
        widgets.find((w) => w.properties.title === title)?.properties.metrics ?? [];
      const names = (title: string) =>
        metricsOf(title).map((m) => `${String(m[0])} ${String(m[1])}`);

      expect(names('API requests and errors')).toEqual(
        expect.arrayContaining(['AWS/ApiGateway Count', 'AWS/ApiGateway 5XXError']),
      );
      expect(metricsOf('Orders').map((m) => m.slice(0, 4))).toEqual(
        [
          apiMetrics.ordersCreated,
          orderEventMetrics.ordersConfirmed,
          orderEventMetrics.ordersCancelled,
          apiMetrics.ordersCancelled,
          timeoutMetrics.ordersTimedOut,
        ].map((metric) => ['OrderSaga/test', metric, 'service', 'orders']),
      );
      const shown = referencedIds(body);
      for (const consumer of [
        stack.paymentRequests,
        stack.inventoryRequests,
        stack.orderEvents,
        stack.notifications,
      ]) {
        expect(shown).toContain(logicalIdOf(consumer.queue));
        expect(shown).toContain(logicalIdOf(consumer.deadLetterQueue));
      }
      for (const fn of Object.values(functions())) expect(shown).toContain(fnId(fn));
      for (const outbox of [stack.orders, stack.payments, stack.inventory])
        expect(shown).toContain(logicalIdOf(outbox.relayFailureQueue));
      expect(shown).toContain(logicalIdOf(stack.timerStarts.queue));
      expect(shown).toContain(logicalIdOf(stack.timerStarts.deadLetterQueue));
      expect(names('Saga timer executions')).toEqual(
        expect.arrayContaining(['AWS/States ExecutionsStarted', 'AWS/States ExecutionsAborted']),
      );
      expect(shown).toContain(logicalIdOf(stack.timer.stateMachine));
    });
  });

  it('outputs the API URL, bus, orders table, timer, dashboard and alarm topic', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('EventBusName', { Value: { Ref: logicalIdOf(stack.eventBus.eventBus) } });
    template.hasOutput('OrdersTableName', { Value: { Ref: tableId(stack.orders) } });
    template.hasOutput('TimerStateMachineArn', { Value: Match.anyValue() });
    template.hasOutput('DashboardName', { Value: Match.anyValue() });
    template.hasOutput('AlarmTopicArn', {
      Value: { Ref: logicalIdOf(stack.observability.alarmTopic!) },
    });
  });
});

describe('OrderSagaStack with other stage settings', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthStack(
      {
        STAGE: 'prod',
        API_AUTH: 'NONE',
        TRACING: 'false',
        API_CLOUDWATCH_ROLE: 'false',
        LOG_LEVEL: 'ERROR',
      },
      { bundle: false },
    ));
  }, SYNTH_TIMEOUT_MS);

  it("leaves the account's API Gateway logging role alone with API_CLOUDWATCH_ROLE=false", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain(
      'AmazonAPIGatewayPushToCloudWatchLogs',
    );
  });

  it('leaves every route open when the stage chooses API_AUTH=NONE', () => {
    expect(routesOf(template).every((route) => route.endsWith(' NONE'))).toBe(true);
  });

  it('turns tracing off for functions, the API and the timer', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    for (const { Properties: fn } of Object.values(functions)) {
      expect(fn.TracingConfig).not.toEqual({ Mode: 'Active' });
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: false },
    });
  });

  it("keeps a production stack's function and API logs when it is deleted, but not the timer's named log group", () => {
    const groups = Object.values(
      template.findResources('AWS::Logs::LogGroup') as Record<
        string,
        { DeletionPolicy?: string; Properties: Record<string, unknown> }
      >,
    );
    const named = groups.filter((g) => String(g.Properties.LogGroupName).includes('vendedlogs'));
    expect(named.map((g) => g.DeletionPolicy)).toEqual(['Delete']);
    const others = groups.filter((g) => !named.includes(g));
    expect(others.length).toBeGreaterThan(10);
    expect(new Set(others.map((g) => g.DeletionPolicy))).toEqual(new Set(['Retain']));
  });

  it('retains and protects every table of a production stack', () => {
    const tables = template.findResources('AWS::DynamoDB::Table') as Record<
      string,
      { DeletionPolicy?: string; Properties: Record<string, unknown> }
    >;
    expect(Object.keys(tables)).toHaveLength(4);
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('keeps Lambda filtering application logs at INFO when the stage logs ERROR, so metric lines (no level) still reach CloudWatch', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    for (const { Properties: fn } of functions) {
      expect(fn.LoggingConfig).toMatchObject({
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
      });
      expect(fn.Environment).toMatchObject({ Variables: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
    }
  });

  it('uses the default simulator settings: no random failures, slow payments outlast the timeout', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    const variables = functions.map(
      ({ Properties: fn }) => (fn.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    expect(variables).toContainEqual(
      expect.objectContaining({ PAYMENT_FAILURE_RATE: '0', SLOW_PAYMENT_SECONDS: '120' }),
    );
    expect(variables).toContainEqual(expect.objectContaining({ PROVIDER_FAILURE_RATE: '0' }));
  });
});
