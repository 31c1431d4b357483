import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.ts';
import { SagaEventBus } from './constructs/event-bus.ts';
import { OrderApi } from './constructs/order-api.ts';
import { OutboxTable } from './constructs/outbox-table.ts';
import { ServiceFunction, type ObservabilitySettings } from './constructs/service-function.ts';
import { ordersTableKeys } from '../lambdas/orders/adapters/orders-table.ts';
import { lambdaEntry } from './paths.ts';

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
 * The order saga. Reads like the flow: client → API → order function → orders table
 * (+ outbox) → stream → relay → event bus.
 */
export class OrderSagaStack extends Stack {
  public readonly eventBus: SagaEventBus;
  public readonly orders: OutboxTable;
  public readonly ordersApiFunction: ServiceFunction;
  public readonly api: OrderApi;

  constructor(scope: Construct, id: string, props: OrderSagaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const observability = observabilityOf(config);
    const dataRemovalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.eventBus = new SagaEventBus(this, 'Events');

    this.orders = new OutboxTable(this, 'Orders', {
      serviceName: 'orders',
      eventBus: this.eventBus.eventBus,
      observability,
      removalPolicy: dataRemovalPolicy,
      globalSecondaryIndexes: [ordersTableKeys.byCustomerIndex],
    });

    this.ordersApiFunction = new ServiceFunction(this, 'OrdersApi', {
      entry: lambdaEntry('orders/api-handler.ts'),
      description: 'Order API: places, lists and shows orders',
      serviceName: 'orders',
      observability,
      environment: {
        TABLE_NAME: this.orders.tableName,
        SAGA_TIMEOUT_SECONDS: String(config.sagaTimeoutSeconds),
      },
    });
    this.orders.grantReadWriteData(this.ordersApiFunction);

    this.api = new OrderApi(this, 'Api', {
      ordersHandler: this.ordersApiFunction.function,
      stageName: config.stage,
      auth: config.apiAuth,
      tracing: config.tracing,
      restApiName: `order-saga-${config.stage}`,
    });

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
  }
}
