import { jest } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Observability } from '../../lambdas/shared/observability.ts';
import { consumerMetrics } from '../../lambdas/shared/event-consumer.ts';

/** Lambda-side fixtures every service's handler tests use: API events, a context, quiet Powertools. */

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

/** A Lambda context with plenty of time left (middy aborts the handler when time runs out). */
export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'function-under-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:function-under-test',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/function-under-test',
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
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    // Disabled: EMF would go to stdout; tests spy on addMetric instead.
    metrics: (() => {
      const previous = process.env.POWERTOOLS_METRICS_DISABLED;
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      const metrics = new Metrics({ serviceName: 'test', namespace: 'OrderSagaTest' });
      if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previous;
      return metrics;
    })(),
  };
}

/** The parsed JSON body of a response. */
export const bodyOf = (response: APIGatewayProxyResult): unknown => JSON.parse(response.body);

/**
 * Spies on one log method of every Powertools logger, including the per-message child
 * loggers the event consumers log through (a spy on one logger instance would miss
 * them). Restore with `jest.restoreAllMocks()`.
 */
export function spyOnLogs(level: 'info' | 'warn' | 'error') {
  return jest.spyOn(Logger.prototype, level);
}

/** The persistent keys (orderId, eventId…) of the logger that made the spied call `index`. */
export function keysOfLogCall(spy: ReturnType<typeof spyOnLogs>, index = 0) {
  const logger = spy.mock.contexts[index] as Logger | undefined;
  return logger?.getPersistentLogAttributes();
}

/**
 * Whether a metric is the function's own rather than one every consumer emits per message
 * (`consumerMetrics`, tested with createEventConsumer): for asserting a service's metrics.
 */
export function isServiceMetric(name: string): boolean {
  return !(Object.values(consumerMetrics) as string[]).includes(name);
}
