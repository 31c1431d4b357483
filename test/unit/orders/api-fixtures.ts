import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createApiHandler, type OrderApiDeps } from '../../../lambdas/orders/api/order-api.ts';
import type { Observability } from '../../../lambdas/shared/observability.ts';
import { FakeOrderStore } from './fake-order-store.ts';
import { FakeSagaTimer } from './fake-saga-timer.ts';

/** Helpers for tests of the order API handler (shared by test/handlers/order-api*.test.ts). */

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A valid `POST /orders` body. */
export const orderBody = () => ({
  customerId: 'cust-1001',
  customerEmail: 'a@example.com',
  currency: 'USD',
  items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
  paymentToken: 'tok_visa',
});

export interface ApiEventOptions {
  method?: string;
  resource?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestId?: string;
}

/** An API Gateway REST proxy event (payload format 1.0) as API Gateway would send it. */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const resource = options.resource ?? '/health';
  const pathParameters = options.pathParameters ?? null;
  const path =
    options.path ??
    resource.replace(/\{(\w+)\}/g, (_whole, name: string) =>
      encodeURIComponent(pathParameters?.[name] ?? ''),
    );
  return {
    httpMethod: method,
    resource,
    path,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      requestId: options.requestId ?? 'api-request-1',
      httpMethod: method,
      resourcePath: resource,
      path: `/prod${path}`,
      stage: 'prod',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** `POST /orders` with a JSON body. */
export const postOrder = (body: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/orders',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A Lambda context with plenty of time left (middy aborts the handler when time runs out). */
export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'order-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-api',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/order-api',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Powertools utilities that stay quiet in test output (spy on them to assert). */
export function quietObservability(): Observability {
  return {
    logger: new Logger({ serviceName: 'orders', logLevel: 'SILENT' }),
    // Disabled: EMF would go to stdout; tests spy on addMetric instead.
    metrics: (() => {
      const previous = process.env.POWERTOOLS_METRICS_DISABLED;
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      const metrics = new Metrics({ serviceName: 'orders', namespace: 'OrderSagaTest' });
      if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previous;
      return metrics;
    })(),
    tracer: new Tracer({ serviceName: 'orders', enabled: false }),
  };
}

/** The handler wired to an in-memory store, a fixed clock and counting ids. */
export function apiUnderTest(overrides: Partial<OrderApiDeps> = {}) {
  const store = new FakeOrderStore();
  const timer = new FakeSagaTimer();
  let counter = 0;
  const observability = quietObservability();
  const handler = createApiHandler({
    store,
    timer,
    now: () => NOW,
    newId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    sagaTimeoutSeconds: 90,
    sleep: () => Promise.resolve(),
    observability,
    ...overrides,
  });
  const call = (
    event: APIGatewayProxyEvent,
    context: Context = lambdaContext(),
  ): Promise<APIGatewayProxyResult> => handler(event, context);
  return { store, timer, observability, handler, call };
}

/** The parsed JSON body of a response. */
export const bodyOf = (response: APIGatewayProxyResult): unknown => JSON.parse(response.body);
