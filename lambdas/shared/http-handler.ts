import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CORRELATION_ID_HEADER, correlationIdOf } from './correlation.ts';
import { errorResponse, HttpError, httpErrors, internalErrorResponse } from './http.ts';
import { withObservability, type Observability } from './observability.ts';
import { createRouter, type Route } from './router.ts';

/**
 * Metric names every API emits per request (EMF), by service. The 5xx alarm reads API
 * Gateway's own `5XXError` instead, which also counts the answers no function gave.
 */
export const httpMetrics = {
  requests: 'Requests',
  clientErrors: 'ClientErrors',
  serverErrors: 'ServerErrors',
} as const;

/** What an API built by {@link createHttpHandler} is made of. */
export interface HttpHandlerOptions {
  routes: readonly Route[];
  observability: Observability;
  /**
   * The answer to a failure this API expects besides an {@link HttpError} (a bad cursor,
   * a write that kept conflicting…), or undefined if the failure is not one: it is then
   * logged as ours and answered with a generic 500.
   */
  knownFailure?: (error: unknown) => HttpError | undefined;
  /**
   * The message of the 503 a request gets when the function is about to time out (say
   * whether retrying is safe).
   */
  timeoutMessage: string;
}

/**
 * The one Lambda handler shape of every API here (API Gateway REST, proxy integration):
 * routes inside the shared middy chain; every outcome mapped to HTTP (a client's input
 * only ever yields a 4xx, a 5xx is our failure and is logged); a `Requests` /
 * `ClientErrors` / `ServerErrors` metric and one access line per request; the
 * correlation id echoed in a response header; a 503 instead of a Lambda timeout.
 */
export function createHttpHandler(
  options: HttpHandlerOptions,
): MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { observability, knownFailure, timeoutMessage } = options;
  const { logger, metrics } = observability;
  const route = createRouter(options.routes);
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);

  function toErrorResponse(error: unknown): APIGatewayProxyResult {
    if (error instanceof HttpError) return errorResponse(error);
    const known = knownFailure?.(error);
    if (known) return errorResponse(known);
    logger.error('Request failed', { error });
    return internalErrorResponse();
  }

  async function handle(
    event: APIGatewayProxyEvent,
    context: Context,
  ): Promise<APIGatewayProxyResult> {
    let response: APIGatewayProxyResult;
    try {
      response = await route(event, context);
    } catch (error) {
      response = toErrorResponse(error);
    }
    count(httpMetrics.requests);
    if (response.statusCode >= 500) count(httpMetrics.serverErrors);
    else if (response.statusCode >= 400) count(httpMetrics.clientErrors);
    logger.info('Request handled', {
      method: event.httpMethod,
      resource: event.resource,
      statusCode: response.statusCode,
    });
    return {
      ...response,
      headers: {
        ...response.headers,
        [CORRELATION_ID_HEADER]: correlationIdOf(event, context.awsRequestId),
      },
    };
  }

  return withObservability(handle, observability, {
    correlationId: (event, context) => correlationIdOf(event, context.awsRequestId),
    timeoutResponse: () => {
      count(httpMetrics.serverErrors);
      return errorResponse(httpErrors.serviceUnavailable(timeoutMessage));
    },
  });
}
