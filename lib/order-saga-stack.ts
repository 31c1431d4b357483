import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  InventoryReleaseRequested,
  OrderCancelled,
  OrderConfirmed,
  PaymentCompleted,
} from '../events/index.ts';
import { inventoryTableKeys } from '../lambdas/inventory/adapters/inventory-table.ts';
import { inventoryConsumerMetrics } from '../lambdas/inventory/consumer/inventory-consumer.ts';
import { notificationsTableKeys } from '../lambdas/notifications/adapters/notifications-table.ts';
import { ordersTableKeys } from '../lambdas/orders/adapters/orders-table.ts';
import { apiMetrics } from '../lambdas/orders/api/order-api.ts';
import { orderEventMetrics } from '../lambdas/orders/events/order-events-handler.ts';
import { timeoutMetrics } from '../lambdas/orders/timer/timeout-task.ts';
import {
  timerStartContracts,
  timerStartMetrics,
} from '../lambdas/orders/timer/timer-start-consumer.ts';
import { orderEventContracts } from '../lambdas/orders/use-cases/react-to-order-event.ts';
import { paymentsConsumedEvents } from '../lambdas/payments/consumed-events.ts';
import { paymentMetrics } from '../lambdas/payments/payments-consumer.ts';
import type { StageConfig } from './config.ts';
import { SagaEventBus } from './constructs/event-bus.ts';
import { EventConsumer } from './constructs/event-consumer.ts';
import { SagaObservability } from './constructs/observability.ts';
import { OrderApi } from './constructs/order-api.ts';
import { OutboxTable } from './constructs/outbox-table.ts';
import { SagaTimer, TIMER_STATE_MACHINE_ARN_VARIABLE } from './constructs/saga-timer.ts';
import { ServiceFunction, type ObservabilitySettings } from './constructs/service-function.ts';
import { lambdaEntry } from './paths.ts';
import { grantTableOperations, type TableOperation } from './constructs/table-operations.ts';

/**
 * What moving an order's saga on takes (the order API's cancel, the outcome consumer,
 * the timeout): read the order, then update it, alone or in a transaction with the
 * outbox puts of the events the step emits.
 */
const ORDER_TRANSITION_OPERATIONS: readonly TableOperation[] = ['GetItem', 'PutItem', 'UpdateItem'];

export interface OrderSagaStackProps extends StackProps {
  /** The validated settings of the stage this stack deploys. */
  readonly config: StageConfig;
}

/** The settings every function of a stage shares. */
export function observabilityOf(config: StageConfig): ObservabilitySettings {
  return {
    logLevel: config.logLevel,
    tracing: config.tracing,
    metricsNamespace: `OrderSaga/${config.stage}`,
  };
}

/**
 * The order saga, composed in the order of its flow: client → API → order function →
 * orders table (+ outbox) → relay → bus → rules → each service's queue and consumer
 * (payments, inventory, the order service's own saga reactions, notifications), with
 * the saga timer beside the order service and a dashboard over all of it.
 *
 * Every function gets only its own service's table; only the order service may start
 * and stop saga timers.
 */
export class OrderSagaStack extends Stack {
  /** The saga bus every outbox relay publishes to. */
  public readonly eventBus: SagaEventBus;
  /** The orders table (orders with their timelines, idempotency records, outbox) and its relay. */
  public readonly orders: OutboxTable;
  /** The order API function (place, list, show, cancel, timeline). */
  public readonly ordersApiFunction: ServiceFunction;
  /** The REST API. */
  public readonly api: OrderApi;
  /** The saga timer (one Standard execution per order) and its timeout function. */
  public readonly timer: SagaTimer;
  /** The order service's saga consumer: the payment/inventory outcomes. */
  public readonly orderEvents: EventConsumer;
  /**
   * The order service's timer-start consumer: OrderCreated, delivered after the grace
   * period; starts the order's timer unless the order is final by then.
   */
  public readonly timerStarts: EventConsumer;
  /** The payments table and its relay. */
  public readonly payments: OutboxTable;
  /** The payment simulator: OrderCreated (charge), OrderCancelled (void), refund requests. */
  public readonly paymentRequests: EventConsumer;
  /** The inventory table (products index) and its relay. */
  public readonly inventory: OutboxTable;
  /** The inventory consumer: PaymentCompleted (reserve) and InventoryReleaseRequested. */
  public readonly inventoryRequests: EventConsumer;
  /** The inventory admin API function. */
  public readonly inventoryApiFunction: ServiceFunction;
  /** The notifications table (attempts and Powertools idempotency records; no stream). */
  public readonly notificationsTable: dynamodb.Table;
  /** The notifications consumer: OrderConfirmed and OrderCancelled. */
  public readonly notifications: EventConsumer;
  /** The function listing an order's notifications. */
  public readonly notificationsApiFunction: ServiceFunction;
  /** The dashboard, the alarms and their topic. */
  public readonly observability: SagaObservability;

  constructor(scope: Construct, id: string, props: OrderSagaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const observability = observabilityOf(config);
    const dataRemovalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.eventBus = new SagaEventBus(this, 'Events');
    const eventBus = this.eventBus.eventBus;

    // ---- Orders: the API writes orders + OrderCreated; the relay publishes them.
    this.orders = new OutboxTable(this, 'Orders', {
      serviceName: 'orders',
      eventBus,
      observability,
      removalPolicy: dataRemovalPolicy,
      globalSecondaryIndexes: [ordersTableKeys.byCustomerIndex],
      // Every order placed writes OrderCreated.
      outboxWriteMetrics: [apiMetrics.ordersCreated],
    });

    // The timer is named (not generated) so its ARN can be known without a reference.
    this.timer = new SagaTimer(this, 'SagaTimer', {
      stateMachineName: `${this.stackName}-saga-timer`,
      observability,
      environment: { TABLE_NAME: this.orders.tableName },
    });
    const timerArn = { [TIMER_STATE_MACHINE_ARN_VARIABLE]: this.timer.stateMachineArn };
    // The functions that stop timers skip the call for an order final within the grace
    // period, which cannot have one.
    const timerStopSettings = {
      ...timerArn,
      SAGA_TIMER_GRACE_SECONDS: String(config.sagaTimerGraceSeconds),
    };
    // No stop grant: the task runs at the end of its own execution, which needs no stopping.
    // Cancels the order: reads it, then updates it, alone or with its outbox puts.
    this.orders.grantOperations(this.timer.timeoutHandler, ...ORDER_TRANSITION_OPERATIONS);

    this.ordersApiFunction = new ServiceFunction(this, 'OrdersApi', {
      entry: lambdaEntry('orders/api-handler.ts'),
      description: 'Order API: places, lists, shows and cancels orders, and their timelines',
      serviceName: 'orders',
      observability,
      environment: {
        TABLE_NAME: this.orders.tableName,
        SAGA_TIMEOUT_SECONDS: String(config.sagaTimeoutSeconds),
        ...timerStopSettings,
      },
    });
    // Places (a transaction of puts), shows, cancels (as a transition), lists a customer's
    // orders (a query of the index, then a batch read) and shows a timeline (a query).
    this.orders.grantOperations(
      this.ordersApiFunction,
      ...ORDER_TRANSITION_OPERATIONS,
      'Query',
      'BatchGetItem',
    );
    // A customer cancel makes the order final: its timer is stopped.
    this.timer.grantStop(this.ordersApiFunction);

    this.api = new OrderApi(this, 'Api', {
      ordersHandler: this.ordersApiFunction.function,
      stageName: config.stage,
      auth: config.apiAuth,
      tracing: config.tracing,
      cloudWatchRole: config.apiCloudWatchRole,
      restApiName: `order-saga-${config.stage}`,
    });
    this.api.addRoute('POST', '/orders/{orderId}/cancel', this.ordersApiFunction.function);
    this.api.addRoute('GET', '/orders/{orderId}/timeline', this.ordersApiFunction.function);

    // ---- Payments: OrderCreated → charge; OrderCancelled → void a charge not settled yet;
    // PaymentRefundRequested → refund.
    this.payments = new OutboxTable(this, 'Payments', {
      serviceName: 'payments',
      eventBus,
      observability,
      removalPolicy: dataRemovalPolicy,
      outboxWriteMetrics: [
        paymentMetrics.completed,
        paymentMetrics.failed,
        paymentMetrics.refunded,
      ],
    });
    this.paymentRequests = new EventConsumer(this, 'PaymentRequests', {
      serviceName: 'payments',
      entry: lambdaEntry('payments/handler.ts'),
      description:
        'Payment simulator: charges new orders, voids cancelled ones, refunds on request',
      contracts: paymentsConsumedEvents,
      eventBus,
      observability,
      // A tok_slow charge hides its message until the charge settles (ChangeMessageVisibility),
      // and a hidden message still counts in the oldest message's age: a slow charge is
      // not a backlog.
      maxMessageAge: Duration.minutes(5).plus(
        Duration.seconds(config.simulators.slowPaymentSeconds),
      ),
      environment: {
        TABLE_NAME: this.payments.tableName,
        PAYMENT_FAILURE_RATE: String(config.simulators.paymentFailureRate),
        SLOW_PAYMENT_SECONDS: String(config.simulators.slowPaymentSeconds),
      },
    });
    // Reads the order's payment, then writes it: alone with a conditional put (a slow charge
    // started, a void), or with its events in one transaction of puts.
    this.payments.grantOperations(this.paymentRequests.handler, 'GetItem', 'PutItem');

    // ---- Inventory: PaymentCompleted → reserve stock; InventoryReleaseRequested → release.
    this.inventory = new OutboxTable(this, 'Inventory', {
      serviceName: 'inventory',
      eventBus,
      observability,
      removalPolicy: dataRemovalPolicy,
      globalSecondaryIndexes: [inventoryTableKeys.productsIndex],
      outboxWriteMetrics: [
        inventoryConsumerMetrics.reserved,
        inventoryConsumerMetrics.reservationFailed,
        inventoryConsumerMetrics.released,
      ],
    });
    this.inventoryRequests = new EventConsumer(this, 'InventoryRequests', {
      serviceName: 'inventory',
      entry: lambdaEntry('inventory/handler.ts'),
      description: 'Inventory: reserves stock for paid orders and releases it on request',
      contracts: [PaymentCompleted, InventoryReleaseRequested],
      eventBus,
      observability,
      environment: { TABLE_NAME: this.inventory.tableName },
    });
    // Reservations and releases: transactions of puts and stock updates, after a read.
    this.inventory.grantOperations(
      this.inventoryRequests.handler,
      'GetItem',
      'PutItem',
      'UpdateItem',
    );

    this.inventoryApiFunction = new ServiceFunction(this, 'InventoryApi', {
      entry: lambdaEntry('inventory/api-handler.ts'),
      description: 'Inventory admin API: sets and shows stock levels',
      serviceName: 'inventory',
      observability,
      environment: { TABLE_NAME: this.inventory.tableName },
    });
    // Restocks (an update), shows a product, lists them (a query of the index, a batch read).
    this.inventory.grantOperations(
      this.inventoryApiFunction,
      'GetItem',
      'UpdateItem',
      'Query',
      'BatchGetItem',
    );
    this.api.addRoute('PUT', '/inventory/{sku}', this.inventoryApiFunction.function);
    this.api.addRoute('GET', '/inventory/{sku}', this.inventoryApiFunction.function);
    this.api.addRoute('GET', '/inventory', this.inventoryApiFunction.function);

    // ---- Orders again: payment and inventory outcomes move each order's saga on.
    this.orderEvents = new EventConsumer(this, 'OrderEvents', {
      serviceName: 'orders',
      entry: lambdaEntry('orders/events-handler.ts'),
      description: 'Order saga: applies payment and inventory outcomes, stops timers',
      contracts: orderEventContracts,
      eventBus,
      observability,
      environment: { TABLE_NAME: this.orders.tableName, ...timerStopSettings },
    });
    this.orders.grantOperations(this.orderEvents.handler, ...ORDER_TRANSITION_OPERATIONS);
    this.timer.grantStop(this.orderEvents.handler);

    // OrderCreated waits out the grace period before the order service decides on a timer:
    // most orders are final by then and never pay for one (a Standard transition each).
    this.timerStarts = new EventConsumer(this, 'SagaTimerStarts', {
      serviceName: 'orders',
      entry: lambdaEntry('orders/timer-start-handler.ts'),
      description: 'Saga timer: starts the timer of an order still pending after the grace period',
      contracts: timerStartContracts,
      eventBus,
      observability,
      deliveryDelay: Duration.seconds(config.sagaTimerGraceSeconds),
      // A failed start comes back after the visibility timeout (6 × this): 30 s rather than
      // the default 3 minutes, so one failure (a throttled read or StartExecution) still
      // starts the timer before a 90 s deadline instead of long after it. The work is one
      // read and one call.
      timeout: Duration.seconds(5),
      environment: { TABLE_NAME: this.orders.tableName, ...timerArn },
    });
    // Reads the order to see whether it is still pending.
    this.orders.grantOperations(this.timerStarts.handler, 'GetItem');
    this.timer.grantStart(this.timerStarts.handler);

    // ---- Notifications: tell the customer the outcome (a plain table: it emits no events).
    this.notificationsTable = new dynamodb.Table(this, 'NotificationsTable', {
      partitionKey: {
        name: notificationsTableKeys.partitionKey,
        type: dynamodb.AttributeType.STRING,
      },
      sortKey: { name: notificationsTableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: notificationsTableKeys.timeToLiveAttribute,
      removalPolicy: dataRemovalPolicy,
      deletionProtection: dataRemovalPolicy === RemovalPolicy.RETAIN,
    });
    this.notifications = new EventConsumer(this, 'Notifications', {
      serviceName: 'notifications',
      entry: lambdaEntry('notifications/handler.ts'),
      description: 'Notifications: tells customers their order was confirmed or cancelled',
      contracts: [OrderConfirmed, OrderCancelled],
      eventBus,
      observability,
      environment: {
        TABLE_NAME: this.notificationsTable.tableName,
        PROVIDER_FAILURE_RATE: String(config.simulators.providerFailureRate),
      },
    });
    // Its attempt records and cancellation notes (reads, puts, updates), and the Powertools
    // idempotency records, which it also deletes when sending fails so a retry may send.
    grantTableOperations(this.notificationsTable, this.notifications.handler, [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
    ]);

    this.notificationsApiFunction = new ServiceFunction(this, 'NotificationsApi', {
      entry: lambdaEntry('notifications/api-handler.ts'),
      description: "Notifications API: lists an order's notifications",
      serviceName: 'notifications',
      observability,
      environment: { TABLE_NAME: this.notificationsTable.tableName },
    });
    // Lists an order's notifications: one query.
    grantTableOperations(this.notificationsTable, this.notificationsApiFunction, ['Query']);
    this.api.addRoute(
      'GET',
      '/orders/{orderId}/notifications',
      this.notificationsApiFunction.function,
    );

    // ---- Observability: one dashboard, every alarm to one topic.
    const outboxes = { orders: this.orders, payments: this.payments, inventory: this.inventory };
    this.observability = new SagaObservability(this, 'Observability', {
      dashboardName: `${this.stackName}-saga`,
      metricsNamespace: observability.metricsNamespace,
      api: this.api.restApi,
      consumers: [
        this.paymentRequests,
        this.inventoryRequests,
        this.orderEvents,
        this.timerStarts,
        this.notifications,
      ],
      timer: this.timer,
      // Metric names come from the code that emits them, so a rename cannot break a graph.
      orderMetrics: [
        { service: 'orders', metricName: apiMetrics.ordersCreated, label: 'created' },
        { service: 'orders', metricName: orderEventMetrics.ordersConfirmed, label: 'confirmed' },
        { service: 'orders', metricName: orderEventMetrics.ordersCancelled, label: 'cancelled' },
        {
          service: 'orders',
          metricName: apiMetrics.ordersCancelled,
          label: 'cancelled by customer',
        },
        { service: 'orders', metricName: timeoutMetrics.ordersTimedOut, label: 'timed out' },
      ],
      sagaHealthMetrics: [
        { service: 'orders', metricName: orderEventMetrics.duplicates, label: 'duplicate events' },
        { service: 'orders', metricName: timerStartMetrics.timersStarted, label: 'timers started' },
        {
          service: 'orders',
          metricName: timerStartMetrics.timersNotNeeded,
          label: 'timers not needed (final within the grace period)',
        },
        // The API and the events consumer count stop failures under the same name.
        {
          service: 'orders',
          metricName: orderEventMetrics.timerStopFailures,
          label: 'timer stop failures',
        },
        {
          service: 'orders',
          metricName: timeoutMetrics.timersForFinalOrders,
          label: 'timers fired for final orders',
        },
      ],
      alarmingMetrics: [
        {
          service: 'orders',
          metricName: orderEventMetrics.contradictions,
          label: 'contradicting events',
          meaning: 'a fact conflicted with the order (a bug in another service)',
        },
        {
          service: 'orders',
          metricName: orderEventMetrics.unknownOrders,
          label: 'events for unknown orders',
          meaning: 'an event named an order this service does not have',
        },
      ],
      functions: {
        'orders api': this.ordersApiFunction,
        'order events': this.orderEvents.handler,
        'saga timer starts': this.timerStarts.handler,
        'saga timeout': this.timer.timeoutHandler,
        payments: this.paymentRequests.handler,
        inventory: this.inventoryRequests.handler,
        'inventory api': this.inventoryApiFunction,
        notifications: this.notifications.handler,
        'notifications api': this.notificationsApiFunction,
        ...Object.fromEntries(
          Object.entries(outboxes).map(([name, outbox]) => [`${name} relay`, outbox.relay]),
        ),
      },
      otherDeadLetterQueues: Object.entries(outboxes).map(([name, outbox]) => ({
        label: `${name} relay failures`,
        queue: outbox.relayFailureQueue,
      })),
      otherAlarms: Object.values(outboxes).flatMap((outbox) => outbox.alarms),
    });

    // A stage that keeps its tables keeps its logs too: after a stack is deleted or
    // replaced they are what is left to investigate with (their retention still expires
    // the lines). Not the timer's: its name is fixed, and a kept one would make the next
    // deployment of the stack fail on "already exists".
    if (config.retainData) {
      for (const child of this.node.findAll()) {
        if (child instanceof logs.LogGroup && child !== this.timer.logGroup)
          child.applyRemovalPolicy(RemovalPolicy.RETAIN);
      }
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the order API',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: 'The saga event bus',
    });
    new CfnOutput(this, 'OrdersTableName', {
      value: this.orders.tableName,
      description: 'The orders table (orders and their outbox)',
    });
    new CfnOutput(this, 'TimerStateMachineArn', {
      value: this.timer.stateMachineArn,
      description: 'The saga timer (one execution per order, named by its orderId)',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.observability.dashboard.dashboardName,
      description: 'The CloudWatch dashboard of the saga',
    });
    if (this.observability.alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.observability.alarmTopic.topicArn,
        description: 'Subscribe here to receive the saga alarms',
      });
    }
  }
}
